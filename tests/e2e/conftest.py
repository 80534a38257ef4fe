"""Real-browser tests: Debian's Chromium driven by Playwright against the live server."""

from __future__ import annotations

import io
import os
import shutil
from typing import Any

import pytest
from django.core.management import call_command

from plans.models import Unit
from tests.conftest import TODAY


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test here drives a browser or a server: `-m "not e2e"` leaves them out."""
    here = os.path.dirname(__file__)
    for item in items:
        if str(item.path).startswith(here):
            item.add_marker(pytest.mark.e2e)


# Playwright's sync API runs an event loop in the test thread; Django must let
# the test thread use the database all the same.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    """Launch the machine's Chromium; Playwright downloads no browser here."""
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture
def demo_live(transactional_db: None) -> None:
    """The demo province, in committed rows the live server's thread can read.

    A live-server test empties the database when it ends, so each one loads the
    demo again if it has to (about two seconds).
    """
    if not Unit.objects.exists():
        call_command("seed_demo", "--today", TODAY.isoformat(), stdout=io.StringIO())
