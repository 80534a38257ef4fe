"""Index sets as documents: export, import (checked whole), and the standard sets.

A province loads its own rule book from a file, without code: the document is
the API's (`GET`/`POST /api/v1/index-sets`), the admin's download and upload,
and the standard sets'. A document with any fault is refused whole, naming the item;
nothing of it is stored.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from kit.errors import Conflict, Invalid, NotAllowed
from plans import rules, scoring
from plans.access import Action, may_anywhere
from plans.models import Criterion, IndexSet, Level, Official, SubCriterion, record
from plans.rules.bands import DEFAULT_BANDS, PROPORTIONAL

CODE = re.compile(r"^\d+(\.\d+)*$")
DOCUMENT_KEYS = {
    "id",
    "year",
    "level",
    "name",
    "label",
    "source_document",
    "include_subtasks",
    "cap_total",
    "groups",
    "items",
    "criteria",  # the two-level form: criteria of sub-criteria
}
GROUP_KEYS = {"code", "name", "max_points", "items"}
MAX_DEPTH = 8  # groups within groups, at most
LEAF_KEYS = {"code", "name", "max_points", "rule", "params"}

# ---------------------------------------------------------------- export


def export_index_set(index_set: IndexSet) -> dict[str, Any]:
    """The whole set as one JSON-ready document: its tree of groups and items in code order."""
    return {
        "id": index_set.pk,
        "year": index_set.year,
        "level": index_set.level,
        "name": index_set.name,
        "label": index_set.label,
        "source_document": index_set.source_document,
        "include_subtasks": index_set.include_subtasks,
        "cap_total": index_set.cap_total,
        "groups": index_set.groups,
        "items": tree_document(index_set),
    }


def tree_document(index_set: IndexSet) -> list[dict[str, Any]]:
    """The set's groups and sub-criteria as nodes (prefetch criteria__subcriteria for lists)."""
    groups = list(index_set.criteria.all())
    under: dict[int | None, list[Criterion]] = {}
    for group in groups:
        under.setdefault(group.parent_id, []).append(group)

    def node(group: Criterion) -> dict[str, Any]:
        items = [
            (
                scoring.code_key(sub.code),
                {
                    "code": sub.code,
                    "name": sub.name,
                    "max_points": str(scoring.round_points(sub.max_points)),
                    "rule": sub.rule,
                    "params": sub.params,
                },
            )
            for sub in group.subcriteria.all()
        ]
        items += [(scoring.code_key(g.code), node(g)) for g in under.get(group.pk, [])]
        found: dict[str, Any] = {"code": group.code, "name": group.name}
        if group.max_points is not None:
            found["max_points"] = str(scoring.round_points(group.max_points))
        found["items"] = [item for _key, item in sorted(items, key=lambda pair: pair[0])]
        return found

    return [node(g) for g in sorted(under.get(None, []), key=lambda g: scoring.code_key(g.code))]


def group_tree(
    criteria: list[Criterion], subs: list[SubCriterion], cap_total: bool = True
) -> scoring.Tree:
    """A set's groups as its subtotals are added up (plans.scoring.subtotals), from its rows:
    each group after the groups in it, items and groups in code order."""
    under: dict[int | None, list[Criterion]] = {}
    for group in sorted(criteria, key=lambda c: scoring.code_key(c.code)):
        under.setdefault(group.parent_id, []).append(group)
    items: dict[int, list[str]] = {}
    for sub in sorted(subs, key=lambda s: scoring.code_key(s.code)):
        items.setdefault(sub.criterion_id, []).append(sub.code)
    nodes: list[scoring.GroupNode] = []

    def walk(group: Criterion) -> int:
        inner = tuple(walk(child) for child in under.get(group.pk, []))
        cap = None if group.max_points is None else scoring.cents(group.max_points)
        nodes.append(scoring.GroupNode(group.code, cap, tuple(items.get(group.pk, [])), inner))
        return len(nodes) - 1

    roots = tuple(walk(group) for group in under.get(None, []))
    return scoring.Tree(tuple(nodes), roots, cap_total)


