"""python manage.py restore FILE: load an archive of `backup` into an empty installation."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tracker.backup import BackupError, restore


class Command(BaseCommand):
    help = (
        "Load an archive written by `backup`: migrate, check every evidence file's SHA-256, "
        "then load the database and the files. Refuses a database that is not empty "
        "unless --replace is given (everything here is deleted first)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--replace",
            action="store_true",
            help="delete every record of this installation before loading",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            done = restore(options["file"], replace=options["replace"])
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"Restored {done.records} records and {done.files} evidence files "
            f"({done.bytes / 1048576:.1f} MB), every SHA-256 checked. "
            "Run `manage.py setup_schedules` (the start command does) before starting the worker."
        )
