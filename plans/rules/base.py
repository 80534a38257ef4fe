"""What a scoring rule kind is, and the register of the kinds by name.

A kind is one class (one module of this package each): the parameters it
takes (as JSON Schema, checked further by `check`), the source it reads from
the roll-up, its points and applicability (`score`), and its why in words
(`explain`). Defining the class registers it; nothing else names it.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Hashable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, ClassVar

from django.utils import formats
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from plans.scoring import ALL_TASKS, Score, round_points

_KINDS: dict[str, RuleKind] = {}


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
    def deadline(self) -> dt.date:
        return dt.date.fromisoformat(self.params["deadline"])

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


TASKS_PARAM: dict[str, Any] = {
    "enum": ["tagged", ALL_TASKS],
    "default": "tagged",
    "description": "Count the tasks tagged with the sub-criterion's code, or all the unit leads.",
}


def check_tasks(params: Mapping[str, Any]) -> dict[str, str]:
    """The `tasks` parameter of the kinds over a unit's tasks."""
    if params.get("tasks", "tagged") not in ("tagged", ALL_TASKS):
        return {"tasks": _('Count "tagged" tasks or "all" the tasks a unit leads.')}
    return {}
