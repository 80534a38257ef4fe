"""The group phrases an installation starts with (plans.UnitGroup): what appendices write
for several units at once. A province adds its own in the admin.

The migration that made the table stored these; `add_standard_phrases` stores
any that are missing again (the demo's loading calls it, so that a database
emptied and reloaded has them too).
"""

from __future__ import annotations

from typing import Any

from plans.models import UnitGroup

# (phrase, level): a level names every unit of that level under the plan's unit;
# "" names no unit until the group's units are listed, and is kept as text.
STANDARD_PHRASES: list[tuple[str, str]] = [
    ("các sở, ban, ngành", "department"),
    ("các sở, ban, ngành tỉnh", "department"),
    ("các sở, ban, ngành thuộc tỉnh", "department"),
    ("các cơ quan chuyên môn thuộc UBND tỉnh", "department"),
    ("các cơ quan chuyên môn", "department"),
    ("các cơ quan, đơn vị thuộc UBND tỉnh", "department"),
    ("UBND các xã, phường", "commune"),
    ("UBND các xã, phường, đặc khu", "commune"),
    ("UBND cấp xã", "commune"),
    ("các xã, phường", "commune"),
    ("UBND các huyện, thị xã, thành phố", "district"),
    ("UBND cấp huyện", "district"),
    ("các đơn vị sự nghiệp", ""),
    ("các cơ quan, đơn vị liên quan", ""),
    ("các cơ quan, đơn vị có liên quan", ""),
    ("các cơ quan liên quan", ""),
    ("các đơn vị liên quan", ""),
    ("các cơ quan, đơn vị, địa phương liên quan", ""),
]


def add_standard_phrases(model: Any = UnitGroup) -> None:
    """Store the standard phrases not stored yet (`model`: a migration's historical one)."""
    model.objects.bulk_create(
        [model(phrase=phrase, level=level) for phrase, level in STANDARD_PHRASES],
        ignore_conflicts=True,
    )
