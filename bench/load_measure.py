"""What bench/load.py measures besides the clients' times: CPU by part, each page alone."""

from __future__ import annotations

import logging
import os
import time
from pathlib import Path
from typing import Any

PASSWORD = "cchc2026"  # the demo's published password
UNIT = "snv"  # a unit of the load's crowd (bench/load.py UNITS)


def cpu_seconds(servers: tuple[int, ...]) -> dict[str, float]:
    """CPU time so far of gunicorn, PostgreSQL, Redis and these clients (Linux's /proc)."""
    tick = os.sysconf("SC_CLK_TCK")
    used: dict[str, float] = {"gunicorn": 0.0, "PostgreSQL": 0.0, "Redis": 0.0}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        name = stat[stat.index("(") + 1 : stat.rindex(")")]
        fields = stat[stat.rindex(")") + 2 :].split()
        pid, ppid, cpu = int(entry.name), int(fields[1]), int(fields[11]) + int(fields[12])
        group = (
            "gunicorn" if pid in servers or ppid in servers
            else "PostgreSQL" if name == "postgres"
            else "Redis" if name.startswith("redis")
            else None
        )  # fmt: skip
        if group:
            used[group] += cpu / tick
    mine = os.times()
    used["the clients"] = mine.user + mine.system
    return used


def where_time_goes(people: dict[str, Any]) -> None:
    """Each kind of page alone, in this process: its queries, their time, the rest (Python)."""
    from django.db import connection
    from django.http import HttpRequest
    from django.test import Client as Browser
    from django.test.utils import CaptureQueriesContext

    from plans.models import Unit
    from tasks.models import Task

    plan, unit = people["plan"], Unit.objects.get(code=UNIT).pk
    task = Task.objects.filter(assignees__user__username=f"{UNIT}.cv1").first()
    assert task is not None
    pages = [
        (f"{UNIT}.cv1", "/", "my tasks (page)"),
        (f"{UNIT}.cv1", f"/tasks/{task.pk}/", "a task (page)"),
        (f"{UNIT}.cv1", f"/api/v1/tasks/{task.pk}", "a task (API)"),
        (f"{UNIT}.cv1", "/inbox/", "inbox (page)"),
        (f"{UNIT}.head", "/review/", "review queue (page)"),
        (f"{UNIT}.head", f"/dashboard/units/{unit}/", "unit dashboard (page)"),
        (people["committee"][0]["username"], "/dashboard/", "overview (page)"),
        (people["committee"][0]["username"], f"/plans/{plan}/scores/", "score table (page)"),
        (people["committee"][0]["username"], f"/api/v1/plans/{plan}/scores", "scores (API)"),
    ]
    logging.getLogger("axes").setLevel(logging.WARNING)
    print("\nOne request at a time, in-process (median of 5):")
    print(f"{'request':<24} {'queries':>8} {'SQL ms':>7} {'other ms':>9} {'session saved':>14}")
    for username, path, label in pages:
        browser = Browser(HTTP_HOST="127.0.0.1")
        browser.login(request=HttpRequest(), username=username, password=PASSWORD)
        browser.get(path)
        runs = []
        for _ in range(5):
            key = browser.cookies["sessionid"].value
            with CaptureQueriesContext(connection) as queries:
                started = time.perf_counter()
                answer = browser.get(path)
                took = time.perf_counter() - started
            assert answer.status_code == 200, (path, answer.status_code)
            sql = sum(float(q["time"]) for q in queries.captured_queries)
            saved = "sessionid" in answer.cookies or browser.cookies["sessionid"].value != key
            runs.append((took, len(queries), sql, saved))
        took, count, sql, saved = sorted(runs)[2]
        print(
            f"{label:<24} {count:>8} {sql * 1000:>7.1f} {(took - sql) * 1000:>9.1f} "
            f"{'yes' if saved else 'no':>14}"
        )
