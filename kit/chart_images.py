"""The report's charts as images: plain data in, PNG bytes out; no requests, no ORM.

The pages draw their charts in the browser (kit.charts, plotly); a report
sent as .docx or PDF needs them as pictures, drawn here with matplotlib's
object API (no pyplot, no global state: safe in a web worker's threads).
They keep the pages' colours and hatching, so that they still read when
printed in grey, and the numbers follow the active language (89,65).
"""

from __future__ import annotations

import base64
import io
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from django.utils import formats
from django.utils.translation import gettext as _

if TYPE_CHECKING:
    from matplotlib.figure import Figure

from kit.charts import HATCH_INK, LABEL_CHARS, SCORE_COLOUR, STATE_STYLE

DPI = 150
WIDTH = 6.3  # inches: the text width of an A4 page with the margins of an official document
FONT = "DejaVu Sans"  # ships with matplotlib and carries every Vietnamese letter


@dataclass(frozen=True)
class Image:
    """A chart: its title (the caption under it) and its PNG, with its size in inches."""

    title: str
    png: bytes
    width: float
    height: float

    @property
    def data_uri(self) -> str:
        return "data:image/png;base64," + base64.b64encode(self.png).decode("ascii")


def short(label: str) -> str:
    return label if len(label) <= LABEL_CHARS else label[: LABEL_CHARS - 1] + "…"


def number(value: Decimal | float, places: int = 1) -> str:
    return formats.number_format(value, places, use_l10n=True)


def _png(figure: Figure, title: str) -> Image:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=DPI, bbox_inches="tight", facecolor="white")
    width, height = figure.get_size_inches()
    return Image(title, buffer.getvalue(), float(width), float(height))


def _figure(rows: int) -> Figure:
    from matplotlib.figure import Figure  # loaded by the first report, not by every page

    figure = Figure(figsize=(WIDTH, 1.0 + 0.32 * max(rows, 1)), layout="constrained")
    figure.set_facecolor("white")
    return figure


def progress_bars(
    title: str, bars: Sequence[tuple[str, dict[str, int]]], state_names: dict[str, str]
) -> Image:
    """Stacked horizontal bars: each row's share of tasks in each state, top row first."""
    figure = _figure(len(bars) + 2)
    axes = figure.add_subplot()
    names = [short(label) for label, _counts in bars]
    positions = list(range(len(bars)))[::-1]
    left = [0.0] * len(bars)
    for state, (colour, hatch) in STATE_STYLE.items():
        shares = [
            100 * counts.get(state, 0) / total if (total := sum(counts.values())) else 0.0
            for _label, counts in bars
        ]
        axes.barh(
            positions,
            shares,
            left=left,
            color=colour,
            hatch=hatch * 3 if hatch else None,
            edgecolor=HATCH_INK.get(state, colour),
            linewidth=0,
            label=state_names[state],
            height=0.7,
        )
        left = [a + b for a, b in zip(left, shares, strict=True)]
    axes.set_yticks(positions, names, fontsize=8, fontfamily=FONT)
    axes.set_xlim(0, 100)
    axes.set_xticks(range(0, 101, 20), [f"{n}%" for n in range(0, 101, 20)], fontsize=8)
    axes.spines[["top", "right"]].set_visible(False)
    figure.legend(
        loc="outside lower center", ncols=2, fontsize=8, frameon=False, prop={"family": FONT}
    )
    return _png(figure, title)


def index_bars(ends: int, title: str, rows: Sequence[tuple[str, Decimal]]) -> Image:
    """Horizontal bars of units' index (%), in the order given (ranked), the first on top.

    Over 2 × `ends` units, the top and bottom `ends` are drawn and the title says so.
    """
    shown = list(rows)
    if len(shown) > 2 * ends:
        shown = shown[:ends] + shown[-ends:]
        title = _("%(title)s: the first and last %(n)s of %(all)s") % {
            "title": title,
            "n": ends,
            "all": len(rows),
        }
    figure = _figure(len(shown))
    axes = figure.add_subplot()
    positions = list(range(len(shown)))[::-1]
    values = [float(value) for _name, value in shown]
    axes.barh(positions, values, color=SCORE_COLOUR, height=0.7)
    for y, value in zip(positions, values, strict=True):
        axes.text(value + 1, y, number(value), va="center", fontsize=7, fontfamily=FONT)
    axes.set_yticks(positions, [short(name) for name, _value in shown], fontsize=8, fontfamily=FONT)
    axes.set_xlim(0, 110)
    axes.set_xticks(range(0, 101, 20), [f"{n}%" for n in range(0, 101, 20)], fontsize=8)
    axes.spines[["top", "right"]].set_visible(False)
    return _png(figure, title)
