"""Backup and restore: one archive, every evidence file checked by its SHA-256."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import os
import subprocess
import sys
import tarfile
import threading
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client

from assessments.services import add_sheet_file, open_assessment
from plans.models import Official, Plan, PlanStatus
from tasks import services
from tasks.models import Evidence, Task
from tests.conftest import PDF, TODAY, login, upload
from tests.factories import make_province
from tracker import backup as backup_module

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.django_db


def test_a_backup_restores_with_replace_and_every_file_checked(tmp_path: Path) -> None:
    archive = tmp_path / "cchc.tar.gz"
    out = io.StringIO()
    call_command("backup", str(archive), stdout=out)
    evidence = {e.file.name: e.sha256 for e in Evidence.objects.all()}
    assert evidence and f"{len(evidence)} evidence files" in out.getvalue()
    with tarfile.open(archive) as tar:
        names = set(tar.getnames())
        for name, digest in evidence.items():
            member = tar.extractfile(f"evidence/{name}")
            assert member is not None
            assert hashlib.sha256(member.read()).hexdigest() == digest
    assert {"manifest.json", "database.json"} <= names

    tasks = dict(Task.objects.values_list("pk", "title"))
    with pytest.raises(CommandError, match="not empty"):
        call_command("restore", str(archive), stdout=io.StringIO())
    # Lose a file and change a task, then restore over them.
    lost = next(iter(evidence))
    default_storage.delete(lost)
    Task.objects.filter(pk=next(iter(tasks))).update(title="đã sửa sau khi sao lưu")
    call_command("restore", str(archive), "--replace", stdout=io.StringIO())
    assert dict(Task.objects.values_list("pk", "title")) == tasks
    with default_storage.open(lost, "rb") as back:
        assert hashlib.sha256(back.read()).hexdigest() == evidence[lost]


def test_every_file_field_is_backed_up_and_restored_with_its_sha256(
    tmp_path: Path, client: Client
) -> None:
    """Walks every model's FileField: a new one without a row here fails this test, so it
    cannot be forgotten; the backup finds its files by itself (tracker.backup.file_fields)."""
    plan = Plan.objects.get(parent=None, status=PlanStatus.ISSUED, year=TODAY.year)
    committee = login(client, "bcd1")
    assessment = open_assessment(
        committee,
        plan,
        self_closes_on=TODAY + dt.timedelta(days=1),
        appraisal_closes_on=TODAY + dt.timedelta(days=8),
    )
    official = Official.objects.get(user__username="snv.cv1")
    document = add_sheet_file(
        official,
        assessment.sheets.get(unit=official.unit),
        file=upload(),
        filename="bien-ban-tu-cham.pdf",
    )
    fields = backup_module.file_fields()
    assert {(m._meta.label, f.name) for m, f in fields} >= {
        ("tasks.Evidence", "file"),
        ("assessments.SheetFile", "file"),
    }
    stored: dict[str, str] = {}
    for model, field in fields:
        names = [
            str(n)
            for n in model._default_manager.exclude(**{field.name: ""}).values_list(
                field.name, flat=True
            )
        ]
        assert names, f"{model._meta.label}.{field.name}: give it a stored file in this test"
        for name in names:
            with field.storage.open(name, "rb") as f:
                stored[name] = hashlib.sha256(f.read()).hexdigest()
    archive = tmp_path / "cchc.tar.gz"
    # Lose the sheet's document and one piece of evidence (not the demo's, which other
    # tests read): the restore brings back every file, each checked.
    task = Task.objects.filter(assignees=official, status="in_progress").first()
    assert task is not None
    evidence = services.add_evidence(official, task, file=upload(), filename="mat.pdf")
    call_command("backup", str(archive), stdout=io.StringIO())
    with evidence.file.open("rb") as f:
        stored[evidence.file.name] = hashlib.sha256(f.read()).hexdigest()
    for name in (document.file.name, evidence.file.name):
        default_storage.delete(name)
    assert client.get(f"/assessments/files/{document.pk}/").status_code == 404
    if connection.vendor == "postgresql":
        # The rows made in this test's transaction fire their deferred checks now, so
        # that restore --replace may empty the tables.
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
    call_command("restore", str(archive), "--replace", stdout=io.StringIO())
    for name, digest in stored.items():
        with default_storage.open(name, "rb") as back:
            assert hashlib.sha256(back.read()).hexdigest() == digest, name
    after = Client()  # the restore emptied the sessions: a new sign-in
    login(after, "bcd1")
    assert after.get(f"/assessments/files/{document.pk}/").status_code == 200


def test_a_tampered_file_restores_nothing(tmp_path: Path) -> None:
    archive, tampered = tmp_path / "cchc.tar.gz", tmp_path / "tampered.tar.gz"
    call_command("backup", str(archive), stdout=io.StringIO())
    victim = Evidence.objects.order_by("pk").first()
    assert victim is not None
    with tarfile.open(archive) as source, tarfile.open(tampered, "w:gz") as target:
        for member in source.getmembers():
            data = source.extractfile(member)
            body = data.read() if data else b""
            if member.name == f"evidence/{victim.file.name}":
                body = body.replace(b"%PDF", b"%PDX")
            member.size = len(body)
            target.addfile(member, io.BytesIO(body))
    before = Task.objects.count()
    Task.objects.all().update(title="giữ nguyên")
    with pytest.raises(CommandError, match="do not match") as refused:
        call_command("restore", str(tampered), "--replace", stdout=io.StringIO())
    assert victim.file.name in str(refused.value)
    assert Task.objects.count() == before
    assert set(Task.objects.values_list("title", flat=True)) == {"giữ nguyên"}


@pytest.mark.skipif(
    settings.DATABASES["default"]["ENGINE"] != "django.db.backends.sqlite3",
    reason="one run of the two installations is enough (they use their own SQLite files)",
)
@pytest.mark.e2e
@pytest.mark.slow
def test_a_new_installation_restores_what_another_backed_up(tmp_path: Path) -> None:
    """Two installations, each with only DATA_DIR set: no secret key, no settings given."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "REDIS_URL", "SECRET_KEY", "EVIDENCE_ROOT", "DEBUG"}
    }

    def manage(data_dir: Path, *args: str) -> str:
        done = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env={**env, "DATA_DIR": str(data_dir)},
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert done.returncode == 0, done.stderr
        return done.stdout

    old, new, archive = tmp_path / "old", tmp_path / "new", tmp_path / "cchc.tar.gz"
    manage(old, "migrate", "-v", "0")
    manage(old, "seed_demo")
    manage(old, "backup", str(archive))
    said = manage(new, "restore", str(archive))
    assert "every SHA-256 checked" in said
    count = (
        "from tasks.models import Task, Evidence; "
        "print(Task.objects.count(), Evidence.objects.count())"
    )
    assert (
        manage(new, "shell", "-c", count).split()[-2:]
        == manage(old, "shell", "-c", count).split()[-2:]
    )
    assert (old / "secret_key").read_text() != (new / "secret_key").read_text()
    restored = sorted(p.name for p in (new / "evidence").rglob("*") if p.is_file())
    assert restored == sorted(p.name for p in (old / "evidence").rglob("*") if p.is_file())


