"""What a reminder or an inbox message says, in the active language.

Messages are kept as a kind and its data (the task's title and the dates as
they were when it was sent) and written out when read, so that a reader of
the English interface reads English.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

BEFORE = "due-"
OVERDUE = "overdue+"
REVIEW = "review+"
ESCALATE_HEAD = "escalate-head"
ESCALATE_COMMITTEE = "escalate-committee"

# What another feature's messages say (the annual assessment's reminders): each answers
# the sentence for a kind it knows, or None.
Wording = Callable[[str, dict[str, Any]], str | None]
_WORDINGS: list[Wording] = []


def register_wording(wording: Wording) -> None:
    """Add a feature's wording of its own kinds (once, at start-up: an AppConfig's ready)."""
    if wording not in _WORDINGS:
        _WORDINGS.append(wording)


def day(value: str | None) -> str:
    """An ISO date from the data as dd/mm/yyyy."""
    return dt.date.fromisoformat(value).strftime("%d/%m/%Y") if value else ""


def describe(kind: str, data: dict[str, Any]) -> str:  # noqa: C901 (one branch per message kind)
    """One sentence for one message."""
    for wording in _WORDINGS:
        text = wording(kind, data)
        if text is not None:
            return text
    values = {
        "title": data.get("title", ""),
        "days": int(data.get("days", 0)),
        "due": day(data.get("due")),
        "unit": data.get("unit", ""),
        "actor": data.get("actor", ""),
        "comment": data.get("comment", ""),
        "new_due": day(data.get("new_due")),
        "submitted": day(data.get("submitted")),
    }
    days = values["days"]
    if kind.startswith(BEFORE):
        if days <= 0:
            return _("“%(title)s” is due today (%(due)s).") % values
        return (
            ngettext(
                "“%(title)s” is due in %(days)d day, on %(due)s.",
                "“%(title)s” is due in %(days)d days, on %(due)s.",
                days,
            )
            % values
        )
    if kind.startswith(OVERDUE):
        return (
            ngettext(
                "“%(title)s” is %(days)d day overdue (deadline %(due)s).",
                "“%(title)s” is %(days)d days overdue (deadline %(due)s).",
                days,
            )
            % values
        )
    if kind == ESCALATE_HEAD:
        return (
            ngettext(
                "“%(title)s”, led by your unit, is %(days)d day overdue (deadline %(due)s).",
                "“%(title)s”, led by your unit, is %(days)d days overdue (deadline %(due)s).",
                days,
            )
            % values
        )
    if kind == ESCALATE_COMMITTEE:
        return (
            ngettext(
                "“%(title)s”, led by %(unit)s, is %(days)d day overdue (deadline %(due)s).",
                "“%(title)s”, led by %(unit)s, is %(days)d days overdue (deadline %(due)s).",
                days,
            )
            % values
        )
    if kind.startswith(REVIEW):
        return (
            ngettext(
                "“%(title)s” has waited %(days)d day for your review (submitted %(submitted)s).",
                "“%(title)s” has waited %(days)d days for your review (submitted %(submitted)s).",
                days,
            )
            % values
        )
    if kind == "assigned":
        if data.get("as_head"):
            return _("Your unit leads a new task: “%(title)s” (deadline %(due)s).") % values
        return _("%(actor)s assigned “%(title)s” to you (deadline %(due)s).") % values
    if kind == "submitted":
        return _("%(actor)s submitted “%(title)s” for your review.") % values
    if kind == "returned":
        return _("%(actor)s returned “%(title)s”: %(comment)s") % values
    if kind == "accepted":
        return _("%(actor)s accepted “%(title)s”.") % values
    if kind == "extension_requested":
        return (
            _("%(actor)s asks to move the deadline of “%(title)s” from %(due)s to %(new_due)s.")
            % values
        )
    if kind == "extension_decided":
        if data.get("approved"):
            return _(
                "%(actor)s gave more time for “%(title)s”: the deadline is now %(new_due)s."
            ) % (values)
        return _("%(actor)s refused more time for “%(title)s”: %(comment)s") % values
    return str(values["title"])
