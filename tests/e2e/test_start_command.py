"""The start command's server, as a new user runs it: gunicorn and the worker, DEBUG off.

scripts/serve.sh (what scripts/start.sh runs after installing) on a new DATA_DIR:
the embedded SQLite, demo data, collected and compressed static files, the
Content-Security-Policy. Chromium signs in and reads the charts with no console
error (a CSP violation is one); a missing page is the product's 404 page; a
SIGTERM to the whole process group (as systemd sends it) stops everything.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings
from playwright.sync_api import Page, expect

from tests.jobs.test_reminder_mail import free_port

ROOT = Path(__file__).resolve().parents[2]
# The start command serves the embedded default whatever the suite's database:
# the SQLite suite's run is enough.
pytestmark = pytest.mark.skipif(
    settings.DATABASES["default"]["ENGINE"] != "django.db.backends.sqlite3",
    reason="the start command's own SQLite installation: one run of the two suites is enough",
)


def get(url: str, **headers: str) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            return answer.status, dict(answer.headers), answer.read()
    except urllib.error.HTTPError as refused:
        return refused.code, dict(refused.headers), refused.read()


@pytest.fixture(scope="module")
def served(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    port = free_port()
    env = {
        k: v
        for k, v in os.environ.items()
        if k
        not in {
            "DATABASE_URL",
            "REDIS_URL",
            "SECRET_KEY",
            "DEBUG",
            "EVIDENCE_ROOT",
            "DJANGO_ALLOW_ASYNC_UNSAFE",
        }
    }
    env.update(
        {
            "DATA_DIR": str(tmp_path_factory.mktemp("served")),
            "PORT": str(port),
            "PY": sys.executable,
            "ACCESS_LOG": "0",
        }
    )
    log = tmp_path_factory.mktemp("log") / "serve.log"
    with log.open("wb") as out:
        server = subprocess.Popen(
            ["bash", "scripts/serve.sh"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(240):
            try:
                if get(f"{base}/accounts/login/")[0] == 200:
                    break
            except OSError:
                pass
            assert server.poll() is None, log.read_text()
            time.sleep(0.5)
        else:
            pytest.fail(log.read_text())
        yield base, server
    finally:
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGKILL)


def test_the_committee_reads_the_charts_under_the_content_security_policy(
    page: Page, served: tuple[str, subprocess.Popen[bytes]]
) -> None:
    base, _server = served
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(f"{base}/")
    page.get_by_label("Tên đăng nhập").fill("bcd1")
    page.get_by_label("Mật khẩu").fill("cchc2026")
    page.locator("main").get_by_role("button", name="Đăng nhập").click()
    expect(page.get_by_role("heading", name="Tổng quan tỉnh")).to_be_visible()
    expect(page.locator(".chart .main-svg").first).to_be_visible()  # plotly drew
    assert page.locator(".chart .main-svg").count() >= 3
    page.goto(f"{base}/tasks/999999/")
    expect(page.get_by_role("heading", name="Không tìm thấy")).to_be_visible()
    assert all("404" in msg for msg in errors), errors  # only the 404 itself, no CSP violation

    status, headers, body = get(f"{base}/accounts/login/")
    policy = headers["Content-Security-Policy"]
    script = next(d for d in policy.split("; ") if d.startswith("script-src"))
    assert script == "script-src 'self'"  # no inline script, no eval
    assert b"Traceback" not in body
    css = body.split(b'href="/static/tracker/site.', 1)[1].split(b'"', 1)[0].decode()
    status, headers, _body = get(f"{base}/static/tracker/site.{css}", **{"Accept-Encoding": "gzip"})
    assert status == 200 and headers.get("Content-Encoding") == "gzip"
    assert "immutable" in headers["Cache-Control"]


def test_sigterm_to_the_process_group_stops_the_web_server_and_the_worker(
    served: tuple[str, subprocess.Popen[bytes]],
) -> None:
    _base, server = served
    group = os.getpgid(server.pid)
    running = subprocess.run(
        ["ps", "-o", "cmd=", "-g", str(group)], capture_output=True, text=True, check=True
    ).stdout
    assert "gunicorn" in running and "manage.py worker" in running
    os.killpg(group, signal.SIGTERM)
    started = time.monotonic()
    while time.monotonic() - started < 30:
        server.poll()  # reap the script itself once it has stopped
        try:
            os.killpg(group, 0)
        except ProcessLookupError:
            break
        time.sleep(0.2)
    else:
        left = subprocess.run(
            ["ps", "-o", "pid,stat,cmd", "-g", str(group)], capture_output=True, text=True
        )
        pytest.fail(f"still running after 30 s:\n{left.stdout}")
    assert time.monotonic() - started < 15
