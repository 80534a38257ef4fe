"""Load a province's index set from its workbook (.xlsx) or JSON document, and optionally
give it to a plan for a level:

    manage.py load_index_set bo-chi-so.xlsx [--plan 12 --level department] [--as admin]

Checked whole as the API and the admin check it: with any fault nothing is stored, and
each fault is printed with its row (or item). Recorded in the audit trail as the
administrator's (`--as`; it may be left out when the installation has one
active administrator only).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from kit.errors import DomainError
from plans import planning
from plans.indexbooks import load_document
from plans.models import Level, Official, Plan, Role


class Command(BaseCommand):
    help = "Load an index set from a workbook or a JSON document (and give it to a plan)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--plan", type=int, help="The plan (id) to be scored by the set.")
        parser.add_argument(
            "--level",
            choices=[*Level.values, "all"],
            help="The level it scores in that plan: the set's own (the default; all for a set "
            "of every level); another is refused.",
        )
        parser.add_argument("--as", dest="username", help="The administrator loading it.")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"No file {path}.")
        actor = self._actor(options["username"])
        try:
            with transaction.atomic():
                index_set = load_document(actor, path.read_bytes(), path.name)
                if options["plan"] is not None:
                    plan = Plan.objects.filter(pk=options["plan"]).first()
                    if plan is None:
                        raise CommandError(f"No plan {options['plan']}.")
                    level = options["level"] or index_set.level
                    planning.set_index_set(
                        actor, plan, "" if level == "all" else level, index_set.pk
                    )
        except DomainError as exc:
            for where, message in (exc.errors or {}).items():
                self.stderr.write(f"  {where}: {message}")
            raise CommandError(exc.message) from None
        self.stdout.write(f"Index set {index_set.pk} loaded: {index_set.name}")
        if options["plan"] is not None:
            self.stdout.write(f"Plan {options['plan']} is scored by it.")

    def _actor(self, username: str | None) -> Official:
        """Who the audit trail names: the administrator given, or the only one there is."""
        administrators = Official.objects.filter(role=Role.ADMIN, user__is_active=True)
        if username:
            administrators = administrators.filter(user__username=username)
        found = list(administrators.order_by("pk")[:2])
        if not found:
            raise CommandError("No active administrator" + (f" {username}." if username else "."))
        if len(found) > 1:
            raise CommandError("Several administrators: say who loads the set, with --as.")
        return found[0]
