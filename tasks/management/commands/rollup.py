"""Run the score roll-up now: the same function as the nightly schedule and the API."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from kit.errors import DomainError
from plans.models import Plan, PlanStatus
from tasks.scores.rollup import rollup


def iso_date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(f"--as-of: use a date written YYYY-MM-DD, not {value!r}") from exc


class Command(BaseCommand):
    help = (
        "Roll task completion up into the leadership-and-direction scores "
        "(every issued province plan, whose units' own plans are read through it, "
        "or --plan) as of a date (--as-of, default today)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--plan", type=int, action="append", help="A plan id (repeatable).")
        parser.add_argument("--as-of", type=iso_date, default=None, help="YYYY-MM-DD")

    def handle(self, *args: Any, **options: Any) -> None:
        as_of = options["as_of"] or timezone.localdate()
        if options["plan"]:
            plans = list(Plan.objects.filter(pk__in=options["plan"]).order_by("pk"))
            missing = set(options["plan"]) - {p.pk for p in plans}
            if missing:
                raise CommandError(f"No plan with id {', '.join(map(str, sorted(missing)))}.")
            # A unit's own plan: its province plan is rolled up, which reads it.
            wanted = {p.parent_id or p.pk for p in plans}
            plans = list(Plan.objects.filter(pk__in=wanted).order_by("pk"))
        else:
            # A unit's own plan is scored through the province plan it implements.
            plans = list(
                Plan.objects.filter(status=PlanStatus.ISSUED, parent__isnull=True).order_by("pk")
            )
        for plan in plans:
            try:
                snapshots = rollup(plan, as_of, batch=True)
            except DomainError as exc:
                raise CommandError(f"{plan.document_number or plan.pk}: {exc.message}") from exc
            self.stdout.write(
                f"{plan.document_number or plan.pk} ({plan.pk}): "
                f"{len(snapshots)} units scored as of {as_of:%d/%m/%Y}"
            )
        if not plans:
            self.stdout.write("No issued province plan to score.")