def scoring_tree(index_set_id: int | None) -> scoring.Tree:
    """The tree of a stored set (two queries); an empty one for none."""
    if index_set_id is None:
        return scoring.Tree((), ())
    index_set = IndexSet.objects.filter(pk=index_set_id).first()
    if index_set is None:
        return scoring.Tree((), ())
    return group_tree(
        list(index_set.criteria.all()),
        list(SubCriterion.objects.filter(criterion__index_set=index_set)),
        index_set.cap_total,
    )


# ---------------------------------------------------------------- import


def _text(value: Any, limit: int) -> str | None:
    if not isinstance(value, str) or not value.strip() or len(value.strip()) > limit:
        return None
    return value.strip()


def tree_of(doc: dict[str, Any]) -> list[Any]:
    """The document's nodes: its `items`, or its two-level `criteria` read as groups."""
    if "items" in doc:
        return doc["items"] if isinstance(doc["items"], list) else []
    criteria = doc.get("criteria")
    if not isinstance(criteria, list):
        return []
    return [
        {
            **{k: v for k, v in c.items() if k != "subcriteria"},
            "items": c.get("subcriteria"),
        }
        if isinstance(c, dict)
        else c
        for c in criteria
    ]


def check_document(doc: Any) -> dict[str, str]:
    """Every fault of an index-set document, by the path of the item at fault."""
    if not isinstance(doc, dict):
        return {"document": _("An index set is a JSON object.")}
    errors: dict[str, str] = {}
    for key in sorted(set(doc) - DOCUMENT_KEYS):
        errors[key] = _("Unknown field %(name)s.") % {"name": key}
    year = doc.get("year")
    if year is not None and (
        isinstance(year, bool) or not isinstance(year, int) or not 2000 <= year <= 2100
    ):
        errors["year"] = _("Give the year, between 2000 and 2100, or none for any year.")
    if doc.get("level", "") not in ["", *Level.values]:
        errors["level"] = _("Unknown level %(level)s; known levels: %(known)s.") % {
            "level": doc.get("level"),
            "known": ", ".join(Level.values),
        }
    if _text(doc.get("name"), 300) is None:
        errors["name"] = _("Give the set a name (300 characters at most).")
    for key in ("label", "source_document"):
        if not isinstance(doc.get(key, ""), str) or len(doc.get(key, "")) > 300:
            errors[key] = _("Text of 300 characters at most.")
    for key in ("include_subtasks", "cap_total"):
        if not isinstance(doc.get(key, False), bool):
            errors[key] = _("true or false.")
    problem = scoring.check_groups(doc.get("groups", []))
    if problem:
        errors["groups"] = problem
    legacy = "items" not in doc
    top = "criteria" if legacy else "items"
    nodes = tree_of(doc)
    if not nodes:
        errors[top] = _("Give at least one criterion.")
        return errors
    _Checker(errors, legacy, any_year=doc.get("year") is None).nodes(nodes, top, depth=0)
    return errors


