"""python manage.py check_files [--clean]: stored files without rows, and rows without files."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.files.storage import Storage
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from tracker.backup import stored_files


def every_file(storage: Storage, folder: str = "") -> list[str]:
    """Every file name under a folder of the storage, at any depth."""
    folders, files = storage.listdir(folder)
    names = [f"{folder}/{f}" if folder else f for f in files]
    for sub in folders:
        names += every_file(storage, f"{folder}/{sub}" if folder else sub)
    return names


class Command(BaseCommand):
    help = (
        "List stored files that no row names (left by a failed write), written over an hour "
        "ago, and rows whose file is missing; --clean removes the first. Exits 1 when a "
        "row's file is missing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--clean", action="store_true", help="Remove the files that no row names."
        )
        parser.add_argument(
            "--older-than",
            type=int,
            default=60,
            metavar="MINUTES",
            help=(
                "Only files last written this long ago (a write in progress has no row yet); "
                "0: every file."
            ),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        known = stored_files()
        storages: dict[int, Storage] = {id(s): s for _n, _r, s in known}
        named = {name for name, _r, _s in known}
        if not storages:
            from django.core.files.storage import default_storage

            storages[id(default_storage)] = default_storage
        orphans: list[tuple[Storage, str]] = []
        minutes = options["older_than"]
        settled = timezone.now() - dt.timedelta(minutes=minutes)
        for storage in storages.values():
            orphans += [
                (storage, n)
                for n in every_file(storage)
                if n not in named and (minutes <= 0 or storage.get_modified_time(n) <= settled)
            ]
        missing = [name for name, _r, storage in known if not storage.exists(name)]
        for _storage, name in orphans:
            self.stdout.write(f"no row: {name}")
        for name in missing:
            self.stdout.write(f"no file: {name}")
        if options["clean"]:
            for storage, name in orphans:
                storage.delete(name)
            self.stdout.write(f"Removed {len(orphans)} files that no row named.")
        else:
            self.stdout.write(
                f"{len(known)} files named by rows; {len(orphans)} files without a row, "
                f"{len(missing)} rows without their file."
            )
        if missing:
            raise CommandError(f"{len(missing)} rows name a file the storage does not hold.")
