"""What the annual assessment's reminders say, in the active language (tasks.messages asks)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import ngettext

from tasks.messages import day


def describe(kind: str, data: dict[str, Any]) -> str | None:
    """The sentence of an assessment reminder; None for any other kind."""
    values = {"title": data.get("title", ""), "due": day(data.get("due"))}
    days = int(data.get("days", 0))
    if kind.startswith("assessment-self-"):
        return ngettext(
            "Your unit's self-assessment of “%(title)s” closes in %(days)d day (%(due)s) "
            "and is not submitted.",
            "Your unit's self-assessment of “%(title)s” closes in %(days)d days (%(due)s) "
            "and is not submitted.",
            days,
        ) % {**values, "days": days}
    if kind == "assessment-appraisal":
        return ngettext(
            "The appraisal of “%(title)s” closes in %(days)d day (%(due)s) with sheets "
            "not appraised.",
            "The appraisal of “%(title)s” closes in %(days)d days (%(due)s) with sheets "
            "not appraised.",
            days,
        ) % {**values, "days": days}
    return None