class _Checker:
    """Walks a document's tree: each node a group (items) or a leaf (a rule), codes unique."""

    def __init__(self, errors: dict[str, str], legacy: bool, any_year: bool = False) -> None:
        self.errors = errors
        self.legacy = legacy
        self.any_year = any_year
        self.seen: dict[str, str] = {}

    def code_at(self, path: str, code: Any) -> None:
        if not isinstance(code, str) or not CODE.match(code) or len(code) > 20:
            self.errors[f"{path}.code"] = _("Use a code such as 1.3 (numbers separated by dots).")
        elif code in self.seen:
            self.errors[f"{path}.code"] = _(
                "The code %(code)s appears twice (also at %(other)s)."
            ) % {"code": code, "other": self.seen[code]}
        else:
            self.seen[code] = path

    def nodes(self, nodes: list[Any], path: str, depth: int) -> None:
        if depth > MAX_DEPTH:
            self.errors[path] = _("Groups nest %(n)d deep at most.") % {"n": MAX_DEPTH}
            return
        for i, node in enumerate(nodes):
            at = f"{path}[{i}]"
            if not isinstance(node, dict):
                self.errors[at] = _(
                    "An item is an object: a group (code, name, items) or a sub-criterion "
                    "(code, name, max_points, rule, params)."
                )
            elif "items" in node and "rule" not in node:
                self.group(node, at, depth)
            elif depth == 0:
                self.errors[at] = _(
                    "%(code)s: a top-level item is a criterion holding its items (code, name, "
                    "items); add the criterion it belongs to (such as 1 Công tác chỉ đạo, điều "
                    "hành) above it."
                ) % {"code": node.get("code", at)}
            else:
                self.errors.update(_check_subcriterion(at, node, self.code_at))
                self.fixed_date(node, at)

    def fixed_date(self, node: dict[str, Any], path: str) -> None:
        """A set of any year cannot hold a date of one year: 1.1 would be late every other."""
        params = node.get("params")
        if self.any_year and isinstance(params, dict) and "deadline" in params:
            self.errors[f"{path}.params.deadline"] = _(
                "Sub-criterion %(code)s: a set of any year gives the plan's deadline as "
                "days_after_parent, not a date of one year."
            ) % {"code": node.get("code")}

    def group(self, node: dict[str, Any], path: str, depth: int) -> None:
        self.code_at(path, node.get("code"))
        code = node.get("code")
        named = _("Criterion %(code)s") % {"code": code} if isinstance(code, str) else path
        for key in sorted(set(node) - GROUP_KEYS):
            self.errors[f"{path}.{key}"] = _("%(item)s: unknown field %(name)s.") % {
                "item": named,
                "name": key,
            }
        if _text(node.get("name"), 300) is None:
            self.errors[f"{path}.name"] = _("Give the criterion a name.")
        if node.get("max_points") is not None:
            problem = _points_problem(node["max_points"], named)
            if problem:
                self.errors[f"{path}.max_points"] = problem
        items = node.get("items")
        below = "subcriteria" if self.legacy else "items"
        if not isinstance(items, list) or not items:
            self.errors[f"{path}.{below}"] = _("Give the criterion at least one sub-criterion.")
            return
        if self.legacy:  # the two-level form: its criteria hold sub-criteria only
            for j, sub in enumerate(items):
                at = f"{path}.{below}[{j}]"
                self.errors.update(_check_subcriterion(at, sub, self.code_at))
                if isinstance(sub, dict):
                    self.fixed_date(sub, at)
            return
        self.nodes(items, f"{path}.items", depth + 1)


def _points_problem(raw: Any, named: str) -> str | None:
    """Why a maximum is unusable: a number from 0 to 100 with two decimals."""
    top = scoring.number_in(raw)
    if top is None:
        return _("%(item)s: give its maximum points.") % {"item": named}
    if top < 0:
        return _("%(item)s: a maximum cannot be negative.") % {"item": named}
    if top > 100 or top != top.quantize(scoring.CENT):
        return _("%(item)s: at most 100 points, two decimals.") % {"item": named}
    return None


