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


def document_schema(levels: list[str]) -> dict[str, Any]:
    """JSON Schema of an index-set document, each sub-criterion's parameters by its rule.

    Generated from the registered kinds: what a province writes to load its
    own scoring decision. The import checks more than a schema can say (the
    bands cover 0 to 100% once, codes are unique), each fault in words.
    """
    text = {"type": "string", "minLength": 1, "maxLength": 300}
    code = {"type": "string", "pattern": r"^\d+(\.\d+)*$", "maxLength": 20}
    subcriteria = [
        {
            "title": str(kind.label),
            "type": "object",
            "properties": {
                "code": code,
                "name": text,
                "max_points": {
                    "type": ["number", "string"],
                    "description": "At most 100, two decimals.",
                },
                "rule": {"const": kind.name},
                "params": kind.schema(),
            },
            "required": ["code", "name", "max_points", "rule"],
            "additionalProperties": False,
        }
        for kind in kinds()
    ]
    return {
        "title": "Index set",
        "description": "A scoring decision's criteria for one unit level and year.",
        "type": "object",
        "properties": {
            "id": {"type": "integer", "description": "An export's own id; ignored on import."},
            "year": {"type": "integer", "minimum": 2000, "maximum": 2100},
            "level": {"enum": ["", *levels]},
            "name": text,
            "label": {"type": "string", "maxLength": 300},
            "source_document": {"type": "string", "maxLength": 300},
            "include_subtasks": {"type": "boolean", "default": False},
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
            "criteria": {
                "type": "array",
                "minItems": 1,
                "items": {
                    "type": "object",
                    "properties": {
                        "code": code,
                        "name": text,
                        "subcriteria": {
                            "type": "array",
                            "minItems": 1,
                            "items": {"oneOf": subcriteria},
                        },
                    },
                    "required": ["code", "name", "subcriteria"],
                    "additionalProperties": False,
                },
            },
        },
        "required": ["year", "name", "criteria"],
        "additionalProperties": False,
    }
