"""Benchmark: the province overview served at two sizes of the same province.

Targets (issue: the steering-committee dashboards):
- SQLite, a province of 160 units and 30,000 tasks: the overview is served in
  under 300 ms (median of repeated requests);
- the same province with 300,000 tasks: at most 3x that same run's
  30,000-task time.

Run from the project root; it uses its own SQLite database under
var/bench-dashboards/ (DATA_DIR), created the first time (a few minutes) and
reused afterwards:

    .venv/bin/python bench/dashboards.py

Each plan gets two indicators with every unit's measurement, and a roll-up at
each month's end so that the trend has a year to draw. The requests go through
Django's whole stack (middleware, session, templates) in-process, signed in as
a committee member; the unit page is timed too, for information.

Then the first visit, in Debian's Chromium (Playwright) against the product as
it runs in production (gunicorn, collected and compressed static files, DEBUG
off) on the 30,000-task plan: the browser's cache emptied before each load, the
JavaScript bytes sent over the wire (target: under 600 KB) and the time from
the start of the navigation to the first chart drawn, median of 5, on loopback
and on a slower line (10 Mbit/s, 40 ms each way). `--no-browser` skips it.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DATA_DIR", str(ROOT / "var" / "bench-dashboards"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tracker.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from plans.models import (  # noqa: E402
    Indicator,
    IndicatorTarget,
    Level,
    Measurement,
    Official,
    Plan,
    Role,
    Unit,
)
from tasks.scores.rollup import rollup  # noqa: E402

AS_OF = dt.date(2026, 11, 22)
UNITS = 160


def ready_plan(tasks: int) -> Plan:
    """The synthetic plan of that size, seeded with indicators and a year of roll-ups once."""
    number = f"BENCH-{UNITS}-{tasks}"
    plan = Plan.objects.filter(document_number=number).order_by("-pk").first()
    if plan is not None:
        return plan
    call_command("seed_bench", units=UNITS, tasks=tasks)
    plan = Plan.objects.get(document_number=number)
    units = list(Unit.objects.filter(code__startswith="bench-").order_by("code")[:UNITS])
    for code, name, targets in [
        ("hscv", "Hồ sơ công việc xử lý trên môi trường mạng", (70, 70, 60, 40)),
        ("tthc", "Hồ sơ TTHC giải quyết đúng hạn", (100, 100, 100, 100)),
    ]:
        indicator = Indicator.objects.create(plan=plan, code=code, name=name)
        IndicatorTarget.objects.bulk_create(
            IndicatorTarget(indicator=indicator, level=level, target_pct=target)
            for level, target in zip(
                [Level.PROVINCE, Level.DEPARTMENT, Level.DISTRICT, Level.COMMUNE],
                targets,
                strict=True,
            )
        )
        Measurement.objects.bulk_create(
            Measurement(
                indicator=indicator,
                unit=unit,
                period_start=dt.date(2026, 1, 1),
                period_end=dt.date(2026, 9, 30),
                numerator=30 + n % 70,
                denominator=100,
            )
            for n, unit in enumerate(units)
            if n % 10  # one unit in ten has not reported
        )
    started = time.perf_counter()
    for month in range(2, 12):
        rollup(plan, dt.date(2026, month + 1, 1) - dt.timedelta(days=1))
    rollup(plan, AS_OF)
    print(f"  roll-ups for the trend: {time.perf_counter() - started:.0f} s")
    return plan


def committee_client() -> Client:
    user, _ = get_user_model().objects.get_or_create(username="bench-bcd")
    Official.objects.get_or_create(
        user=user,
        defaults={
            "full_name": "Ban Chỉ đạo (thử nghiệm)",
            "role": Role.COMMITTEE,
            "unit": Unit.objects.get(code="bench-0001"),
        },
    )
    client = Client()
    client.force_login(user)
    return client


def median_ms(client: Client, url: str, runs: int) -> tuple[float, int, int]:
    """Median time of runs requests (after two to warm up), the queries, the page's bytes."""
    for _ in range(2):
        client.get(url)
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        response = client.get(url)
        times.append(time.perf_counter() - started)
        assert response.status_code == 200, response.status_code
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    return statistics.median(times) * 1000, len(queries), len(response.content)