def _check_subcriterion(path: str, sub: Any, code_at: Any) -> dict[str, str]:
    if not isinstance(sub, dict):
        return {path: _("A sub-criterion is an object: code, name, max_points, rule, params.")}
    errors: dict[str, str] = {}
    code_at(path, sub.get("code"))
    code = sub.get("code")
    named = _("Sub-criterion %(code)s") % {"code": code} if isinstance(code, str) else path
    for key in sorted(set(sub) - LEAF_KEYS):
        errors[f"{path}.{key}"] = _("%(item)s: unknown field %(name)s.") % {
            "item": named,
            "name": key,
        }
    if _text(sub.get("name"), 300) is None:
        errors[f"{path}.name"] = _("%(item)s: give it a name.") % {"item": named}
    problem = _points_problem(sub.get("max_points"), named)
    if problem:
        errors[f"{path}.max_points"] = problem
    else:
        top = Decimal(str(sub["max_points"]))
        for key, message in rules.check_params(
            str(sub.get("rule")), sub.get("params", {}), top
        ).items():
            where = f"{path}.rule" if key == "rule" else f"{path}.params.{key}"
            errors[where] = f"{named}: {message}"
    return errors


def _store(doc: dict[str, Any]) -> IndexSet:
    """Write a checked document: the set, its groups (parents first), their sub-criteria."""
    index_set = IndexSet(
        year=doc.get("year"),
        level=doc.get("level", ""),
        name=doc["name"].strip(),
        label=doc.get("label", ""),
        source_document=doc.get("source_document", ""),
        include_subtasks=doc.get("include_subtasks", False),
        cap_total=doc.get("cap_total", True),
        groups=doc.get("groups", []),
    )
    index_set.save()

    def store(node: dict[str, Any], parent: Criterion | None) -> None:
        raw = node.get("max_points")
        group = Criterion.objects.create(
            index_set=index_set,
            parent=parent,
            code=node["code"],
            name=node["name"].strip(),
            max_points=None if raw is None else Decimal(str(raw)),
        )
        leaves = [n for n in node["items"] if "rule" in n]
        SubCriterion.objects.bulk_create(
            SubCriterion(
                criterion=group,
                code=sub["code"],
                name=sub["name"].strip(),
                max_points=Decimal(str(sub["max_points"])),
                rule=sub["rule"],
                params=sub.get("params", {}),
            )
            for sub in leaves
        )
        for child in node["items"]:
            if "rule" not in child:
                store(child, group)

    for node in tree_of(doc):
        store(node, None)
    return index_set


def same_name(year: int | None, level: str, name: str) -> bool:
    """Is there a set of this year (or of any year, for none) and level with this name?"""
    found = IndexSet.objects.filter(level=level, name=name)
    return (
        found.filter(year__isnull=True).exists()
        if year is None
        else found.filter(year=year).exists()
    )


def _checked(doc: Any) -> dict[str, Any]:
    errors = check_document(doc)
    if not errors and same_name(doc.get("year"), doc.get("level", ""), doc["name"].strip()):
        errors["name"] = _("An index set of this year and level already has this name.")
    if errors:
        first = next(iter(errors.values()))
        raise Invalid(_("The index set was not stored: %(first)s") % {"first": first}, errors)
    return doc


def import_index_set(actor: Official, doc: Any) -> IndexSet:
    """Store a province's own index set from its document (administrators only); all or nothing."""
    if not may_anywhere(actor, Action.MANAGE_ORGANISATION):
        raise NotAllowed(_("Only an administrator loads index sets."))
    try:
        with transaction.atomic():
            index_set = _store(_checked(doc))
            record(actor, "created", index_set, name=index_set.name, year=index_set.year)
    except IntegrityError as exc:  # the same name loaded by someone else meanwhile
        raise Conflict(_("An index set of this year and level already has this name.")) from exc
    return index_set


# ---------------------------------------------------------------- the standard sets
# A plan made without naming its sets is scored by these (docs/scoring.md): the
# structure of the Ministry's decision, as the product's model.

STANDARD_SOURCE = (
    "Theo cấu trúc Quyết định 1187/QĐ-BNV ngày 15/10/2025 của Bộ Nội vụ "
    "(bộ chỉ số mẫu của phần mềm, không phải văn bản chính thức)"
)
STANDARD_LABEL = "Lĩnh vực 1 — Công tác chỉ đạo, điều hành CCHC"
STANDARD_GROUPS = [
    {"code": "A", "from_pct": 90},
    {"code": "B", "from_pct": 80},
    {"code": "C", "from_pct": 70},
    {"code": "D", "from_pct": 0},
]
WORK_RECORDS_INDICATOR = "hscv-mang"


