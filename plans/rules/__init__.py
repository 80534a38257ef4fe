"""The scoring rule kinds, one class a module, registered by name when this package loads.

Every module of this package is imported here, so a new kind is one new file
(a subclass of `RuleKind` with a `name`) and its tests; the index-set
documents, the admin, the roll-up, the whys and `document_schema` find it in
the register.
"""

from __future__ import annotations

import importlib
import pkgutil
from typing import Any

from plans.rules.base import (
    Rule,
    RuleKind,
    Source,
    apply,
    check_params,
    entered_kinds,
    explain,
    kind_of,
    kinds,
    rule_choices,
)

for _module in pkgutil.iter_modules(__path__):
    importlib.import_module(f"{__name__}.{_module.name}")

__all__ = [
    "Rule",
    "RuleKind",
    "Source",
    "apply",
    "check_params",
    "document_schema",
    "entered_kinds",
    "explain",
    "kind_of",
    "kinds",
    "rule_choices",
]


def document_schema(levels: list[str], depth: int | None = None) -> dict[str, Any]:
    """JSON Schema of an index-set document, each sub-criterion's parameters by its rule.

    Generated from the registered kinds: what a province writes to load its
    own scoring decision. A set is a tree: its top-level items are groups
    (criteria), a group holds groups or sub-criteria to any depth. The import
    checks more than a schema can say (the bands cover 0 to 100% once, codes
    are unique), each fault in words; it also takes the two-level form
    (`criteria` of `subcriteria`).

    `depth`: groups nested this deep at most, written out with no reference
    (what an OpenAPI document embeds); by default one recursive definition.
    """
    text = {"type": "string", "minLength": 1, "maxLength": 300}
    code = {"type": "string", "pattern": r"^\d+(\.\d+)*$", "maxLength": 20}
    points = {"type": ["number", "string"], "description": "At most 100, two decimals."}
    leaves = [
        {
            "title": str(kind.label),
            "type": "object",
            "properties": {
                "code": code,
                "name": text,
                "max_points": points,
                "rule": {"const": kind.name},
                "params": kind.schema(),
            },
            "required": ["code", "name", "max_points", "rule"],
            "additionalProperties": False,
        }
        for kind in kinds()
    ]

    def group(items: dict[str, Any]) -> dict[str, Any]:
        return {
            "title": "Group",
            "description": "Its points are the sum of its items', capped by its maximum if given.",
            "type": "object",
            "properties": {
                "code": code,
                "name": text,
                "max_points": {**points, "description": "Optional: the group's cap."},
                "items": {"type": "array", "minItems": 1, "items": items},
            },
            "required": ["code", "name", "items"],
            "additionalProperties": False,
        }

    found: dict[str, Any] = {}
    if depth is None:
        found["$defs"] = {
            "group": group({"$ref": "#/$defs/node"}),
            "node": {"oneOf": [{"$ref": "#/$defs/group"}, *leaves]},
        }
        top: dict[str, Any] = {"$ref": "#/$defs/group"}
    else:
        top = group({"oneOf": leaves})
        for _level in range(depth):
            top = group({"oneOf": [top, *leaves]})
    return {
        "title": "Index set",
        "description": "A scoring decision's criteria for one unit level, of a year or of any.",
        "type": "object",
        **found,
        "properties": {
            "id": {"type": "integer", "description": "An export's own id; ignored on import."},
            "year": {
                "type": ["integer", "null"],
                "minimum": 2000,
                "maximum": 2100,
                "description": "Empty: the set serves any year's plan.",
            },
            "level": {"enum": ["", *levels]},
            "name": text,
            "label": {"type": "string", "maxLength": 300},
            "source_document": {"type": "string", "maxLength": 300},
            "include_subtasks": {"type": "boolean", "default": False},
            "cap_total": {
                "type": "boolean",
                "default": True,
                "description": "A unit's total never exceeds its applicable maximum.",
            },
            "groups": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {
                        "code": {"type": "string", "minLength": 1, "maxLength": 10},
                        "from_pct": {"type": "number", "minimum": 0, "maximum": 100},
                    },
                    "required": ["code", "from_pct"],
                    "additionalProperties": False,
                },
            },
            "items": {"type": "array", "minItems": 1, "items": top},
        },
        "required": ["name", "items"],
        "additionalProperties": False,
    }
