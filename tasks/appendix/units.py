"""Unit phrases of an appendix: a unit's code or name, a group of units, or a vague phrase.

- A unit matches by its code or name, ignoring case, accents, punctuation and
  "Ủy ban nhân dân" written out for "UBND"; a name two units share is an
  error, not a guess.
- A group phrase ("các sở, ban, ngành", "UBND cấp xã": plans.UnitGroup, which
  a province extends in the admin) names every unit of its level under the
  plan's unit, and the units listed with it; a phrase naming no unit ("các
  cơ quan, đơn vị liên quan") is kept as text for the task's note.
- A cell lists units split on ";" and new lines, and on commas (or "và")
  only where what is left is a unit's name or a group's phrase: "Sở Văn
  hóa, Thể thao và Du lịch" stays whole.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from kit.text import fold
from plans.models import Plan, Unit, UnitGroup
from plans.unitplans import tree_of

_PUNCTUATION = re.compile(r"[,.;:()\-–/]+")


def key_of(text: str) -> str:
    """A unit's name or a group's phrase as compared: folded, without punctuation."""
    folded = fold(text).replace("uy ban nhan dan", "ubnd").replace("u ban nhan dan", "ubnd")
    return " ".join(_PUNCTUATION.sub(" ", folded).split())


@dataclass(frozen=True)
class Named:
    """What one phrase of a cell names: units (one, or a group's), or only text."""

    text: str
    units: tuple[Unit, ...] = ()
    group: bool = False

    @property
    def vague(self) -> bool:
        """A phrase naming no unit ("các cơ quan liên quan"): kept as text."""
        return not self.units


@dataclass
class Read:
    """A cell's phrases understood, and what could not be."""

    named: list[Named] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @property
    def units(self) -> list[Unit]:
        """Every unit named, once each, in the cell's order."""
        return list({u.pk: u for n in self.named for u in n.units}.values())

    @property
    def vague(self) -> list[str]:
        return [n.text for n in self.named if n.vague]


class Units:
    """The units and group phrases an appendix of `plan` may name (three queries)."""

    def __init__(self, plan: Plan) -> None:
        self.by_key: dict[str, Unit] = {}
        self.twice: set[str] = set()
        self.names: list[str] = []
        units = list(Unit.objects.all())
        for unit in units:
            for key in {fold(unit.code), key_of(unit.name)}:
                if key in self.by_key and self.by_key[key].pk != unit.pk:
                    self.twice.add(key)
                self.by_key[key] = unit
            self.names.append(unit.name)
        under = tree_of(plan.unit_id, ((u.pk, u.parent_id) for u in units))
        by_pk = {u.pk: u for u in units}
        self.groups: dict[str, tuple[Unit, ...]] = {}
        for group in UnitGroup.objects.prefetch_related("units"):
            members = {u.pk for u in group.units.all()}
            if group.level:
                members |= {pk for pk in under if by_pk[pk].level == group.level}
                members.discard(plan.unit_id)
            self.groups[key_of(group.phrase)] = tuple(
                sorted((by_pk[pk] for pk in members), key=lambda u: u.name)
            )

    def find(self, text: str) -> Unit | None:
        """The one unit of that code or name, or None."""
        for key in (fold(text), key_of(text)):
            if key in self.twice:
                return None
            if key in self.by_key:
                return self.by_key[key]
        return None

    def named(self, text: str) -> Named | None:
        """What a phrase names: a unit, a group (its units, maybe none), or None."""
        unit = self.find(text)
        if unit is not None:
            return Named(text, (unit,))
        members = self.groups.get(key_of(text))
        if members is not None:
            return Named(text, members, group=True)
        return None

    def read(self, text: str) -> Read:
        """Every phrase of a cell, each a unit, a group or text; the rest as errors."""
        read = Read()
        for piece in re.split(r"[;\n]", text):
            parts = [p.strip(" -•+*.") for p in piece.split(",")]
            parts = [p for p in parts if p]
            if not parts:
                continue
            runs = self._runs(parts)
            if all(named is None for _text, named in runs) and len(runs) > 1:
                # No part names anything: the piece is one name, misspelt.
                runs = [(", ".join(parts), None)]
            for run, named in runs:
                if named is not None:
                    read.named.append(named)
                    continue
                pieces = [self.named(p) for p in re.split(r"\s+(?:và|va)\s+", run) if p]
                if len(pieces) > 1 and all(n is not None for n in pieces):
                    read.named += [n for n in pieces if n is not None]
                else:
                    read.errors.append(self.not_found(run))
        return read

    def _runs(self, parts: Sequence[str]) -> list[tuple[str, Named | None]]:
        """The longest runs of comma-separated parts that name something, in order."""
        runs: list[tuple[str, Named | None]] = []
        start = 0
        while start < len(parts):
            for end in range(len(parts), start, -1):
                text = ", ".join(parts[start:end])
                named = self.named(text)
                if named is not None:
                    runs.append((text, named))
                    start = end
                    break
            else:
                runs.append((parts[start], None))
                start += 1
        return runs

    def not_found(self, text: str) -> str:
        if key_of(text) in self.twice or fold(text) in self.twice:
            return _("“%(text)s” names more than one unit: write its code.") % {"text": text}
        close = difflib.get_close_matches(
            fold(text), [fold(n) for n in self.names], n=3, cutoff=0.5
        )
        by_fold = {fold(n): n for n in self.names}
        if close:
            return _("No unit “%(text)s”; did you mean %(close)s?") % {
                "text": text,
                "close": ", ".join(f"“{by_fold[c]}”" for c in close),
            }
        return _("No unit “%(text)s”.") % {"text": text}
