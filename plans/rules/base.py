"""What a scoring rule kind is, and the register of the kinds by name.

A kind is one class (one module of this package each): the parameters it
takes (as JSON Schema, checked further by `check`), the source it reads from
the roll-up, its points and applicability (`score`), and its why in words
(`explain`). Defining the class registers it; nothing else names it.
"""

from __future__ import annotations

import datetime as dt
import enum
import re
from collections.abc import Hashable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, ClassVar

from django.utils import formats
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from plans.scoring import ALL_TASKS, Counts, Score, round_points

_KINDS: dict[str, RuleKind] = {}
# The why of a group's subtotal (its items added up), beside the kinds' own.
GROUP = "group"


class Source(enum.StrEnum):
    """What the roll-up hands a rule for one unit.

    - tasks: the unit's `Counts` (its tagged tasks, or all it leads);
    - plan: the day the unit's own plan was issued, or None;
    - entry: an appraiser's latest `ManualEntry`, or None;
    - indicator: (the unit's latest `Figure` or None, its level's target % or None).
    """

    TASKS = "tasks"
    PLAN = "plan"
    ENTRY = "entry"
    INDICATOR = "indicator"


class RuleKind:
    """One kind of scoring rule; subclasses register themselves by `name`.

    - `params`: JSON Schema of each parameter, by name (`required` lists the
      ones that must be given);
    - `counts_in_maximum`: False for points outside the maximum (bonus, penalty);
    - `entered`: an appraiser enters its points (no roll-up counts them).
    """

    name: ClassVar[str]
    label: ClassVar[Promise | str]
    source: ClassVar[Source]
    params: ClassVar[dict[str, dict[str, Any]]] = {}
    required: ClassVar[tuple[str, ...]] = ()
    counts_in_maximum: ClassVar[bool] = True
    entered: ClassVar[bool] = False
    # Points given (1) or taken away (-1).
    sign: ClassVar[int] = 1
    # May an appraiser mark it "không áp dụng" (not applicable)?
    may_not_apply: ClassVar[bool] = False
    # What an appraiser's entry of it is called beside the points, if anything.
    entered_as: ClassVar[Promise | str | None] = None

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "name" in cls.__dict__:
            _KINDS[cls.name] = cls()

    def check(self, params: Mapping[str, Any], max_points: Decimal) -> dict[str, str]:
        """What is wrong with the parameters beyond their schema's names, by parameter."""
        return {}

    def part_key(self, read: Any) -> Hashable:
        """What of the source the points depend on: units that read the same share a part."""
        return read

    def for_plan(self, rule: Rule, parent_issued_on: dt.date | None) -> Rule:
        """The rule as it reads for a plan issued on `parent_issued_on` (a deadline relative
        to it made a date); most kinds read the same for every plan."""
        return rule

    def score(self, rule: Rule, read: Any, as_of: dt.date) -> Score:
        raise NotImplementedError

    def explain(self, why: Mapping[str, Any], indicator_names: Mapping[str, str]) -> str:
        """The stored why as a sentence in the active language."""
        return ""

    def not_applicable(self, why: Mapping[str, Any]) -> str:
        """Why it did not apply, in words."""
        return ""

    def schema(self) -> dict[str, Any]:
        """This kind's sub-criterion parameters as JSON Schema."""
        return {
            "type": "object",
            "properties": self.params,
            "required": list(self.required),
            "additionalProperties": False,
        }


def kind_of(name: str) -> RuleKind:
    """The registered kind of that name (KeyError for an unknown one)."""
    return _KINDS[name]


def kinds() -> list[RuleKind]:
    """Every registered kind, in the order they were defined."""
    return list(_KINDS.values())


def entered_kinds() -> list[str]:
    """The names of the kinds whose points an appraiser enters."""
    return [kind.name for kind in _KINDS.values() if kind.entered]


def rule_choices() -> list[tuple[str, Promise | str]]:
    """(name, label) of every kind: the sub-criterion's rule field's choices."""
    return [(kind.name, kind.label) for kind in _KINDS.values()]


@dataclass(frozen=True)
class Rule:
    """A sub-criterion as the kinds need it: its code, kind, maximum and parameters."""

    code: str
    kind: str
    max_points: Decimal
    params: Mapping[str, Any]

    @property
    def all_tasks(self) -> bool:
        return self.params.get("tasks") == ALL_TASKS

    @property
    def codes(self) -> tuple[str, ...]:
        """The tags whose tasks feed it: its `codes`, by default its own code."""
        return tuple(dict.fromkeys(self.params.get("codes") or (self.code,)))

    @property
    def plan_scope(self) -> str:
        """Whose plan's tasks it counts: `any` (default), the unit's `own`, the `province`'s."""
        return str(self.params.get("plan", ANY_PLAN))

    @property
    def required_count(self) -> int | None:
        """The number of tasks that must be done for full points, when the decision says so."""
        value = self.params.get("required")
        return int(value) if value else None

    @property
    def indicator(self) -> str:
        return str(self.params.get("indicator", ""))

    @property
    def counts_in_maximum(self) -> bool:
        return kind_of(self.kind).counts_in_maximum


def apply(rule: Rule, read: Any, as_of: dt.date) -> Score:
    """Score one sub-criterion for one unit with its kind, from what its source gave."""
    return kind_of(rule.kind).score(rule, read, as_of)


def not_applicable(why: dict[str, Any]) -> Score:
    return Score(round_points(0), {**why, "applicable": False}, applicable=False)


