"""What a periodic report says, as plain blocks that each writer lays out.

The page (and its PDF) and the .docx are written from the same blocks, so
they say the same thing with the same figures: a heading, a paragraph, a
list, a table of formatted cells, a picture. The letterhead and the
signature block are laid out by each writer from `Letterhead`, as an
administrative document is (Decree 30/2020/NĐ-CP): the issuing body and the
number on the left, the national motto and the place and date on the right;
the recipients on the left and the signature on the right.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import ClassVar

from django.template.defaultfilters import floatformat
from django.utils import formats
from django.utils.translation import gettext as _

from kit.chart_images import Image
from tasks.progress import Progress, state_labels
from tracker.reports.figures import Report, Row
from tracker.reports.frame import frame_of


@dataclass(frozen=True)
class Heading:
    kind: ClassVar[str] = "heading"
    text: str


@dataclass(frozen=True)
class Paragraph:
    kind: ClassVar[str] = "paragraph"
    text: str
    italic: bool = False
    lead_in: bool = False  # a sub-heading: kept on the page of what follows it


@dataclass(frozen=True)
class Bullets:
    kind: ClassVar[str] = "bullets"
    items: list[str]


@dataclass(frozen=True)
class Table:
    kind: ClassVar[str] = "table"
    columns: list[str]
    rows: list[list[str]]
    numeric: frozenset[int] = frozenset()  # the columns aligned right
    bold_rows: frozenset[int] = frozenset()  # e.g. a total
    wide: int = 0  # the column given the most room (a name, a title)


@dataclass(frozen=True)
class Picture:
    kind: ClassVar[str] = "picture"
    image: Image


Block = Heading | Paragraph | Bullets | Table | Picture


@dataclass
class Letterhead:
    superior: str  # the body above the issuer, abbreviated, upper case; may be empty
    issuer: list[str]  # the issuing body in full, one line each, upper case
    number: str  # "Số: ……/BC-UBND", the number left for the office to fill in
    motto: tuple[str, str]
    place_date: str  # "Lâm Đồng, ngày …… tháng …… năm 2026"
    kind: str  # "BÁO CÁO"
    title: str
    window: str
    recipients_title: str = ""
    recipients: list[str] = field(default_factory=list)
    signer_position: list[str] = field(default_factory=list)  # TM. …, KT. …, the title
    signer_name: str = ""


def count(value: int) -> str:
    return formats.number_format(value, 0, use_l10n=True, force_grouping=True)


def percent(value: Decimal | None, places: int = 1) -> str:
    """As the dashboards write it (their templates' floatformat, which rounds half up)."""
    return "–" if value is None else floatformat(value, places) + "%"


def points(value: Decimal | None) -> str:
    return "–" if value is None else formats.number_format(value, 2, use_l10n=True)


def day(value: dt.date | None) -> str:
    return "–" if value is None else formats.date_format(value, "SHORT_DATE_FORMAT")


def letterhead(report: Report) -> Letterhead:
    issuer = report.issuer
    period = report.period
    window = _("(Figures from %(start)s to %(end)s)") % {
        "start": day(period.start),
        "end": day(period.end),
    }
    if report.provisional:
        window = _("(Figures from %(start)s to %(end)s; the period is open: as of %(day)s)") % {
            "start": day(period.start),
            "end": day(period.end),
            "day": day(report.as_of),
        }
    frame = report.frame or frame_of(issuer)
    return Letterhead(
        superior=frame.superior,
        issuer=frame.issuer,
        number=_("No.: ……/BC-%(abbr)s") % {"abbr": frame.abbreviation},
        motto=(_("SOCIALIST REPUBLIC OF VIETNAM"), _("Independence - Freedom - Happiness")),
        place_date=_("%(place)s, day …… month …… year %(year)s")
        % {"place": frame.place or "……", "year": report.as_of.year},
        kind=_("REPORT"),
        title=_("Results of the administrative reform, %(period)s") % {"period": period.label},
        window=window,
        recipients_title=_("Recipients:"),
        recipients=frame.recipients,
        signer_position=frame.signer_position,
        signer_name=frame.signer_name,
    )


def status_columns(first: str) -> list[str]:
    states = state_labels()
    return [
        first,
        _("Tasks"),
        states["on_time"],
        states["late"],
        states["in_term"],
        states["overdue"],
        _("Done"),
        _("Done within the period"),
    ]


def status_cells(label: str, counts: Progress, in_window: int) -> list[str]:
    return [
        label,
        count(counts.total),
        count(counts.on_time),
        count(counts.late),
        count(counts.in_term),
        count(counts.overdue),
        percent(counts.done_pct),
        count(in_window),
    ]


def status_table(first: str, rows: list[Row], headline: Progress, in_window: int) -> Table:
    cells = [status_cells(row.label, row.counts, row.completed_in_window) for row in rows]
    cells.append(status_cells(_("Total"), headline, in_window))
    return Table(status_columns(first), cells, frozenset(range(1, 8)), frozenset({len(cells) - 1}))


def overview(report: Report) -> list[Block]:
    h = report.headline
    states = state_labels()
    items = [
        _("Tasks counted: %(n)s, of which %(due)s due by %(day)s.")
        % {"n": count(h.total), "due": count(h.due), "day": day(report.as_of)},
        f"{states['on_time']}: {count(h.on_time)}; {states['late']}: {count(h.late)}; "
        f"{states['in_term']}: {count(h.in_term)}; {states['overdue']}: {count(h.overdue)}.",
        _("Done: %(pct)s of the tasks.") % {"pct": percent(h.done_pct)},
        _("Done within the period (%(start)s to %(end)s): %(n)s tasks.")
        % {
            "start": day(report.period.start),
            "end": day(report.as_of),
            "n": count(report.completed_in_window),
        },
    ]
    for level in report.ranking:
        for row in level.rows:
            if report.unit is not None:
                items.append(
                    _(
                        "Leadership and direction score on %(day)s: %(points)s of %(max)s points, "
                        "index %(index)s, rank %(rank)s of %(n)s (%(level)s)."
                    )
                    % {
                        "day": day(report.score_day),
                        "points": points(row.points),
                        "max": points(row.applicable_max),
                        "index": percent(row.index_pct, 2),
                        "rank": row.rank or "–",
                        "n": level.units,
                        "level": level.label,
                    }
                )
    return [
        Heading(_("I. Direction and management of the administrative reform")),
        Bullets(items),
        *write_in(
            _(
                "Plans, directives and documents issued; inspection; communication; the "
                "unit's initiatives in the period."
            )
        ),
    ]


def write_in(what: str) -> list[Block]:
    """A part the unit writes itself in Word: what it covers, and room to write it."""
    return [Paragraph(what, italic=True), Paragraph("……………………………………………………………………")]


def progress_blocks(report: Report) -> list[Block]:
    blocks: list[Block] = [Heading(_("II. Results of the reform's tasks, area by area"))]
    blocks.append(Paragraph(_("1. Per area"), lead_in=True))
    blocks.append(
        status_table(_("Area"), report.areas, report.headline, report.completed_in_window)
    )
    blocks.append(Paragraph(_("2. Per lead unit"), lead_in=True))
    blocks.append(
        status_table(_("Lead unit"), report.units, report.headline, report.completed_in_window)
    )
    blocks += [Picture(image) for image in report.progress_charts]
    return blocks


def overdue_blocks(report: Report) -> list[Block]:
    blocks: list[Block] = [Paragraph(_("3. Overdue tasks"), lead_in=True)]
    if not report.overdue:
        return [
            *blocks,
            Paragraph(_("No task is overdue on %(day)s.") % {"day": day(report.as_of)}),
        ]
    rows = [
        [
            str(n),
            row.task.title,
            row.task.lead_unit.name,
            day(row.task.due_date),
            count(row.days),
        ]
        for n, row in enumerate(report.overdue, start=1)
    ]
    blocks.append(
        Table(
            [_("No."), _("Task"), _("Lead unit"), _("Deadline"), _("Days overdue")],
            rows,
            frozenset({0, 4}),
            wide=1,
        )
    )
    if report.overdue_more:
        blocks.append(
            Paragraph(
                _("And %(n)s more overdue tasks, listed on the plan's page.")
                % {"n": count(report.overdue_more)},
                italic=True,
            )
        )
    return blocks


def indicator_blocks(report: Report) -> list[Block]:
    blocks: list[Block] = [Paragraph(_("4. Indicators against their targets"), lead_in=True)]
    if not report.indicators:
        return [*blocks, Paragraph(_("This plan has no indicator."))]
    for n, figures in enumerate(report.indicators, start=1):
        blocks.append(Paragraph(f"4.{n}. {figures.indicator.name}", lead_in=True))
        if figures.unit is not None:
            u = figures.unit
            met = {True: _("met"), False: _("not met"), None: ""}[u.met]
            blocks.append(
                Paragraph(
                    _("This unit: %(actual)s, target %(target)s %(met)s")
                    % {
                        "actual": percent(u.actual_pct, 2)
                        if u.actual_pct is not None
                        else _("not reported"),
                        "target": percent(u.target_pct, 2),
                        "met": met,
                    }
                )
            )
        rows = [
            [
                x.level_label,
                percent(x.target_pct, 2),
                percent(x.actual_pct, 2) if x.actual_pct is not None else _("no report"),
                {True: _("met"), False: _("not met"), None: "–"}[x.met],
                count(x.units_meeting),
                count(x.units_reported),
                count(x.units_missing),
            ]
            for x in figures.levels
        ]
        blocks.append(
            Table(
                [
                    _("Level"),
                    _("Target"),
                    _("Actual"),
                    _("Met"),
                    _("Units meeting it"),
                    _("Units reported"),
                    _("Units missing"),
                ],
                rows,
                frozenset({1, 2, 4, 5, 6}),
            )
        )
    return blocks


def score_blocks(report: Report) -> list[Block]:
    title = report.score_label or _("Leadership and direction scores")
    blocks: list[Block] = [Paragraph(f"5. {title}", lead_in=True)]
    if report.score_day is None:
        return [
            *blocks,
            Paragraph(
                _("No roll-up of the scores on or before %(day)s.") % {"day": day(report.as_of)}
            ),
        ]
    blocks.append(
        Paragraph(_("From the roll-up of %(day)s.") % {"day": day(report.score_day)}, italic=True)
    )
    for level in report.ranking:
        blocks.append(Paragraph(level.label, lead_in=True))
        rows = [
            [
                str(row.rank) if row.rank is not None else "–",
                row.name,
                points(row.points),
                points(row.applicable_max),
                percent(row.index_pct, 2),
                row.group or "–",
            ]
            for row in level.rows
        ]
        blocks.append(
            Table(
                [
                    _("Rank"),
                    _("Unit"),
                    _("Points"),
                    _("Applicable maximum"),
                    _("Index"),
                    _("Group"),
                ],
                rows,
                frozenset({0, 2, 3, 4}),
                wide=1,
            )
        )
    blocks += [Picture(image) for image in report.score_charts]
    return blocks


def closing_blocks() -> list[Block]:
    """The outline's last parts, which only the unit can write: left headed, to fill in Word."""
    return [
        Heading(_("III. Assessment")),
        Paragraph(_("1. Strengths"), lead_in=True),
        *write_in(_("What went well in the period.")),
        Paragraph(_("2. Shortcomings and limits"), lead_in=True),
        *write_in(_("What was not done, or late, and where: the overdue tasks above.")),
        Paragraph(_("3. Causes"), lead_in=True),
        *write_in(_("Objective and subjective causes.")),
        Heading(_("IV. Tasks for the next period")),
        *write_in(_("The tasks ahead, from the plan's tasks still open.")),
        Heading(_("V. Proposals")),
        *write_in(_("What the unit asks of the bodies above it.")),
    ]


def blocks(report: Report) -> list[Block]:
    """The report's body in the Ministry's outline: the figures where they belong, and the
    parts the unit writes itself left headed."""
    return [
        *overview(report),
        *progress_blocks(report),
        *overdue_blocks(report),
        *indicator_blocks(report),
        *score_blocks(report),
        *closing_blocks(),
    ]