def standard_documents(year: int) -> list[dict[str, Any]]:
    """The two standard sets, for sở and for xã, phường (maximum 8 each)."""
    plan_on_time = {
        "code": "1.1",
        "name": "Kế hoạch CCHC năm ban hành kịp thời",
        "max_points": "1.00",
        "rule": "plan_issued_on_time",
        "params": {"deadline": dt.date(year, 1, 31).isoformat(), "late_points": "0.50"},
    }
    completion = {
        "code": "1.2",
        "name": "Mức độ hoàn thành kế hoạch CCHC",
        "max_points": "3.00",
        "rule": "completion_bands",
        "params": {"tasks": scoring.ALL_TASKS, "bands": DEFAULT_BANDS},
    }
    reports = {
        "code": "1.3",
        "name": "Báo cáo CCHC định kỳ",
        "max_points": "1.00",
        "rule": "on_time",
        "params": {"tasks": scoring.TAGGED},
    }
    department = [
        plan_on_time,
        completion,
        reports,
        {
            "code": "1.4",
            "name": "Kiểm tra CCHC",
            "max_points": "1.00",
            "rule": "step_bands",
            "params": {
                "tasks": scoring.TAGGED,
                "bands": [
                    {"from": 100, "points": "1.00"},
                    {"from": 70, "points": "0.50"},
                    {"from": 0, "points": "0"},
                ],
            },
        },
        {
            "code": "1.5",
            "name": "Tuyên truyền CCHC",
            "max_points": "1.00",
            "rule": "completion_bands",
            "params": {"tasks": scoring.TAGGED, "bands": DEFAULT_BANDS},
        },
        {
            "code": "1.6",
            "name": "Sáng kiến, giải pháp mới",
            "max_points": "1.00",
            "rule": "manual",
            "params": {},
        },
    ]
    commune = [
        plan_on_time,
        completion,
        reports,
        {
            "code": "1.4",
            "name": "Hồ sơ công việc xử lý trên môi trường mạng",
            "max_points": "2.00",
            "rule": "indicator_target",
            "params": {"indicator": WORK_RECORDS_INDICATOR, "below": PROPORTIONAL},
        },
        {
            "code": "1.5",
            "name": "Sáng kiến, giải pháp mới",
            "max_points": "1.00",
            "rule": "manual",
            "params": {},
        },
        {
            "code": "1.6",
            "name": "Vi phạm kỷ luật, kỷ cương hành chính (điểm trừ)",
            "max_points": "1.00",
            "rule": "penalty",
            "params": {},
        },
    ]

    def document(level: str, who: str, subs: list[dict[str, Any]]) -> dict[str, Any]:
        return {
            "year": year,
            "level": level,
            "name": f"Bộ chỉ số mẫu năm {year}: {who}",
            "label": STANDARD_LABEL,
            "source_document": STANDARD_SOURCE,
            "include_subtasks": False,
            "cap_total": True,
            "groups": STANDARD_GROUPS,
            "items": [{"code": "1", "name": "Công tác chỉ đạo, điều hành CCHC", "items": subs}],
        }

    return [
        document(Level.DEPARTMENT, "sở, ban, ngành", department),
        document(Level.COMMUNE, "xã, phường", commune),
    ]


@transaction.atomic
def standard_index_sets(year: int) -> list[IndexSet]:
    """The standard sets of a year, created (checked as an import is) when first asked for."""
    found = []
    for doc in standard_documents(year):
        existing = IndexSet.objects.filter(year=year, level=doc["level"], name=doc["name"]).first()
        if existing is None:
            existing = _store(_checked(doc))
            record(None, "created", existing, name=existing.name, year=year)
        found.append(existing)
    return found
