"""The dashboards' charts: plain data in, a plotly Figure out; no requests, no ORM.

- Each figure carries only what it draws (no template, no extra columns).
- Text arrives translated; numbers follow the page's language through
  `separators` (Vietnamese 89,65; English 89.65).
- The four task states differ in lightness and in hatching as well as in
  colour, so that they still read when printed in grey.
- A bar that leads somewhere carries its address in customdata; the page's
  script opens it on click.
- plotly draws a subset of HTML found in labels and hovers (links, styles):
  every name that comes from the data goes through `text()` first.
"""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import plotly.graph_objects as go
from django.utils.translation import get_language

# state -> (colour, hatching): dark solid, light hatched, light solid, dark cross-hatched.
STATE_STYLE = {
    "on_time": ("#1b6e3a", ""),
    "late": ("#9ccf8f", "/"),
    "in_term": ("#d4d4d4", ""),
    "overdue": ("#b2182b", "x"),
}
HATCH_INK = {"late": "#1d2733", "overdue": "#ffffff"}  # dark lines on light, light on dark
LABEL_CHARS = 48
STATES = list(STATE_STYLE)
SCORE_COLOUR = "#2b5c8a"
TARGET_COLOUR = "#111111"
LEVEL_COLOURS = ["#2b5c8a", "#c46a1b", "#6b3d8f", "#4d4d4d"]
BAR_HEIGHT = 26


@dataclass(frozen=True)
class Bar:
    """One bar of a stacked progress chart: its label, its link and its counts per state."""

    label: str
    url: str
    counts: dict[str, int]  # state -> number of tasks

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def separators() -> str:
    """plotly's decimal and thousands separators for the active language."""
    return ",." if (get_language() or "vi").startswith("vi") else ".,"


def figure(name: str, chart: go.Figure) -> dict[str, Any]:
    """A chart for a page: its id, its figure, and its height to reserve before it is drawn."""
    return {"id": f"figure-{name}", "figure": chart.to_plotly_json(), "height": chart.layout.height}


def _bare(figure: go.Figure) -> go.Figure:
    """Drop the template plotly.py fills in as traces are added: plotly.js has its own defaults."""
    figure.layout.template = None
    return figure


def _layout(separators: str, height: int, **extra: object) -> go.Layout:
    return go.Layout(
        template=go.layout.Template(),
        separators=separators,
        height=height,
        # The right margin holds half of the last tick label ("100%").
        margin={"l": 10, "r": 24, "t": 40, "b": 30},
        font={"family": "system-ui, sans-serif", "size": 13, "color": "#222"},
        paper_bgcolor="white",
        plot_bgcolor="white",
        hoverlabel={"bgcolor": "white"},
        legend={
            "orientation": "h",
            "x": 0,
            "y": 1,
            "yanchor": "bottom",
            "traceorder": "normal",
        },
        **extra,
    )


def axis(title: str = "", **extra: Any) -> dict[str, object]:
    """An axis whose tick labels and title fit: the margin grows to hold them, apart."""
    shown: dict[str, object] = {"automargin": True, **extra}
    if title:
        shown["title"] = {"text": title, "standoff": 10}
    return shown


# 0% to 100% every 20 (a range reaching past 100 leaves room for labels, not ticks).
PERCENT_TICKS: dict[str, Any] = {"tickmode": "linear", "tick0": 0, "dtick": 20, "ticksuffix": "%"}


def text(label: str) -> str:
    """A name as plain text in a chart: its <, > and & shown, never read as markup."""
    return html.escape(label, quote=False)


def short(label: str) -> str:
    """A label cut to fit beside a bar; the hover text carries it whole."""
    return label if len(label) <= LABEL_CHARS else label[: LABEL_CHARS - 1].rstrip() + "…"


def progress_bars(
    bars: Sequence[Bar], state_labels: dict[str, str], separators: str, axis_title: str
) -> go.Figure:
    """Stacked horizontal bars: each bar's tasks split into the four states, in percent."""
    labels = [text(short(b.label)) for b in bars]
    figure = go.Figure(
        layout=_layout(
            separators,
            BAR_HEIGHT * len(bars) + 100,
            barmode="stack",
            xaxis=axis(axis_title, range=[0, 100], **PERCENT_TICKS),
            yaxis=axis(autorange="reversed"),
        )
    )
    for state in STATES:
        colour, hatch = STATE_STYLE[state]
        counts = [b.counts.get(state, 0) for b in bars]
        shares = [
            round(100 * n / b.total, 1) if b.total else 0 for n, b in zip(counts, bars, strict=True)
        ]
        figure.add_trace(
            go.Bar(
                name=state_labels[state],
                orientation="h",
                y=labels,
                x=shares,
                customdata=[[b.url, n, text(b.label)] for b, n in zip(bars, counts, strict=True)],
                marker={
                    "color": colour,
                    "line": {"color": "#333", "width": 0.5},
                    "pattern": {
                        "shape": hatch,
                        "fgcolor": HATCH_INK.get(state, "#000"),
                        "fillmode": "overlay",
                        "size": 7,
                    },
                },
                hovertemplate="%{customdata[2]}<br>"
                + state_labels[state]
                + ": %{customdata[1]} (%{x:.1f}%)<extra></extra>",
            )
        )
    return _bare(figure)


