"""One archive of an installation: the database as JSON and every stored file with its hash.

The archive (tar.gz) holds `manifest.json` (when, from which database, each
file's name, size and SHA-256), `database.json` (Django's `dumpdata` with
natural keys, so that it loads into any backend) and `evidence/<name>` for every
file named by any model's FileField (tasks' evidence, the assessment sheets'
documents, and whatever file field comes later: `file_fields` finds them all),
read through the field's storage (a folder or S3 alike). Restoring checks every
file against the manifest and against the SHA-256 its row recorded, before
anything is written, then loads the database in one transaction and writes the
files; a failure rolls the database back and removes the files written (with
--replace, a file of the same name is overwritten).
"""

from __future__ import annotations

import hashlib
import io
import json
import tarfile
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.files.storage import Storage, default_storage
from django.core.management import call_command
from django.db import connection, models, transaction
from django.utils import timezone

from plans.models import Plan, Unit

FORMAT = 1
# Not worth keeping: rebuilt by migrate (content types, permissions), transient
# (sessions, django-q2's queue and results; setup_schedules recreates schedules).
EXCLUDED = [
    "contenttypes",
    "auth.permission",
    "sessions",
    "django_q",
    "axes.accessattempt",
    "plans.idempotentrequest",  # a day's answers to retried requests
]
CHUNK = 1024 * 1024


class BackupError(Exception):
    """The archive cannot be restored here; the message says why."""


@dataclass(frozen=True)
class Summary:
    records: int
    files: int
    bytes: int


def _sha256(stream: IO[bytes]) -> tuple[str, int]:
    digest, size = hashlib.sha256(), 0
    while block := stream.read(CHUNK):
        digest.update(block)
        size += len(block)
    return digest.hexdigest(), size


@contextmanager
def _snapshot() -> Iterator[None]:
    """Every read inside sees the database at one moment, while others go on writing.

    Without it, a row added between two tables' dumps (an evidence file whose
    task came after the task table was read) makes an archive that does not load.
    On PostgreSQL a read-only REPEATABLE READ transaction; on SQLite (WAL) a
    deferred read transaction, which does not hold the write lock.
    """
    if connection.in_atomic_block:  # the caller's transaction decides
        yield
    elif connection.vendor == "postgresql":
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            yield
    elif connection.vendor == "sqlite":
        # Django keeps SQLite in autocommit, so this BEGIN and its end are ours;
        # nothing inside may open transaction.atomic() (it would BEGIN IMMEDIATE).
        with connection.cursor() as cursor:
            cursor.execute("BEGIN DEFERRED")
        try:
            yield
        finally:
            if connection.connection is not None and connection.connection.in_transaction:
                with connection.cursor() as cursor:
                    cursor.execute("ROLLBACK")  # it only read
    else:
        yield


def file_fields() -> list[tuple[type[models.Model], models.FileField]]:
    """Every FileField of every installed model: what a backup must carry."""
    return [
        (model, field)
        for model in apps.get_models()
        for field in model._meta.get_fields()
        if isinstance(field, models.FileField)
    ]


def stored_files() -> list[tuple[str, str, Storage]]:
    """(name, SHA-256 recorded by its row or "", storage) for every stored file, once each."""
    found: dict[str, tuple[str, str, Storage]] = {}
    for model, field in file_fields():
        names = {f.name for f in model._meta.concrete_fields}
        columns = [field.name, "sha256"] if "sha256" in names else [field.name]
        for row in model._default_manager.exclude(**{field.name: ""}).values_list(*columns):
            name = str(row[0])
            found.setdefault(name, (name, str(row[1]) if len(row) > 1 else "", field.storage))
    return [found[name] for name in sorted(found)]


def backup(path: Path) -> Summary:
    """Write the archive to `path` (a temporary file renamed at the end; removed if the
    writing fails, so that a full disk leaves no half archive behind)."""
    with tempfile.TemporaryDirectory() as work:
        dump = Path(work) / "database.json"
        # The rows and the list of files from one moment; the files are then
        # copied outside the transaction, so that it stays short.
        with _snapshot():
            call_command(
                "dumpdata",
                natural_foreign=True,
                natural_primary=True,
                exclude=EXCLUDED,
                output=str(dump),
                verbosity=0,
            )
            stored = stored_files()
        records = len(json.loads(dump.read_text(encoding="utf-8")))
        partial = path.with_name(path.name + ".partial")
        try:
            files, total = _write_archive(partial, dump, stored, records)
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
        partial.replace(path)
    return Summary(records, len(files), total)


