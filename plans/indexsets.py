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
    "groups",
    "criteria",
}

# ---------------------------------------------------------------- export


def export_index_set(index_set: IndexSet) -> dict[str, Any]:
    """The whole set as one JSON-ready document (criteria and sub-criteria in code order)."""
    return {
        "id": index_set.pk,
        "year": index_set.year,
        "level": index_set.level,
        "name": index_set.name,
        "label": index_set.label,
        "source_document": index_set.source_document,
        "include_subtasks": index_set.include_subtasks,
        "groups": index_set.groups,
        "criteria": criteria_document(index_set),
    }


def criteria_document(index_set: IndexSet) -> list[dict[str, Any]]:
    """The set's criteria and sub-criteria as the document has them (prefetch them for lists)."""
    return [
        {
            "code": criterion.code,
            "name": criterion.name,
            "subcriteria": [
                {
                    "code": sub.code,
                    "name": sub.name,
                    "max_points": str(scoring.round_points(sub.max_points)),
                    "rule": sub.rule,
                    "params": sub.params,
                }
                for sub in sorted(
                    criterion.subcriteria.all(), key=lambda s: scoring.code_key(s.code)
                )
            ],
        }
        for criterion in sorted(index_set.criteria.all(), key=lambda c: scoring.code_key(c.code))
    ]


# ---------------------------------------------------------------- import


def _text(value: Any, limit: int) -> str | None:
    if not isinstance(value, str) or not value.strip() or len(value.strip()) > limit:
        return None
    return value.strip()


def check_document(doc: Any) -> dict[str, str]:  # noqa: C901 (each field of the document has its own message)
    """Every fault of an index-set document, by the path of the item at fault."""
    if not isinstance(doc, dict):
        return {"document": _("An index set is a JSON object.")}
    errors: dict[str, str] = {}
    for key in sorted(set(doc) - DOCUMENT_KEYS):
        errors[key] = _("Unknown field %(name)s.") % {"name": key}
    year = doc.get("year")
    if isinstance(year, bool) or not isinstance(year, int) or not 2000 <= year <= 2100:
        errors["year"] = _("Give the year, between 2000 and 2100.")
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
    if not isinstance(doc.get("include_subtasks", False), bool):
        errors["include_subtasks"] = _("true or false.")
    problem = scoring.check_groups(doc.get("groups", []))
    if problem:
        errors["groups"] = problem
    criteria = doc.get("criteria")
    if not isinstance(criteria, list) or not criteria:
        errors["criteria"] = _("Give at least one criterion.")
        return errors
    seen: dict[str, str] = {}

    def code_at(path: str, code: Any) -> None:
        if not isinstance(code, str) or not CODE.match(code) or len(code) > 20:
            errors[f"{path}.code"] = _("Use a code such as 1.3 (numbers separated by dots).")
        elif code in seen:
            errors[f"{path}.code"] = _("The code %(code)s appears twice (also at %(other)s).") % {
                "code": code,
                "other": seen[code],
            }
        else:
            seen[code] = path

    for i, criterion in enumerate(criteria):
        path = f"criteria[{i}]"
        if not isinstance(criterion, dict):
            errors[path] = _("A criterion is an object with a code, a name and sub-criteria.")
            continue
        code_at(path, criterion.get("code"))
        if _text(criterion.get("name"), 300) is None:
            errors[f"{path}.name"] = _("Give the criterion a name.")
        subs = criterion.get("subcriteria")
        if not isinstance(subs, list) or not subs:
            errors[f"{path}.subcriteria"] = _("Give the criterion at least one sub-criterion.")
            continue
        for j, sub in enumerate(subs):
            errors.update(_check_subcriterion(f"{path}.subcriteria[{j}]", sub, code_at))
    return errors


def _check_subcriterion(path: str, sub: Any, code_at: Any) -> dict[str, str]:
    if not isinstance(sub, dict):
        return {path: _("A sub-criterion is an object: code, name, max_points, rule, params.")}
    errors: dict[str, str] = {}
    code_at(path, sub.get("code"))
    code = sub.get("code")
    named = _("Sub-criterion %(code)s") % {"code": code} if isinstance(code, str) else path
    unknown = set(sub) - {"code", "name", "max_points", "rule", "params"}
    for key in sorted(unknown):
        errors[f"{path}.{key}"] = _("%(item)s: unknown field %(name)s.") % {
            "item": named,
            "name": key,
        }
    if _text(sub.get("name"), 300) is None:
        errors[f"{path}.name"] = _("%(item)s: give it a name.") % {"item": named}
    raw = sub.get("max_points")
    top = scoring.number_in(raw)
    if top is None:
        errors[f"{path}.max_points"] = _("%(item)s: give its maximum points.") % {"item": named}
    elif top < 0:
        errors[f"{path}.max_points"] = _("%(item)s: a maximum cannot be negative.") % {
            "item": named
        }
    elif top > 100 or top != top.quantize(scoring.CENT):
        errors[f"{path}.max_points"] = _("%(item)s: at most 100 points, two decimals.") % {
            "item": named
        }
    if top is not None and f"{path}.max_points" not in errors:
        for key, message in rules.check_params(
            str(sub.get("rule")), sub.get("params", {}), top
        ).items():
            where = f"{path}.rule" if key == "rule" else f"{path}.params.{key}"
            errors[where] = f"{named}: {message}"
    return errors


def _store(doc: dict[str, Any]) -> IndexSet:
    """Write a checked document: the set, its criteria, its sub-criteria."""
    index_set = IndexSet(
        year=doc["year"],
        level=doc.get("level", ""),
        name=doc["name"].strip(),
        label=doc.get("label", ""),
        source_document=doc.get("source_document", ""),
        include_subtasks=doc.get("include_subtasks", False),
        groups=doc.get("groups", []),
    )
    index_set.save()
    for criterion_doc in doc["criteria"]:
        criterion = Criterion.objects.create(
            index_set=index_set, code=criterion_doc["code"], name=criterion_doc["name"].strip()
        )
        SubCriterion.objects.bulk_create(
            SubCriterion(
                criterion=criterion,
                code=sub["code"],
                name=sub["name"].strip(),
                max_points=Decimal(str(sub["max_points"])),
                rule=sub["rule"],
                params=sub.get("params", {}),
            )
            for sub in criterion_doc["subcriteria"]
        )
    return index_set


def _checked(doc: Any) -> dict[str, Any]:
    errors = check_document(doc)
    if (
        not errors
        and IndexSet.objects.filter(
            year=doc["year"], level=doc.get("level", ""), name=doc["name"].strip()
        ).exists()
    ):
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
            "groups": STANDARD_GROUPS,
            "criteria": [
                {"code": "1", "name": "Công tác chỉ đạo, điều hành CCHC", "subcriteria": subs}
            ],
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
