"""The arithmetic every scoring rule kind shares: counts in, points, totals, ranks, groups.

The kinds themselves (their parameters, points and whys) are classes of
plans.rules (docs/scoring.md). Nothing here touches the database: the roll-up
counts the tasks in one query and hands the counts to the kinds.

- Points are kept to two decimals, rounded half up, per sub-criterion; a total
  is the sum of the rounded parts.
- A "why" is a small JSON-ready dict (the rule, the counts, the band used), so
  that a snapshot stays readable in any language long after it was computed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Hashable, Iterable, Mapping
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Any, NamedTuple, Protocol, TypeVar

from django.utils.translation import gettext as _

CENT = Decimal("0.01")

# Which tasks a rule over tasks counts: those tagged with its code, or every task the unit leads.
TAGGED = "tagged"
ALL_TASKS = "all"


class Counts(NamedTuple):
    """One unit's tasks for one sub-criterion, cancelled tasks left out.

    - due: tasks whose current deadline is on or before the as-of date;
    - accepted: of those, accepted (done) on or before the as-of date;
    - on_time: of those, accepted on or before their own (extended) deadline.

    A named tuple: the roll-up makes one per unit and tag, 20,000 for a province.
    """

    due: int = 0
    accepted: int = 0
    on_time: int = 0

    @classmethod
    def total(cls, parts: Iterable[Counts]) -> Counts:
        """The sum of several counts (a unit's tasks whatever their tag)."""
        due = accepted = on_time = 0
        for part in parts:
            due += part[0]
            accepted += part[1]
            on_time += part[2]
        return cls(due, accepted, on_time)


class ManualEntry(NamedTuple):
    """The latest entry of an appraiser for a unit and an entered sub-criterion."""

    points: Decimal
    justification: str
    entered_by: str
    entered_at: dt.datetime
    not_applicable: bool = False


class Figure(NamedTuple):
    """A unit's latest reported figure of an indicator, with its level's target."""

    numerator: int
    denominator: int
    period_end: dt.date


class Score(NamedTuple):
    """A sub-criterion's points for a unit, and why.

    - points: what it adds to the unit's total (taken away, for a penalty);
    - applicable: False when there is nothing to judge: it scores nothing
      and leaves the unit's maximum ("không áp dụng").
    """

    points: Decimal
    why: dict[str, Any]
    applicable: bool = True


def code_key(code: str) -> tuple[int, ...]:
    """1.10 after 1.9: codes sort by their numbers."""
    return tuple(int(part) for part in code.split(".") if part.isdigit())


def round_points(value: Decimal | Fraction | int) -> Decimal:
    """Two decimals, half up (2.345 -> 2.35), whatever exact number comes in."""
    if isinstance(value, Fraction):
        value = Decimal(value.numerator) / Decimal(value.denominator)
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def half_up(numerator: int, denominator: int) -> Decimal:
    """numerator / denominator to two decimals, half up, in integers (both >= 0)."""
    return Decimal((numerator * 200 + denominator) // (2 * denominator)).scaleb(-2)


def cents(value: Decimal) -> int:
    """A value of two decimals (points, a percentage) in hundredths, exactly."""
    return int(Decimal(value).scaleb(2).to_integral_value(rounding=ROUND_HALF_UP))


# ---------------------------------------------------------------- totals, index, rank, group


class Total(NamedTuple):
    """A unit's total over its parts: points, applicable maximum, index."""

    points: Decimal
    applicable_max: Decimal
    index_pct: Decimal | None


class Weighed(Protocol):
    """What a total needs of a rule: its maximum, and whether that counts in the unit's."""

    @property
    def max_points(self) -> Decimal: ...

    @property
    def counts_in_maximum(self) -> bool: ...


def total(parts: Iterable[tuple[Weighed, Score]]) -> Total:
    """The sum of the rounded parts (never below zero) over the maximum of those that apply.

    Bonus and penalty points count in the sum, not in the maximum. The index
    is the total over the applicable maximum, as a percentage with two
    decimals; None when nothing applies.
    """
    points = applicable_max = 0
    for rule, score in parts:
        points += cents(score.points)
        if score.applicable and rule.counts_in_maximum:
            applicable_max += cents(rule.max_points)
    return total_of(points, applicable_max)


def total_of(points: int, applicable_max: int) -> Total:
    """A total from its sums in hundredths of a point (the roll-up adds them as integers)."""
    points = max(points, 0)
    index = half_up(points * 100, applicable_max) if applicable_max > 0 else None
    return Total(Decimal(points).scaleb(-2), Decimal(applicable_max).scaleb(-2), index)


def group_of(index_pct: Decimal | None, groups: list[dict[str, Any]]) -> str:
    """The group whose band the index falls in (the highest start at or below it), or ""."""
    return group_in(index_pct, ordered_groups(groups))


def ordered_groups(groups: list[dict[str, Any]]) -> tuple[tuple[Decimal, str], ...]:
    """(start, code) of each group, highest first: what group_in reads."""
    return tuple(
        sorted(
            ((Decimal(str(g["from_pct"])), str(g["code"])) for g in groups),
            reverse=True,
        )
    )


def group_in(index_pct: Decimal | None, ordered: tuple[tuple[Decimal, str], ...]) -> str:
    if index_pct is None:
        return ""
    return next((code for start, code in ordered if index_pct >= start), "")


K = TypeVar("K", bound=Hashable)


def competition_ranks(points: Mapping[K, Decimal | None]) -> dict[K, int | None]:
    """1-based ranks, highest first; ties share a rank and the next is skipped (1, 1, 3).

    A unit without an index (nothing applicable) has no rank.
    """
    ordered = sorted((v for v in points.values() if v is not None), reverse=True)
    first: dict[Decimal, int] = {}
    for position, value in enumerate(ordered, start=1):
        first.setdefault(value, position)
    return {key: first[value] if value is not None else None for key, value in points.items()}


def check_groups(groups: Any) -> str | None:
    """Why a group list is unusable; groups are [{"code": "A", "from_pct": 90}, ...]."""
    if not isinstance(groups, list):
        return _('Groups are a list of {"code": "A", "from_pct": 90}.')
    codes, starts = set(), set()
    for group in groups:
        if not isinstance(group, dict) or set(group) != {"code", "from_pct"}:
            return _('Each group is {"code": "A", "from_pct": 90}.')
        code, start = group["code"], group["from_pct"]
        value = number_in(start)
        if not isinstance(code, str) or not code.strip() or len(code) > 10:
            return _("A group has a short code, such as A.")
        if value is None or not 0 <= value <= 100:
            return _("Group %(code)s starts at a percent between 0 and 100.") % {"code": code}
        if code in codes or value in starts:
            return _("Group %(code)s repeats another group's code or start.") % {"code": code}
        codes.add(code)
        starts.add(value)
    return None


def number_in(value: Any) -> Decimal | None:
    """A finite number from a document's value (a JSON number or text of one, never true or
    false), or None: what every check of an index set reads numbers with."""
    if isinstance(value, bool) or not isinstance(value, int | float | str | Decimal):
        return None
    try:
        number = Decimal(str(value))
    except (ArithmeticError, ValueError):
        return None
    return number if number.is_finite() else None


# ---------------------------------------------------------------- groups of a set


class GroupNode(NamedTuple):
    """A group of an index set as its subtotal is added up.

    - cap: its own maximum in hundredths, or None (the sum of its items');
    - items: the codes of the sub-criteria directly in it;
    - groups: the positions of the groups directly in it (earlier in the tree's
      nodes: a group comes after the groups in it).
    """

    code: str
    cap: int | None
    items: tuple[str, ...]
    groups: tuple[int, ...]


class Tree(NamedTuple):
    """An index set's groups in post-order, its top groups, and whether its total is capped."""

    nodes: tuple[GroupNode, ...]
    roots: tuple[int, ...]
    cap_total: bool = True


class Subtotal(NamedTuple):
    """A group's points and applicable maximum in hundredths; capped when its cap cut it."""

    points: int
    top: int
    applicable: bool
    capped: bool


def subtotals(
    tree: Tree, leaves: Mapping[str, tuple[int, int, bool]]
) -> tuple[list[Subtotal], int, int]:
    """Each group's subtotal, and the total's points and applicable maximum (hundredths).

    `leaves`: per sub-criterion code, (points, share of the maximum when it
    applies, applicable), in hundredths. A group adds its items up and is
    capped by its own maximum when it has one; the total is the top groups'
    sum, capped at its applicable maximum unless the set says otherwise (a
    bonus recovers lost points, never more). A sub-criterion under no group
    counts in the total as it is.
    """
    found: list[Subtotal] = []
    for node in tree.nodes:
        items = [leaves[code] for code in node.items if code in leaves]
        inner = [found[i] for i in node.groups]
        points = sum(p for p, _top, _on in items) + sum(s.points for s in inner)
        top = sum(t for _p, t, _on in items) + sum(s.top for s in inner)
        applicable = any(on for _p, _t, on in items) or any(s.applicable for s in inner)
        capped = node.cap is not None and points > node.cap
        if node.cap is not None:
            points, top = min(points, node.cap), min(top, node.cap)
        found.append(Subtotal(points, top, applicable, capped))
    grouped = {code for node in tree.nodes for code in node.items}
    loose = [value for code, value in leaves.items() if code not in grouped]
    points = sum(found[i].points for i in tree.roots) + sum(p for p, _t, _on in loose)
    top = sum(found[i].top for i in tree.roots) + sum(t for _p, t, _on in loose)
    if tree.cap_total:
        points = min(points, top)
    return found, points, top
