"""Run the reminder job once: the same function as the 15-minute schedule."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from tasks.reminders.engine import send_reminders


def iso_datetime(value: str) -> dt.datetime:
    """An ISO date and time; without an offset it is Asia/Ho_Chi_Minh time."""
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(
            f"--now: use a date and time such as 2026-11-23T08:00, not {value!r}"
        ) from exc
    return moment if timezone.is_aware(moment) else timezone.make_aware(moment)


class Command(BaseCommand):
    help = (
        "Send the deadline reminders, overdue notices, escalations and review reminders "
        "due now (or at --now), each once; print how many went of each kind."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--now", type=iso_datetime, default=None, help="YYYY-MM-DDTHH:MM")

    def handle(self, *args: Any, **options: Any) -> None:
        now = options["now"] or timezone.now()
        run = send_reminders(now)
        when = timezone.localtime(now).strftime("%d/%m/%Y %H:%M")
        if run.closed:
            self.stdout.write(f"{when}: outside the sending hours; nothing sent.")
            return
        if run.busy:
            self.stdout.write(f"{when}: another reminder run is sending; this one leaves.")
            return
        sent = ", ".join(f"{kind}: {n}" for kind, n in sorted(run.sent.items())) or "nothing"
        self.stdout.write(f"{when}: sent {sent} ({run.mails} mails)")
        if run.failed:
            failed = ", ".join(f"{kind}: {n}" for kind, n in sorted(run.failed.items()))
            self.stderr.write(f"Not delivered, retried at the next run: {failed}")
        if run.lost:
            self.stderr.write(
                f"Stopped: a later run took over {run.lost} items whose lease ran out; "
                "that run sends them."
            )
