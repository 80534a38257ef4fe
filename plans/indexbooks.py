"""An index set as a workbook a province official fills from the decision's table, and back.

- Sheet "Bộ chỉ số": one row per node of the set, as the decision's annex
  lists them: code, name, maximum, rule (a drop-down of the kinds; empty for
  a group), then one column per parameter of any kind. A group is a row with
  no rule (its maximum, when given, caps it); a row belongs to the group whose
  code is the longest prefix of its own (1.1.2 under 1.1, 1.1 under 1).
- Sheet "Thông tin": the set's own fields, one per row (name, year, level…).
- Sheet "Quy tắc": each kind with its parameters, what they mean.

A parameter's cell is what a person types: a number, a word (`all`, `own`),
codes separated by ";" (`1.2.1; 1.2.2`), bands as "from%: points" separated by
";" (`100: full; 80: proportional; 0: zero`, or `90: 2; 70: 1; 0: 0`); JSON
is taken as well. The workbook loads through the same checks as the JSON
document (plans.indexsets), each fault named by its row.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import re
import zipfile
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _
from openpyxl import load_workbook
from openpyxl.worksheet.datavalidation import DataValidation

from kit.errors import Invalid, NotAllowed, TooLarge, UnsupportedType
from kit.workbooks import fill_sheet, new_workbook, to_bytes
from plans import rules
from plans.access import Action, may_anywhere
from plans.indexsets import CODE, check_document, export_index_set, import_index_set
from plans.models import IndexSet, Level, Official

MAX_BYTES = 2 * 1024 * 1024
MAX_UNPACKED = 50 * 1024 * 1024
MAX_ROWS = 2000
DAY_MONTH_YEAR = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
NODE_COLUMNS = ("code", "name", "max_points", "rule")
INFO_FIELDS = (
    "name",
    "year",
    "level",
    "label",
    "source_document",
    "include_subtasks",
    "cap_total",
    "groups",
)
YES = {"true", "yes", "co", "có", "1", "x"}
NO = {"false", "no", "khong", "không", "0"}


def parameter_names() -> list[str]:
    """Every parameter of every kind, once, in the order the kinds define them."""
    return list(dict.fromkeys(name for kind in rules.kinds() for name in kind.params))


def _labels() -> dict[str, str]:
    return {
        "code": _("Code"),
        "name": _("Name"),
        "max_points": _("Maximum points"),
        "rule": _("Rule"),
        "year": _("Year"),
        "level": _("Level"),
        "label": _("Score label"),
        "source_document": _("Methodology"),
        "include_subtasks": _("Count subtasks"),
        "cap_total": _("Total capped at the maximum"),
        "groups": _("Index groups"),
    }


def _heading(key: str) -> str:
    """A column's or field's heading: its name in words, its key in brackets."""
    label = _labels().get(key)
    return f"{label} ({key})" if label else key


# ---------------------------------------------------------------- cells


def _bands_text(bands: list[dict[str, Any]]) -> str:
    if any("to" in band for band in bands):
        return json.dumps(bands, ensure_ascii=False)
    return "; ".join(f"{band['from']}: {band['points']}" for band in bands)


def _cell_of(value: Any) -> Any:
    """A parameter's value as its cell shows it."""
    if isinstance(value, list) and value and isinstance(value[0], dict):
        return _bands_text(value)
    if isinstance(value, list):
        return "; ".join(str(v) for v in value)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False)
    return value


def _number(text: str) -> int | float | str:
    """A typed number as JSON has it (1, 0.5); what is not a number stays text."""
    try:
        value = Decimal(text.replace(",", ".").strip())
    except ArithmeticError:
        return text
    if not value.is_finite():
        return text
    return int(value) if value == value.to_integral_value() else float(value)


def _value_of(name: str, raw: Any) -> Any:
    """A parameter's cell as the document has it, by the parameter's schema."""
    schema = next((k.params[name] for k in rules.kinds() if name in k.params), {})
    kind = schema.get("type")
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, dt.datetime | dt.date):  # a date typed in Excel
        return (raw.date() if isinstance(raw, dt.datetime) else raw).isoformat()
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    text = str(raw).strip()
    typed = DAY_MONTH_YEAR.match(text)
    if schema.get("format") == "date" and typed:  # 31/01/2026
        day, month, year = (int(typed[i]) for i in (1, 2, 3))
        try:
            return dt.date(year, month, day).isoformat()
        except ValueError:
            return text
    if text.startswith(("[", "{")):
        try:
            return json.loads(text)
        except json.JSONDecodeError:
            return text
    if kind == "array":
        parts = [p.strip() for p in re.split(r"[;\n]", text) if p.strip()]
        if schema.get("items", {}).get("type") == "object":  # bands: "from: points"
            bands: list[Any] = []
            for part in parts:
                start, _colon, points = part.partition(":")
                given: Any = points.strip()
                if given not in ("full", "proportional", "zero"):
                    given = _number(given)
                bands.append({"from": _number(start.strip().rstrip("%")), "points": given})
            return bands
        return parts
    if kind in ("integer", "number"):
        return _number(text) if isinstance(raw, str) else raw
    return text


