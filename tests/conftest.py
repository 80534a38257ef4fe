"""Shared fixtures: a frozen clock and the demo province, loaded once per database."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterator
from pathlib import Path

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.http import HttpRequest
from django.test import Client
from django.test.utils import override_settings
from pytest_django import DjangoDbBlocker

from plans.models import Official, Plan, Unit
from tasks import services
from tasks.models import Task
from tests.factories import Province, make_province

# The demo's states are spread around this day; every test sees this clock.
TODAY = dt.date(2026, 11, 22)
NOW = dt.datetime(2026, 11, 22, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=7)))
PASSWORD = "cchc2026"


@pytest.fixture(scope="session", autouse=True)
def frozen_clock() -> Iterator[None]:
    """The clock starts at 10:00 on 22/11/2026 in Hà Nội time and ticks from there."""
    with time_machine.travel(NOW, tick=True):
        yield


@pytest.fixture(scope="session", autouse=True)
def worker_in_process() -> Iterator[None]:
    """Background tasks run at once, in the process that asks for them.

    Scores follow the work through django-q2 (plans.rescore): a committed
    change hands the recomputation to the worker. Here the worker's function
    runs synchronously, so a test sees the scores its change moved, and no
    test leaves tasks in a broker a running cluster would pick up.
    """
    from django_q.conf import Conf

    was, Conf.SYNC = Conf.SYNC, True
    yield
    Conf.SYNC = was


@pytest.fixture(scope="session", autouse=True)
def evidence_storage(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Evidence files go to a temporary folder, never the working tree's var/; a fast hasher."""
    root = tmp_path_factory.mktemp("evidence")
    storages = {
        "default": {
            "BACKEND": "kit.filestore.AtomicFileSystemStorage",
            "OPTIONS": {"location": root},
        },
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    # A fast hasher: the tests log in hundreds of times, and what they check is
    # who may do what, not PBKDF2's cost (production keeps Django's default).
    fast = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Static files from the apps' folders, as in development: no collectstatic for the suite.
    with override_settings(STORAGES=storages, PASSWORD_HASHERS=fast, WHITENOISE_USE_FINDERS=True):
        yield root


@pytest.fixture(scope="session")
def django_db_setup(
    django_db_setup: None,
    django_db_blocker: DjangoDbBlocker,
    evidence_storage: Path,
    frozen_clock: None,
) -> None:
    """Load the demo province once; each test then runs in a rolled-back transaction."""
    with django_db_blocker.unblock():
        call_command("seed_demo", "--today", TODAY.isoformat(), stdout=io.StringIO())


@pytest.fixture
def province(db: None) -> Province:
    """A small province of its own (tests.factories), beside the demo."""
    return make_province()


@pytest.fixture
def plan(db: None) -> Plan:
    return Plan.objects.get(document_number="07/KH-UBND", year=2026)


def login(client: Client, username: str) -> Official:
    """Log the client in as a demo user and return that official."""
    assert client.login(request=HttpRequest(), username=username, password=PASSWORD), username
    return Official.objects.select_related("unit").get(user__username=username)


# A real (tiny) PDF: evidence is judged by its content, so tests upload real files.
PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)


def official(username: str) -> Official:
    return Official.objects.select_related("unit", "user").get(user__username=username)


def home_unit(username: str) -> Unit:
    """The unit a demo user works in."""
    found = official(username).unit
    assert found is not None, username
    return found


def unit_of(username: str) -> int:
    """The id of the unit a demo user works in."""
    unit_id = official(username).unit_id
    assert unit_id is not None, username
    return unit_id


def new_task(
    plan: Plan,
    *,
    title: str = "Rà soát quy trình nội bộ giải quyết thủ tục hành chính",
    due_date: dt.date = TODAY + dt.timedelta(days=30),
    assignees: tuple[str, ...] = ("snv.cv1",),
    area: int = 3,
) -> Task:
    """A task the head of the plan's unit gives Sở Nội vụ, assigned to `assignees` (usernames)."""
    return services.create_task(
        official("ubnd-tinh.head"),
        plan,
        title=title,
        area=area,
        lead_unit_id=unit_of("snv.head"),
        due_date=due_date,
        assignee_ids=[official(u).pk for u in assignees],
        deliverable="Báo cáo rà soát",
        confirm_past_deadline=True,  # the tests set the clock; a past deadline is meant
    )


@pytest.fixture
def fresh_task(plan: Plan) -> Task:
    """A task made for the test: led by Sở Nội vụ, assigned to snv.cv1, due in 30 days."""
    return new_task(plan)


def upload(name: str = "bao-cao.pdf", content: bytes = PDF) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")
