"""A full disk says so (507) and leaves nothing behind; the health page and the warning mail.

The disk is real: a 1 MB tmpfs, nearly filled, under the evidence storage.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.core import mail
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from django.db import OperationalError
from django.test import Client
from django.test.utils import override_settings

from kit.filestore import is_disk_full
from plans.models import Official, Role
from tasks import services
from tasks.models import Evidence, Task
from tests.conftest import TODAY, login, upload
from tracker import health

pytestmark = pytest.mark.django_db


@pytest.fixture
def full_disk(tmp_path: Path) -> Iterator[Path]:
    """A 1 MB file system with about 100 KB left, holding the evidence storage."""
    root = tmp_path / "disk"
    root.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(root)], capture_output=True
    )
    if mounted.returncode != 0:
        pytest.skip("mounting a tmpfs needs root: " + mounted.stderr.decode())
    try:
        (root / "filler").write_bytes(b"\0" * (1024 * 1024 - 100 * 1024))
        storages = {
            "default": {
                "BACKEND": "kit.filestore.AtomicFileSystemStorage",
                "OPTIONS": {"location": root},
            },
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        }
        with override_settings(STORAGES=storages):
            yield root
    finally:
        subprocess.run(["umount", str(root)], check=False)


def left_on(root: Path) -> list[str]:
    return sorted(
        str(p.relative_to(root)) for p in root.rglob("*") if p.is_file() and p.name != "filler"
    )


def an_open_task() -> Task:
    task = Task.objects.filter(assignees__user__username="snv.cv1", status="in_progress").first()
    assert task is not None
    return task


def test_an_upload_onto_a_full_disk_answers_507_and_leaves_no_file(full_disk: Path) -> None:
    task = an_open_task()
    client = Client(raise_request_exception=False)
    login(client, "snv.cv1")
    pdf = b"%PDF-1.4\n" + os.urandom(600 * 1024) + b"\n%%EOF\n"
    answer = client.post(
        f"/api/v1/tasks/{task.pk}/evidence",
        {"file": io.BytesIO(pdf), "document_number": "12/BC"},
        format="multipart",
    )
    assert answer.status_code == 507, answer.content
    assert "out of storage" in answer.json()["detail"]
    assert left_on(full_disk) == []
    assert not Evidence.objects.filter(task=task, document_number="12/BC").exists()
    page = client.post(
        f"/tasks/{task.pk}/evidence/",
        {"file": io.BytesIO(pdf), "document_number": "13/BC"},
    )
    assert page.status_code == 507
    html = page.content.decode()
    assert "Máy chủ đã hết dung lượng lưu trữ" in html and "quản trị" in html
    assert left_on(full_disk) == []


def test_a_full_database_disk_is_told_apart_from_an_outage() -> None:
    assert is_disk_full(OperationalError("database or disk is full"))
    assert is_disk_full(OSError(28, "No space left on device"))
    assert not is_disk_full(OperationalError("database is locked"))


def test_the_health_page_shows_the_free_space_and_the_components(client: Client) -> None:
    answer = client.get("/health/")
    assert answer.status_code == 200
    body = answer.json()
    assert body["database"] == "ok" and body["disk"]["free_bytes"] > 0
    assert body["disk"]["floor_bytes"] == 1024 * 1024 * 1024
    with override_settings(DISK_FREE_FLOOR_BYTES=2**62):
        assert client.get("/health/").json()["status"] == "degraded"


def test_the_administrators_are_mailed_once_a_day_under_the_floor(tmp_path: Path) -> None:
    now = dt.datetime(TODAY.year, TODAY.month, TODAY.day, 9, tzinfo=dt.UTC)
    with override_settings(DATA_DIR=tmp_path, DISK_FREE_FLOOR_BYTES=2**62):
        assert health.warn_low_disk(now)
        assert not health.warn_low_disk(now + dt.timedelta(hours=1))
        assert health.warn_low_disk(now + dt.timedelta(days=1))
    assert len(mail.outbox) == 2
    admins = Official.objects.filter(role=Role.ADMIN).exclude(user__email="")
    assert mail.outbox[0].to == [a.user.email for a in admins] and mail.outbox[0].to
    assert "MB" in mail.outbox[0].body
    with override_settings(DATA_DIR=tmp_path):
        assert not health.warn_low_disk(now + dt.timedelta(days=2))  # over the floor


def test_check_files_lists_files_without_rows_and_cleans_them() -> None:
    orphan = default_storage.save("evidence/1/1/orphan.pdf", io.BytesIO(b"%PDF-1.4"))
    out = io.StringIO()
    call_command("check_files", stdout=out)
    assert f"no row: {orphan}" not in out.getvalue()  # just written: perhaps a write under way
    call_command("check_files", "--older-than", "0", stdout=(out := io.StringIO()))
    assert f"no row: {orphan}" in out.getvalue()
    call_command("check_files", "--clean", "--older-than", "0", stdout=io.StringIO())
    assert not default_storage.exists(orphan)
    # A row whose file is gone (one of its own: the demo's files are shared by the tests).
    task = an_open_task()
    victim = services.add_evidence(
        task.assignees.get(user__username="snv.cv1"), task, file=upload(), filename="mat.pdf"
    )
    default_storage.delete(victim.file.name)
    with pytest.raises(CommandError, match="1 rows"):
        call_command("check_files", stdout=(said := io.StringIO()))
    assert f"no file: {victim.file.name}" in said.getvalue()