# ---------------------------------------------------------------- export


def index_set_workbook(index_set: IndexSet | None) -> bytes:
    """The set as a workbook (or, for None, the blank template to fill in)."""
    doc = export_index_set(index_set) if index_set is not None else None
    params = parameter_names()
    rows: list[list[Any]] = []

    def walk(nodes: list[dict[str, Any]]) -> None:
        for node in nodes:
            top = node.get("max_points")
            row = [node["code"], node["name"], Decimal(top) if top is not None else None]
            row.append(node.get("rule", ""))
            values = node.get("params", {})
            row += [_cell_of(values[p]) if p in values else None for p in params]
            rows.append(row)
            walk(node.get("items", []))

    walk(doc["items"] if doc else [])
    book, sheet = new_workbook()
    sheet.title = "Bộ chỉ số"
    title = (
        _("Index set %(name)s: one row per criterion or sub-criterion") % {"name": doc["name"]}
        if doc
        else _(
            "Index set: one row per criterion (no rule: a group) or sub-criterion (a rule and "
            "its parameters), as the decision's table lists them"
        )
    )
    header = [_heading(k) for k in NODE_COLUMNS] + params
    fill_sheet(sheet, title, header, rows, [10, 60, 12, 22, *[18] * len(params)], 2)
    kinds = DataValidation(
        type="list", formula1='"' + ",".join(k.name for k in rules.kinds()) + '"', allow_blank=True
    )
    last = max(len(rows) + 2, 200)
    kinds.add(f"D3:D{last}")
    sheet.add_data_validation(kinds)
    for (code,) in sheet.iter_rows(min_row=3, max_row=last, max_col=1):
        code.number_format = "@"  # 1.10 typed stays 1.10, not the number 1.1

    info = book.create_sheet("Thông tin")
    values = {key: doc.get(key) for key in INFO_FIELDS} if doc else {}
    info_rows = [[_heading(key), _info_cell(key, values.get(key))] for key in INFO_FIELDS]
    fill_sheet(info, _("The index set's own fields"), [_("Field"), _("Value")], info_rows, [40, 60])
    levels = DataValidation(type="list", formula1='"' + ",".join(Level.values) + '"')
    levels.add("B5")  # the level's row
    info.add_data_validation(levels)

    guide = book.create_sheet("Quy tắc")
    guide_rows = [
        [kind.name, str(kind.label), name, _said(spec), _allowed(spec)]
        for kind in rules.kinds()
        for name, spec in (kind.params.items() or [("", {})])
    ]
    fill_sheet(
        guide,
        _("The rules and their parameters"),
        [_("Rule"), _("Meaning"), _("Parameter"), _("What it says"), _("Values")],
        guide_rows,
        [22, 34, 18, 70, 30],
    )
    return to_bytes(book)


def _info_cell(key: str, value: Any) -> Any:
    if key == "groups" and isinstance(value, list):
        return "; ".join(f"{g['code']}: {g['from_pct']}" for g in value)
    if isinstance(value, bool):
        return "true" if value else "false"
    return value


def _said(spec: dict[str, Any]) -> str:
    """A parameter's description in the reader's language (the kinds mark them for it)."""
    return _(spec["description"]) if spec.get("description") else ""


def _allowed(spec: dict[str, Any]) -> str:
    if "enum" in spec:
        return ", ".join(str(v) for v in spec["enum"])
    if spec.get("type") == "array" and spec.get("items", {}).get("type") == "object":
        return "100: full; 80: proportional; 0: zero"
    if spec.get("type") == "array":
        return "1.2.1; 1.2.2"
    return str(spec.get("type", ""))


# ---------------------------------------------------------------- import