def _write_archive(
    partial: Path, dump: Path, stored: list[tuple[str, str, Storage]], records: int
) -> tuple[list[dict[str, object]], int]:
    """The tar.gz: the database, every stored file, and the manifest of their SHA-256;
    answers the manifest's files and their total size."""
    files: list[dict[str, object]] = []
    total = 0
    with tarfile.open(partial, "w:gz") as archive:
        archive.add(dump, arcname="database.json")
        for name, recorded, storage in stored:
            if not storage.exists(name):
                raise BackupError(f"{name}: a stored file is missing from the storage.")
            with storage.open(name, "rb") as source:
                digest, size = _sha256(source)
                source.seek(0)
                info = tarfile.TarInfo(f"evidence/{name}")
                info.size = size
                archive.addfile(info, source)
            files.append(
                {"name": name, "sha256": digest, "size": size, "recorded": recorded or digest}
            )
            total += size
        manifest = {
            "format": FORMAT,
            "created_at": timezone.now().isoformat(),
            "database": connection.vendor,
            "records": records,
            "files": files,
        }
        body = json.dumps(manifest, ensure_ascii=False, indent=1).encode()
        info = tarfile.TarInfo("manifest.json")
        info.size = len(body)
        archive.addfile(info, io.BytesIO(body))
    return files, total


def is_empty() -> bool:
    """No login, unit or plan yet: what `migrate` alone leaves."""
    return not (get_user_model().objects.exists() or Unit.objects.exists() or Plan.objects.exists())


def restore(path: Path, *, replace: bool = False) -> Summary:
    """Load the archive into this installation (empty, unless `replace`)."""
    if not path.is_file():
        raise BackupError(f"{path}: no such file.")
    call_command("migrate", interactive=False, verbosity=0)
    if not replace and not is_empty():
        raise BackupError(
            "The database is not empty: restore into a new installation, or pass --replace "
            "to delete everything here first."
        )
    with tempfile.TemporaryDirectory() as work:
        try:
            with tarfile.open(path, "r:gz") as archive:
                archive.extractall(work, filter="data")
        except (tarfile.TarError, OSError, EOFError) as exc:
            raise BackupError(f"{path}: not a readable archive ({exc}).") from exc
        root = Path(work)
        try:
            manifest = json.loads((root / "manifest.json").read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise BackupError(f"{path}: no manifest; not an archive of this product.") from exc
        if manifest.get("format") != FORMAT:
            raise BackupError(f"{path}: archive format {manifest.get('format')} is not known.")
        bad = []
        for item in manifest["files"]:
            with (root / "evidence" / item["name"]).open("rb") as stream:
                digest, _size = _sha256(stream)
            if digest != item["sha256"] or digest != item["recorded"]:
                bad.append(item["name"])
        if bad:
            raise BackupError(
                "These files do not match their SHA-256; nothing was restored: " + ", ".join(bad)
            )
        written: list[str] = []
        try:
            with transaction.atomic():
                if replace:
                    call_command("flush", interactive=False, verbosity=0)
                call_command("loaddata", str(root / "database.json"), verbosity=0)
                for item in manifest["files"]:
                    _put(root / "evidence" / item["name"], item["name"], item["sha256"])
                    written.append(item["name"])
        except Exception:
            for name in written:
                default_storage.delete(name)
            raise
        size = sum(int(item["size"]) for item in manifest["files"])
        return Summary(int(manifest["records"]), len(manifest["files"]), size)


def _put(source: Path, name: str, sha256: str) -> None:
    """Write one file under exactly its recorded name, and read it back to prove its SHA-256."""
    if default_storage.exists(name):
        default_storage.delete(name)
    with source.open("rb") as stream:
        saved = default_storage.save(name, stream)
    if saved != name:
        raise BackupError(f"{name}: the storage saved it as {saved}.")
    with default_storage.open(name, "rb") as written:
        digest, _size = _sha256(written)
    if digest != sha256:
        raise BackupError(f"{name}: the file written does not match its SHA-256.")


__all__ = ["BackupError", "Summary", "backup", "is_empty", "restore"]