def ranking_bars(
    rows: Sequence[tuple[str, str, Decimal | None, int | None]],
    separators: str,
    axis_title: str,
    rank_label: str,
) -> go.Figure:
    """Units of one level by index (%), best first: (label, url, index, rank) per unit."""
    figure = go.Figure(
        layout=_layout(
            separators,
            BAR_HEIGHT * len(rows) + 70,
            xaxis=axis(axis_title, range=[0, 115], **PERCENT_TICKS),
            yaxis=axis(autorange="reversed"),
            showlegend=False,
        )
    )
    figure.add_trace(
        go.Bar(
            orientation="h",
            y=[f"{rank}. {text(short(label))}" for label, _url, _points, rank in rows],
            x=[float(index or 0) for _label, _url, index, _rank in rows],
            customdata=[[url, rank] for _label, url, _index, rank in rows],
            marker={"color": SCORE_COLOUR},
            texttemplate="%{x:.2f}%",
            textposition="outside",
            cliponaxis=False,
            hovertemplate="%{y}<br>" + rank_label + ": %{customdata[1]} · %{x:.2f}%<extra></extra>",
        )
    )
    return _bare(figure)


def indicator_bars(
    levels: Sequence[tuple[str, Decimal | None, Decimal | None]],
    separators: str,
    actual_label: str,
    target_label: str,
) -> go.Figure:
    """Each level's figure against its target: (level label, actual %, target %)."""
    shown = [(label, actual, target) for label, actual, target in levels]
    figure = go.Figure(
        layout=_layout(
            separators,
            230,
            # Room above 100 for a full bar's label.
            yaxis=axis(range=[0, 115], **PERCENT_TICKS),
            xaxis=axis(type="category"),
        )
    )
    figure.add_trace(
        go.Bar(
            name=actual_label,
            x=[text(label) for label, _a, _t in shown],
            y=[float(a) if a is not None else None for _l, a, _t in shown],
            marker={"color": SCORE_COLOUR},
            texttemplate="%{y:.1f}%",
            textposition="outside",
            cliponaxis=False,
            hovertemplate="%{x}: %{y:.2f}%<extra>" + actual_label + "</extra>",
        )
    )
    figure.add_trace(
        go.Scatter(
            name=target_label,
            mode="markers",
            x=[text(label) for label, _a, _t in shown],
            y=[float(t) if t is not None else None for _l, _a, t in shown],
            marker={"symbol": "line-ew-open", "size": 40, "line": {"width": 3}},
            marker_color=TARGET_COLOUR,
            hovertemplate="%{x}: %{y:.2f}%<extra>" + target_label + "</extra>",
        )
    )
    return _bare(figure)


def trend_lines(
    days: Sequence[dt.date],
    completion: Sequence[Decimal | None],
    scores: dict[str, Sequence[Decimal | None]],
    separators: str,
    completion_label: str,
    score_title: str,
    max_points: Decimal,
) -> go.Figure:
    """Completion (left axis, %) and each level's average index (right axis) per day."""
    figure = go.Figure(
        layout=_layout(
            separators,
            300,
            xaxis=axis(type="date", tickformat="%d/%m/%Y"),
            yaxis=axis(completion_label, range=[0, 105], **PERCENT_TICKS),
            yaxis2=axis(
                score_title,
                range=[0, float(max_points) * 1.05],
                ticksuffix="%",
                overlaying="y",
                side="right",
                showgrid=False,
            ),
        )
    )
    x = [d.isoformat() for d in days]
    figure.add_trace(
        go.Scatter(
            name=completion_label,
            x=x,
            y=[float(v) if v is not None else None for v in completion],
            mode="lines+markers",
            line={"color": STATE_STYLE["on_time"][0], "width": 3},
            hovertemplate="%{x|%d/%m/%Y}: %{y:.1f}%<extra></extra>",
        )
    )
    for i, (label, values) in enumerate(scores.items()):
        figure.add_trace(
            go.Scatter(
                name=text(label),
                x=x,
                y=[float(v) if v is not None else None for v in values],
                yaxis="y2",
                mode="lines+markers",
                line={"color": LEVEL_COLOURS[i % len(LEVEL_COLOURS)], "dash": "dot"},
                hovertemplate="%{x|%d/%m/%Y}: %{y:.2f}%<extra>" + text(label) + "</extra>",
            )
        )
    return _bare(figure)


def self_and_appraised(
    rows: Sequence[tuple[str, str, Decimal | None, Decimal | None]],
    separators: str,
    self_label: str,
    appraised_label: str,
    axis_title: str,
) -> go.Figure:
    """Per unit, its self-assessed index beside the council's: (label, url, self, appraised)."""
    labels = [text(short(label)) for label, _url, _s, _a in rows]
    figure = go.Figure(
        layout=_layout(
            separators,
            2 * BAR_HEIGHT * len(rows) + 110,
            barmode="group",
            xaxis=axis(axis_title, range=[0, 115], **PERCENT_TICKS),
            yaxis=axis(autorange="reversed"),
        )
    )
    for name, colour, pick in (
        (self_label, LEVEL_COLOURS[1], 2),
        (appraised_label, SCORE_COLOUR, 3),
    ):
        figure.add_trace(
            go.Bar(
                name=name,
                orientation="h",
                y=labels,
                x=[float(row[pick] or 0) for row in rows],
                customdata=[[url, text(label)] for label, url, _s, _a in rows],
                marker={"color": colour},
                texttemplate="%{x:.2f}%",
                textposition="outside",
                cliponaxis=False,
                hovertemplate="%{customdata[1]}<br>" + name + ": %{x:.2f}%<extra></extra>",
            )
        )
    return _bare(figure)