def document_from_workbook(data: bytes) -> tuple[dict[str, Any], dict[str, int]]:
    """The JSON document a filled workbook stands for, and the row of each node's path.

    Faults of the document itself (a wrong rule, a bad band) are left to the
    document's checks; here only what keeps it from being read is refused.
    """
    if len(data) > MAX_BYTES:
        raise TooLarge(_("An index-set workbook may be at most 2 MB."))
    if data[:2] != b"PK" or not zipfile.is_zipfile(io.BytesIO(data)):
        raise UnsupportedType(_("This is not an Excel workbook (.xlsx)."))
    try:
        unpacked = sum(m.file_size for m in zipfile.ZipFile(io.BytesIO(data)).infolist())
    except (zipfile.BadZipFile, OSError, ValueError):
        raise UnsupportedType(_("The file is damaged: it cannot be opened.")) from None
    if unpacked > MAX_UNPACKED:
        raise TooLarge(_("The file unpacks to more than 50 MB: it is no index set."))
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a damaged file
        raise UnsupportedType(_("The Excel file cannot be opened: %(e)s") % {"e": error}) from None
    try:
        sheets = {sheet.title: sheet for sheet in book.worksheets}
        main = sheets.get("Bộ chỉ số") or book.worksheets[0]
        table = [
            list(r)
            for _i, r in zip(range(MAX_ROWS + 5), main.iter_rows(values_only=True), strict=False)
        ]
        info = sheets.get("Thông tin")
        fields = [list(r) for r in info.iter_rows(values_only=True)] if info is not None else []
    except Exception as error:  # a damaged part shows only once it is read
        raise UnsupportedType(_("The Excel file cannot be opened: %(e)s") % {"e": error}) from None
    finally:
        book.close()
    doc = _info(fields)
    nodes, rows = _nodes(table)
    doc["items"] = nodes
    return doc, rows


def _key(cell: Any) -> str:
    """A heading's key: the word in brackets, or the cell itself."""
    text = str(cell or "").strip()
    found = re.search(r"\(([a-z_]+)\)\s*$", text)
    return found[1] if found else text


def _info(fields: list[list[Any]]) -> dict[str, Any]:
    doc: dict[str, Any] = {}
    for row in fields:
        if len(row) < 2 or _key(row[0]) not in INFO_FIELDS:
            continue
        key, value = _key(row[0]), row[1]
        text = "" if value is None else str(value).strip()
        if not text:
            continue  # left empty: the default (any year, no subtasks, the total capped)
        if key == "year":
            doc[key] = _year(value, text)
        elif key in ("include_subtasks", "cap_total"):
            folded = text.lower()
            doc[key] = True if folded in YES else False if folded in NO else text
        elif key == "groups":
            doc[key] = [
                {"code": code.strip(), "from_pct": _number(start.strip().rstrip("%"))}
                for code, _c, start in (p.partition(":") for p in text.split(";") if p.strip())
            ]
        else:
            doc[key] = text
    doc.setdefault("name", "")
    return doc


def _year(value: Any, text: str) -> Any:
    """A year cell: a number, or empty for any year (anything else left for the check)."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return int(value)
    if text.isdigit():
        return int(text)
    return text or None


def _nodes(table: list[list[Any]]) -> tuple[list[dict[str, Any]], dict[str, int]]:
    """The rows under the header as a tree, by their codes; each node's path -> its row."""
    header_at = next(
        (i for i, row in enumerate(table[:10]) if {"code", "rule"} <= {_key(c) for c in row}),
        None,
    )
    if header_at is None:
        message = _("No header row with the columns code and rule: use the template.")
        raise Invalid(message, {"file": message})
    columns = {_key(c): i for i, c in enumerate(table[header_at]) if _key(c)}
    if len(table) > MAX_ROWS + header_at + 1:
        raise Invalid(_("An index set has at most %(n)d rows.") % {"n": MAX_ROWS})
    params = [name for name in parameter_names() if name in columns]
    made: list[tuple[str, dict[str, Any], int]] = []  # (code, node, row)
    for offset, row in enumerate(table[header_at + 1 :], start=header_at + 2):

        def cell(key: str, row: list[Any] = row) -> Any:
            i = columns.get(key)
            return row[i] if i is not None and i < len(row) else None

        code = str(cell("code") or "").strip().rstrip(".")
        if isinstance(cell("code"), float):
            code = f"{cell('code')}".rstrip("0").rstrip(".")
        if not code and not cell("name"):
            continue
        node: dict[str, Any] = {"code": code, "name": str(cell("name") or "").strip()}
        top = cell("max_points")
        if top not in (None, ""):
            node["max_points"] = str(_number(str(top)))
        rule = str(cell("rule") or "").strip()
        if rule:
            node["rule"] = rule
            node["params"] = {
                name: _value_of(name, cell(name)) for name in params if cell(name) not in (None, "")
            }
        else:
            node["items"] = []
        made.append((code, node, offset))
    by_code = {code: node for code, node, _row in made if "items" in node}
    roots: list[dict[str, Any]] = []
    for code, node, _row in made:
        parent = _parent(code, by_code)
        (parent["items"] if parent is not None else roots).append(node)
    _check_rows(made)
    rows: dict[str, int] = {}
    row_of = {id(node): row for _code, node, row in made}

    def paths(nodes: list[dict[str, Any]], prefix: str) -> None:
        for i, node in enumerate(nodes):
            path = f"{prefix}[{i}]"
            rows[path] = row_of[id(node)]
            paths(node.get("items", []), f"{path}.items")

    paths(roots, "items")
    return roots, rows