@pytest.mark.skipif(
    "postgresql" not in settings.DATABASES["default"]["ENGINE"],
    reason="another connection writing during the backup: PostgreSQL's test database",
)
@pytest.mark.django_db(transaction=True)
def test_a_backup_is_the_database_at_one_moment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Evidence added while the archive is written is in neither its rows nor its files."""
    province = make_province()
    task = province.task()
    services.add_evidence(province.assignee, task, file=ContentFile(PDF, name="truoc.pdf"))
    dump = backup_module.call_command

    def dump_then_someone_uploads(*args: Any, **kwargs: Any) -> None:
        dump(*args, **kwargs)

        def upload() -> None:
            services.add_evidence(province.assignee, task, file=ContentFile(PDF, name="sau.pdf"))
            connection.close()

        elsewhere = threading.Thread(target=upload)  # its own connection, committed
        elsewhere.start()
        elsewhere.join()

    monkeypatch.setattr(backup_module, "call_command", dump_then_someone_uploads)
    archive = tmp_path / "cchc.tar.gz"
    call_command("backup", str(archive), stdout=io.StringIO())
    assert Evidence.objects.filter(task=task).count() == 2  # the upload went through
    with tarfile.open(archive) as tar:
        manifest = json.load(tar.extractfile("manifest.json"))  # type: ignore[arg-type]
        rows = json.load(tar.extractfile("database.json"))  # type: ignore[arg-type]
    in_rows = {r["fields"]["file"] for r in rows if r["model"] == "tasks.evidence"}
    assert {f["name"] for f in manifest["files"]} == in_rows
    assert not any(name.endswith("sau.pdf") for name in in_rows)