def check_params(kind: str, params: Any, max_points: Decimal) -> dict[str, str]:
    """What is wrong with a sub-criterion's parameters for its kind, by parameter name."""
    if kind not in _KINDS:
        return {
            "rule": _("Unknown rule %(rule)s; known rules: %(known)s.")
            % {"rule": kind, "known": ", ".join(sorted(_KINDS))}
        }
    if not isinstance(params, dict):
        return {"params": _("Parameters are an object of names and values.")}
    rule_kind = _KINDS[kind]
    errors: dict[str, str] = {}
    for name in sorted(set(params) - set(rule_kind.params)):
        errors[name] = _("The rule %(rule)s has no parameter %(name)s.") % {
            "rule": kind,
            "name": name,
        }
    errors.update(rule_kind.check(params, Decimal(max_points)))
    return errors


def explain(why: Mapping[str, Any], indicator_names: Mapping[str, str] | None = None) -> str:
    """A stored why as a sentence in the active language.

    `indicator_names`: code -> name of the plan's indicators, to name them in
    words (the stored why keeps the code only: it is written thousands at a time).
    """
    if why.get("rule") == GROUP:
        items = ", ".join(why.get("items", []))
        if why.get("capped"):
            return _("The sum of %(items)s, capped at the group's maximum.") % {"items": items}
        return _("The sum of %(items)s.") % {"items": items}
    rule_kind = _KINDS.get(str(why.get("rule")))
    if rule_kind is None:
        return ""
    if why.get("applicable") is False:
        return _("Not applicable: %(reason)s") % {"reason": rule_kind.not_applicable(why)}
    return rule_kind.explain(why, indicator_names or {})


# ---------------------------------------------------------------- helpers of the kinds


def number(value: str | int | float | Decimal) -> str:
    """A number as people of the active language write it (0,5 in Vietnamese)."""
    return formats.number_format(Decimal(str(value)).normalize(), use_l10n=True)


def date_words(iso: str | None) -> str:
    """A stored ISO date as the active language writes it (dd/mm/yyyy in Vietnamese)."""
    return formats.date_format(dt.date.fromisoformat(iso), "SHORT_DATE_FORMAT") if iso else ""


# Whose plan's tasks a rule over tasks counts.
ANY_PLAN, OWN_PLAN, PROVINCE_PLAN = "any", "own", "province"
PLAN_SCOPES = (ANY_PLAN, OWN_PLAN, PROVINCE_PLAN)
CODE = re.compile(r"^\d+(\.\d+)*$")

TASKS_PARAM: dict[str, Any] = {
    "enum": ["tagged", ALL_TASKS],
    "default": "tagged",
    "description": gettext_noop(
        "Count the tasks tagged with the sub-criterion's code, or all the unit leads."
    ),
}
CODES_PARAM: dict[str, Any] = {
    "type": "array",
    "minItems": 1,
    "items": {"type": "string", "pattern": CODE.pattern, "maxLength": 20},
    "description": gettext_noop(
        "The tags whose tasks feed it (default: its own code); with tasks = tagged."
    ),
}
PLAN_PARAM: dict[str, Any] = {
    "enum": list(PLAN_SCOPES),
    "default": ANY_PLAN,
    "description": gettext_noop(
        "Count the tasks of any plan, of the unit's own plan only, or of the province plan only."
    ),
}
REQUIRED_PARAM: dict[str, Any] = {
    "type": "integer",
    "minimum": 1,
    "maximum": 1000,
    "description": gettext_noop(
        "The number of tasks that must be done for full points (e.g. 4 periodic "
        "reports); with it the item always applies."
    ),
}
# The parameters of every kind over a unit's tasks.
TASK_PARAMS: dict[str, dict[str, Any]] = {
    "tasks": TASKS_PARAM,
    "codes": CODES_PARAM,
    "plan": PLAN_PARAM,
    "required": REQUIRED_PARAM,
}


def check_tasks(params: Mapping[str, Any]) -> dict[str, str]:
    """The parameters every kind over a unit's tasks takes: tasks, codes, plan, required."""
    errors: dict[str, str] = {}
    if params.get("tasks", "tagged") not in ("tagged", ALL_TASKS):
        errors["tasks"] = _('Count "tagged" tasks or "all" the tasks a unit leads.')
    if "codes" in params:
        codes = params["codes"]
        if (
            not isinstance(codes, list)
            or not codes
            or not all(isinstance(c, str) and CODE.match(c) and len(c) <= 20 for c in codes)
        ):
            errors["codes"] = _('Give a list of codes such as ["1.2.1", "1.2.2"].')
        elif len(set(codes)) != len(codes):
            errors["codes"] = _("Name each code once: its tasks would count twice.")
        elif params.get("tasks") == ALL_TASKS:
            errors["codes"] = _("Codes choose tagged tasks: leave them out to count all tasks.")
    if params.get("plan", ANY_PLAN) not in PLAN_SCOPES:
        errors["plan"] = _(
            'Count the tasks of "any" plan, the unit\'s "own" or the "province" plan.'
        )
    if "required" in params:
        value = params["required"]
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 1000:
            errors["required"] = _("Give the number of tasks required, from 1 to 1000.")
    return errors


def required_counts(rule: Rule, counts: Counts) -> Counts:
    """The counts a rule judges: with `required` N, as if N tasks were due (done ones up to N).

    "All four periodic reports on time": two on time of four required is two
    of four, whatever number of report tasks exists, and the item applies
    even when none is due yet.
    """
    needed = rule.required_count
    if needed is None:
        return counts
    return Counts(needed, min(counts.accepted, needed), min(counts.on_time, needed))