def _check_rows(made: list[tuple[str, dict[str, Any], int]]) -> None:
    """What only the workbook's rows can get wrong, each named by its row: a code that is
    none, a row under a sub-criterion, a group with nothing under it."""
    leaves = {code for code, node, _row in made if "rule" in node}
    errors: dict[str, str] = {}
    for code, node, row in made:
        where = _("row %(row)s") % {"row": row}
        if not CODE.match(code):
            errors[where] = _(
                "“%(code)s” is not a code such as 1.2.1 (keep the code column as text)."
            ) % {"code": code}
            continue
        parts = code.split(".")
        above = next(
            (p for p in (".".join(parts[:n]) for n in range(len(parts) - 1, 0, -1)) if p in leaves),
            None,
        )
        if above is not None:
            errors[where] = _(
                "%(code)s lies under %(above)s, which has a rule: a row with items under it is a "
                "group (no rule)."
            ) % {"code": code, "above": above}
        elif "items" in node and not node["items"]:
            errors[where] = _(
                "%(code)s has no rule and nothing under it: give its rule, or its items below it."
            ) % {"code": code}
    if errors:
        first = next(iter(errors.items()))
        raise Invalid(
            _("The index set was not stored: %(first)s") % {"first": f"{first[0]}: {first[1]}"},
            errors,
        )


def _parent(code: str, groups: dict[str, dict[str, Any]]) -> dict[str, Any] | None:
    """The group whose code is the longest proper prefix of `code` (1.1 for 1.1.2)."""
    if not CODE.match(code):
        return None
    parts = code.split(".")
    for length in range(len(parts) - 1, 0, -1):
        found = groups.get(".".join(parts[:length]))
        if found is not None:
            return found
    return None


def by_row(errors: dict[str, str], rows: dict[str, int]) -> dict[str, str]:
    """A document's faults named by the workbook's rows ("row 7.params.bands")."""
    named: dict[str, str] = {}
    for path, message in errors.items():
        owner = max((p for p in rows if path.startswith(p)), key=len, default=None)
        if owner is None:
            named[path] = message
        else:
            rest = path[len(owner) :].lstrip(".")
            where = _("row %(row)s") % {"row": rows[owner]}
            named[f"{where}.{rest}" if rest else where] = message
    return named


def checked_workbook(data: bytes) -> dict[str, Any]:
    """The workbook's document, or its faults by row (nothing stored either way)."""
    doc, rows = document_from_workbook(data)
    errors = check_document(doc)
    if errors:
        named = by_row(errors, rows)
        first = next(iter(named.items()))
        raise Invalid(
            _("The index set was not stored: %(first)s") % {"first": f"{first[0]}: {first[1]}"},
            named,
        )
    return doc


def import_index_set_workbook(actor: Official, data: bytes) -> IndexSet:
    """Store a set from its filled workbook (administrators only): all or nothing, as a
    document is."""
    if not may_anywhere(actor, Action.MANAGE_ORGANISATION):
        raise NotAllowed(_("Only an administrator loads index sets."))
    return import_index_set(actor, checked_workbook(data))


def load_document(actor: Official, data: bytes, filename: str) -> IndexSet:
    """A set from a file: a workbook (.xlsx) or a JSON document, told apart by content."""
    if data[:2] == b"PK":
        return import_index_set_workbook(actor, data)
    if not may_anywhere(actor, Action.MANAGE_ORGANISATION):
        raise NotAllowed(_("Only an administrator loads index sets."))
    try:
        document = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
        message = _("%(file)s is neither an Excel workbook nor a JSON document: %(e)s") % {
            "file": filename,
            "e": exc,
        }
        raise Invalid(message, {"file": message}) from None
    return import_index_set(actor, document)
