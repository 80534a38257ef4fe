"""python manage.py backup FILE: the database and the evidence files in one archive."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tracker.backup import BackupError, backup


class Command(BaseCommand):
    help = "Write one archive (tar.gz) of the database and the evidence files with their SHA-256."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "file", type=Path, help="the archive to write, e.g. cchc-2026-12-02.tar.gz"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            done = backup(options["file"])
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"{options['file']}: {done.records} records, {done.files} evidence files "
            f"({done.bytes / 1048576:.1f} MB)."
        )