PASSWORD = "bench-first-visit"
# Records when the first chart's svg appears, in ms since the navigation began.
FIRST_CHART = """
new MutationObserver((changes, observer) => {
  if (document.querySelector('.chart svg.main-svg')) {
    window.firstChart = performance.now();
    observer.disconnect();
  }
}).observe(document, {childList: true, subtree: true});
"""
LINES = {
    "loopback": None,
    "10 Mbit/s, 40 ms": {
        "latency": 80,
        "downloadThroughput": 1_250_000,
        "uploadThroughput": 625_000,
    },
}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def first_visit(plan: Plan, runs: int = 5) -> dict[str, tuple[int, float]]:
    """Per line: the JavaScript bytes sent and the median ms to the first chart."""
    from playwright.sync_api import sync_playwright

    from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS

    user = get_user_model().objects.get(username="bench-bcd")
    user.set_password(PASSWORD)
    user.save(update_fields=["password"])
    port = free_port()
    env = {**os.environ, "HOST": "127.0.0.1", "PORT": str(port), "ACCESS_LOG": "0", "DEBUG": "0"}
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "tracker.wsgi", "-c", "tracker/gunicorn.conf.py"],
        cwd=ROOT,
        env=env,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    url = f"{base}/dashboard/?plan={plan.pk}&as_of=22/11/2026"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"{base}/accounts/login/", timeout=2)
                break
            except OSError:
                time.sleep(0.2)
        results = {}
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = browser.new_page()
            page.goto(f"{base}/accounts/login/")
            page.fill("input[name=username]", "bench-bcd")
            page.fill("input[name=password]", PASSWORD)
            page.locator("main button[type=submit]").click()
            page.wait_for_load_state()
            page.add_init_script(FIRST_CHART)
            cdp = page.context.new_cdp_session(page)
            cdp.send("Network.enable")
            cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
            for line, conditions in LINES.items():
                cdp.send(
                    "Network.emulateNetworkConditions",
                    {
                        "offline": False,
                        **(
                            conditions
                            or {"latency": 0, "downloadThroughput": -1, "uploadThroughput": -1}
                        ),
                    },
                )
                times, sent = [], 0
                for _ in range(runs):
                    page.goto(url)
                    page.wait_for_function("() => window.firstChart !== undefined", timeout=60_000)
                    times.append(page.evaluate("() => window.firstChart"))
                    sent = page.evaluate(
                        "() => performance.getEntriesByType('resource')"
                        ".filter(e => e.initiatorType === 'script')"
                        ".reduce((n, e) => n + e.encodedBodySize, 0)"
                    )
                results[line] = (int(sent), statistics.median(times))
            browser.close()
        return results
    finally:
        server.terminate()
        server.wait(timeout=30)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", type=int, default=30_000)
    parser.add_argument("--large", type=int, default=300_000)
    parser.add_argument("--runs", type=int, default=21)
    parser.add_argument("--no-browser", action="store_true", help="skip the first visit")
    args = parser.parse_args()
    settings.ALLOWED_HOSTS = ["testserver"]

    call_command("migrate", verbosity=0)
    # The pages name the collected, hashed static files, as in production.
    call_command("collectstatic", interactive=False, verbosity=0)
    small, large = ready_plan(args.small), ready_plan(args.large)
    client = committee_client()
    unit = Unit.objects.get(code="bench-0002")
    results = {}
    for plan, tasks in [(small, args.small), (large, args.large)]:
        for page, url in [
            ("overview", f"/dashboard/?plan={plan.pk}&as_of=22/11/2026"),
            ("unit page", f"/dashboard/units/{unit.pk}/?plan={plan.pk}&as_of=22/11/2026"),
        ]:
            ms, queries, size = median_ms(client, url, args.runs)
            results[(page, tasks)] = ms
            print(
                f"{page:9}  {UNITS} units, {tasks:>7,} tasks: {ms:7.1f} ms median of {args.runs}"
                f"  ({queries} queries, {size / 1024:.0f} KB of HTML)"
            )
    first, second = results[("overview", args.small)], results[("overview", args.large)]
    ratio = second / first
    print(f"database   {connection.vendor}")
    print(f"ratio      {ratio:.2f}x  ({args.large:,} against {args.small:,} tasks)")
    fast = first < 300
    flat = ratio <= 3
    print(f"target     overview < 300 ms at {args.small:,} tasks: {'met' if fast else 'NOT met'}")
    print(f"target     {args.large:,} tasks <= 3x {args.small:,}: {'met' if flat else 'NOT met'}")
    light = True
    if not args.no_browser:
        for line, (sent, ms) in first_visit(small).items():
            print(
                f"first visit ({line}): {sent / 1000:.0f} KB of JavaScript sent,"
                f" first chart at {ms:.0f} ms (median of 5)"
            )
            light = light and sent < 600_000
        print(f"target     first visit < 600 KB of JavaScript: {'met' if light else 'NOT met'}")
    return 0 if fast and flat and light else 1


if __name__ == "__main__":
    sys.exit(main())
