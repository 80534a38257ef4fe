"""What a page shows of a part's rule kind, asked of the kind rather than its name."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django import template

from plans.rules import kind_of

register = template.Library()


def _kind(why: Mapping[str, Any]) -> Any:
    try:
        return kind_of(str(why.get("rule")))
    except KeyError:  # a snapshot of a kind no longer known
        return None


@register.filter
def outside_maximum(why: Mapping[str, Any]) -> bool:
    """Points added or taken away outside the maximum (a bonus, a penalty)."""
    kind = _kind(why)
    return kind is not None and not kind.counts_in_maximum


@register.filter
def maximum_mark(why: Mapping[str, Any]) -> str:
    """What stands before a part's maximum in a table heading: + a bonus, − a penalty, / a part."""
    kind = _kind(why)
    if kind is None or kind.counts_in_maximum:
        return "/ "
    return "−" if kind.sign < 0 else "+"
