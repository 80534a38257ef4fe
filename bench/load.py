"""Benchmark: the product under 50 people at once, as it is served in production.

Target (issue: production by default): gunicorn with 2 workers on PostgreSQL
and Redis, on loopback, 50 concurrent clients for 60 s over a realistic mix,
with zero errors, and every evidence upload answered 201 found in the database
and on disk with its SHA-256.

    .venv/bin/python bench/load.py                 # 50 clients, 60 s
    .venv/bin/python bench/load.py --clients 20 --seconds 30 --workers 4
    .venv/bin/python bench/load.py --hosts 2 --workers 1   # two servers behind a "balancer"

It makes its own database (LOAD_DATABASE_URL, default the PostgreSQL database
`cchc_load` on 127.0.0.1, dropped and made again each run; DATABASE_URL is
ignored), its own Redis database (LOAD_REDIS_URL, default db 3, emptied) and its own files under
var/bench-load/. The demo province is loaded, then 30 open tasks for each of
its officials, so that nobody runs out of work in the minute.

The clients, each on its own connection, without pauses:
- 30 officials (the .cv1 and .cv2 of 15 units): their task list, a task's page,
  then the next step of one of their own tasks through the API (start, upload a
  PDF, submit), and now and then the inbox;
- the 15 heads of those units: the review queue, a submitted task's page, its
  review through the API (one in four returned with a comment), the unit's
  dashboard, and an edit from a stale copy (the same `version` sent twice: the
  second must answer 409);
- 5 committee clients (one committee login): the province overview, the score table page, the
  scores through the API and a unit's dashboard.
A request answered with any other status than the one expected, or not
answered, is an error. The table gives requests per second and the median and
95th percentile time of each kind of request.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import random
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
# LOAD_EMBEDDED=1: the embedded default instead (SQLite in DATA, no Redis), as the
# start command runs it.
EMBEDDED = os.environ.get("LOAD_EMBEDDED") == "1"
DATA = ROOT / "var" / ("bench-embedded" if EMBEDDED else "bench-load")
# Its own database and Redis db, dropped and emptied each run: never DATABASE_URL
# or REDIS_URL, which may name an installation's own.
if EMBEDDED:
    os.environ.pop("DATABASE_URL", None)
    os.environ.pop("REDIS_URL", None)
else:
    os.environ["DATABASE_URL"] = os.environ.get(
        "LOAD_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/cchc_load"
    )
    os.environ["REDIS_URL"] = os.environ.get("LOAD_REDIS_URL", "redis://127.0.0.1:6379/3")
os.environ["DATA_DIR"] = str(DATA)
os.environ["EVIDENCE_ROOT"] = str(DATA / "evidence")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tracker.settings")
os.environ.pop("DEBUG", None)


import requests  # noqa: E402
from load_measure import cpu_seconds, where_time_goes  # noqa: E402

PASSWORD = "cchc2026"  # the demo's published password
UNITS = [
    "snv", "stc", "stp", "sct", "syt", "sxd", "sgddt", "skhcn",
    "p-1-bao-loc", "p-b-lao", "p-cam-ly", "x-di-linh", "x-lac-duong", "x-duc-trong", "x-nam-ban",
]  # fmt: skip
TASKS_PER_OFFICIAL = 30
EDITS_PER_HEAD = 5
KEEPALIVE = 2  # tracker/gunicorn.conf.py


def prepare() -> dict[str, Any]:
    """A fresh database with the demo province and the work of the minute; who does what."""
    if EMBEDDED:
        for name in ("db.sqlite3", "db.sqlite3-wal", "db.sqlite3-shm"):
            (DATA / name).unlink(missing_ok=True)
    else:
        import psycopg
        import redis

        url = os.environ["DATABASE_URL"]
        name = url.rsplit("/", 1)[1]
        with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{name}"')
        redis.Redis.from_url(os.environ["REDIS_URL"]).flushdb()
    evidence = DATA / "evidence"
    if evidence.is_mount():  # a file system of its own (bench/faults.py disk): emptied
        for child in evidence.iterdir():
            shutil.rmtree(child) if child.is_dir() else child.unlink()
    else:
        shutil.rmtree(evidence, ignore_errors=True)

    import django

    django.setup()
    import datetime as dt

    from django.core.management import call_command

    from plans.models import Official, Plan, Role
    from tasks import services

    call_command("migrate", verbosity=0)
    call_command("seed_demo", verbosity=0, stdout=open(os.devnull, "w"))  # noqa: SIM115
    call_command("collectstatic", verbosity=0, interactive=False)
    plan = Plan.objects.get(parent=None, year=2026)
    admin = Official.objects.get(role=Role.ADMIN)
    due = dt.date(2026, 12, 31)
    people: dict[str, Any] = {"plan": plan.pk, "officials": [], "heads": [], "committee": []}
    for code in UNITS:
        head = Official.objects.get(user__username=f"{code}.head")
        unit_id = head.unit_id
        assert unit_id is not None
        edits = [
            services.create_task(
                admin, plan, title=f"Sửa đổi quy chế {n} ({code})", area=1,
                lead_unit_id=unit_id, due_date=due, confirm_past_deadline=True,
            ).pk
            for n in range(EDITS_PER_HEAD)
        ]  # fmt: skip
        people["heads"].append({"username": f"{code}.head", "unit": unit_id, "edits": edits})
        for cv in ("cv1", "cv2"):
            who = Official.objects.get(user__username=f"{code}.{cv}")
            tasks = [
                services.create_task(
                    admin, plan, title=f"Rà soát thủ tục hành chính {n} ({who.user.username})",
                    area=1 + n % 8, lead_unit_id=unit_id, due_date=due, confirm_past_deadline=True,
                    assignee_ids=[who.pk],
                ).pk
                for n in range(TASKS_PER_OFFICIAL)
            ]  # fmt: skip
            people["officials"].append({"username": who.user.username, "tasks": tasks})
    committee = Official.objects.filter(role=Role.COMMITTEE).first()
    assert committee is not None
    people["committee"] = [{"username": committee.user.username}] * 5
    people["units"] = [h["unit"] for h in people["heads"]]
    from django.db import connections

    connections.close_all()
    return people


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(port: int, workers: int) -> subprocess.Popen[bytes]:
    env = {**os.environ, "PORT": str(port), "WEB_WORKERS": str(workers), "ACCESS_LOG": "0"}
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "tracker.wsgi", "-c", "tracker/gunicorn.conf.py"],
        cwd=ROOT,
        env=env,
        stdout=open(DATA / "gunicorn.log", "wb"),  # noqa: SIM115
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    for _ in range(300):
        try:
            if requests.get(f"http://127.0.0.1:{port}/accounts/login/", timeout=2).ok:
                return server
        except requests.RequestException:  # not listening yet, or its first answer slow
            time.sleep(0.1)
    raise SystemExit("gunicorn did not answer; see var/bench-load/gunicorn.log")


@dataclass
class Result:
    label: str
    status: int
    seconds: float
    expected: bool
    at: float = 0.0  # when it was sent (time.monotonic())
    retry_after: str = ""  # the Retry-After header


@dataclass
class Upload:
    evidence_id: int
    sha256: str


@dataclass
class Log:
    results: list[Result] = field(default_factory=list)
    uploads: list[Upload] = field(default_factory=list)
    edits: dict[int, str] = field(default_factory=dict)  # task: the last edit answered 200
    failures: list[str] = field(default_factory=list)
    began: float = 0.0
    cpu: dict[str, float] = field(default_factory=dict)  # cores busy, by part
    lock: threading.Lock = field(default_factory=threading.Lock)


class Client:
    """One person at a browser (a session) and a script (a token).

    With several servers (`bases`, the hosts behind a balancer), each request
    goes to one of them at random, with the same cookies and token.
    """

    def __init__(self, bases: list[str], username: str, log: Log, stop_at: float) -> None:
        self.bases = bases
        self.log = log
        self.stop_at = stop_at
        self.rng = random.Random(username)
        web = requests.Session()
        base = bases[0]
        page = web.get(f"{base}/accounts/login/", timeout=30)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
        assert token, "no CSRF token on the login page"
        form = {"username": username, "password": PASSWORD, "csrfmiddlewaretoken": token[1]}
        signed_in = web.post(f"{base}/accounts/login/", data=form, timeout=30)
        assert signed_in.ok and "sessionid" in web.cookies, f"{username} could not sign in"
        answer = requests.post(
            f"{base}/api/v1/auth/token",
            json={"username": username, "password": PASSWORD},
            timeout=30,
        )
        assert answer.status_code == 200, answer.text
        self.cookies = web.cookies
        self.bearer = f"Bearer {answer.json()['token']}"
        # One connection per server for the pages and one for the API, as a
        # browser and a script would hold them.
        self.sessions: dict[tuple[bool, str], requests.Session] = {}
        self.last_used: dict[tuple[bool, str], float] = {}

    def running(self) -> bool:
        return time.monotonic() < self.stop_at

    def session(self, api: bool, base: str) -> requests.Session:
        key = (api, base)
        if key not in self.sessions:
            session = self.sessions[key] = requests.Session()
            if api:
                session.headers["Authorization"] = self.bearer
            else:
                session.cookies = self.cookies
        return self.sessions[key]

    def call(
        self, label: str, method: str, path: str, expect: int = 200, api: bool = False, **kw: Any
    ) -> requests.Response | None:
        base = self.rng.choice(self.bases)
        session = self.session(api, base)
        started = time.monotonic()
        # A browser drops a connection the server is about to close (gunicorn
        # closes one idle for `keepalive` seconds) rather than race it.
        if started - self.last_used.get((api, base), started) > KEEPALIVE - 1:
            session.close()
        self.last_used[api, base] = started
        try:
            # A redirect (to the sign-in page, say) is an answer of its own, not followed.
            answer = session.request(method, base + path, timeout=60, allow_redirects=False, **kw)
        except requests.RequestException as exc:
            with self.log.lock:
                took = time.monotonic() - started
                self.log.results.append(Result(label, 0, took, False, started))
                self.log.failures.append(f"{label} {path}: {exc}")
            return None
        took = time.monotonic() - started
        ok = answer.status_code == expect
        with self.log.lock:
            retry = answer.headers.get("Retry-After", "")
            self.log.results.append(Result(label, answer.status_code, took, ok, started, retry))
            if not ok:
                said = answer.text[:200]
                self.log.failures.append(f"{label} {path}: {answer.status_code} {said}")
        return answer if ok else None


def official(client: Client, tasks: list[int]) -> None:
    """One task at a time, as people work: started, evidence, submitted, then the next."""
    n = 0
    while client.running() and n < len(tasks):
        task_id = tasks[n]
        client.call("official: my tasks (page)", "GET", "/")
        client.call("official: a task (page)", "GET", f"/tasks/{task_id}/")
        task = client.call("official: a task (API)", "GET", f"/api/v1/tasks/{task_id}", api=True)
        if task is None:
            continue
        status = task.json()["status"]
        if status == "todo":
            client.call("official: start (API)", "POST", f"/api/v1/tasks/{task_id}/start", api=True)
        elif status == "in_progress":
            path = f"/api/v1/tasks/{task_id}/evidence"
            listed = client.call("official: evidence list (API)", "GET", path, api=True)
            if listed is None:
                continue
            if not listed.json()["items"]:
                upload(client, task_id)
            elif client.call(
                "official: submit (API)", "POST", f"/api/v1/tasks/{task_id}/submit", api=True
            ):
                n += 1
                client.call("official: inbox (page)", "GET", "/inbox/")
        else:
            n += 1


def upload(client: Client, task_id: int) -> None:
    """A small PDF of its own content, so that each upload has its own hash."""
    body = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n" + secrets.token_bytes(20_000) + b"\n%%EOF\n"
    answer = client.call(
        "official: upload evidence (API)",
        "POST",
        f"/api/v1/tasks/{task_id}/evidence",
        expect=201,
        api=True,
        files={"file": ("bao-cao.pdf", body, "application/pdf")},
        data={"document_number": "12/BC-UBND", "issued_on": "2026-11-30", "note": "trang 2"},
    )
    if answer is not None:
        sent = hashlib.sha256(body).hexdigest()
        got = answer.json()
        with client.log.lock:
            if got["sha256"] != sent:
                client.log.failures.append(f"upload {got['id']}: answered another hash")
            client.log.uploads.append(Upload(got["id"], sent))


def head(client: Client, plan: int, unit: int, edits: list[int]) -> None:
    n = 0
    while client.running():
        n += 1
        client.call("head: review queue (page)", "GET", "/review/")
        listed = client.call(
            "head: submitted tasks (API)",
            "GET",
            f"/api/v1/plans/{plan}/tasks?status=submitted&lead_unit_id={unit}&limit=5",
            api=True,
        )
        for item in listed.json()["items"][:2] if listed is not None else []:
            client.call("head: a task (page)", "GET", f"/tasks/{item['id']}/")
            returned = client.rng.random() < 0.25
            body = {"decision": "return", "comment": "Bổ sung số liệu quý IV."} if returned else {}
            client.call(
                "head: review (API)",
                "POST",
                f"/api/v1/tasks/{item['id']}/review",
                api=True,
                json=body or {"decision": "accept", "comment": ""},
            )
        client.call("head: unit dashboard (page)", "GET", f"/dashboard/units/{unit}/")
        if n % 3 == 0:
            stale_edit(client, edits[n % len(edits)])


def stale_edit(client: Client, task_id: int) -> None:
    """Two tabs on one task: the first save wins, the second is told it is stale."""
    task = client.call("head: a task (API)", "GET", f"/api/v1/tasks/{task_id}", api=True)
    if task is None:
        return
    version = task.json()["version"]
    path = f"/api/v1/tasks/{task_id}"
    first = {"deliverable": f"Quyết định số {secrets.token_hex(4)}", "version": version}
    if not client.call("head: edit (API)", "PATCH", path, api=True, json=first):
        with client.log.lock:  # not answered: what is saved is no longer known
            client.log.edits.pop(task_id, None)
        return
    with client.log.lock:
        client.log.edits[task_id] = first["deliverable"]
    second = {"deliverable": "Bản sửa từ tab cũ", "version": version}
    client.call("head: stale edit, 409 (API)", "PATCH", path, expect=409, api=True, json=second)


def committee(client: Client, plan: int, units: list[int]) -> None:
    while client.running():
        client.call("committee: overview (page)", "GET", "/dashboard/")
        client.call("committee: score table (page)", "GET", f"/plans/{plan}/scores/")
        client.call("committee: scores (API)", "GET", f"/api/v1/plans/{plan}/scores", api=True)
        unit = client.rng.choice(units)
        client.call("committee: unit dashboard (page)", "GET", f"/dashboard/units/{unit}/")


def verify(log: Log) -> list[str]:
    """Every upload answered 201 is in the database; every evidence row has its file and hash;
    every edit answered 200 is the one saved."""
    import django

    django.setup()
    from tasks.models import Evidence, Task

    problems = []
    saved = dict(Task.objects.filter(pk__in=log.edits).values_list("pk", "deliverable"))
    problems += [
        f"task {pk}: the edit answered 200 is not what is saved"
        for pk, deliverable in log.edits.items()
        if saved.get(pk) != deliverable
    ]
    known = set(Evidence.objects.values_list("pk", flat=True))
    problems += [
        f"evidence {u.evidence_id}: answered 201, not in the database"
        for u in log.uploads
        if u.evidence_id not in known
    ]
    sent = {u.evidence_id: u.sha256 for u in log.uploads}
    for row in Evidence.objects.all().iterator():
        try:
            with row.file.open("rb") as f:
                on_disk = hashlib.sha256(f.read()).hexdigest()
        except OSError:
            problems.append(f"evidence {row.pk}: no file on disk")
            continue
        if on_disk != row.sha256 or sent.get(row.pk, row.sha256) != row.sha256:
            problems.append(f"evidence {row.pk}: hash differs")
    return problems


def report(log: Log, seconds: float) -> None:
    by_label: dict[str, list[Result]] = {}
    for r in log.results:
        by_label.setdefault(r.label, []).append(r)
    total = len(log.results)
    errors = sum(not r.expected for r in log.results)
    rate = total / seconds
    print(f"\n{total} requests in {seconds:.0f} s: {rate:.1f} per second, {errors} errors")
    print(f"{'request':<38} {'count':>6} {'p50 ms':>8} {'p95 ms':>8}")
    for label, rs in sorted(by_label.items()):
        times = sorted(r.seconds * 1000 for r in rs)
        p95 = times[min(len(times) - 1, int(len(times) * 0.95))]
        print(f"{label:<38} {len(rs):>6} {statistics.median(times):>8.0f} {p95:>8.0f}")
    every = sorted(r.seconds * 1000 for r in log.results)
    p95 = every[min(len(every) - 1, int(len(every) * 0.95))] if every else 0
    print(f"{'every request':<38} {total:>6} {statistics.median(every or [0]):>8.0f} {p95:>8.0f}")


Crowd = list[tuple[str, Callable[["Client"], None]]]


def crowd(people: dict[str, Any], clients: int) -> Crowd:
    """Everyone's work, in an order that mixes the roles, so that fewer clients still mix them."""
    everyone: list[tuple[float, str, Callable[[Client], None]]] = []
    for n, o in enumerate(people["officials"]):
        everyone.append((n / 30, o["username"], partial(official, tasks=o["tasks"])))
    for n, h in enumerate(people["heads"]):
        work = partial(head, plan=people["plan"], unit=h["unit"], edits=h["edits"])
        everyone.append((n / 15, h["username"], work))
    for n, m in enumerate(people["committee"]):
        work = partial(committee, plan=people["plan"], units=people["units"])
        everyone.append((n / 5, m["username"], work))
    return [(name, work) for _, name, work in sorted(everyone, key=lambda p: p[0])[:clients]]


def guarded(job: Callable[..., None], log: Log) -> Callable[..., None]:
    """A client or a fault that raises is a failure of the run, not a thread that quietly ends."""

    def run(*args: Any) -> None:
        try:
            job(*args)
        except BaseException as exc:  # SystemExit from a wait, too
            with log.lock:
                log.failures.append(f"{getattr(job, '__name__', job)!s}: {exc!r}")

    return run


def drive(
    bases: list[str],
    people: Crowd,
    log: Log,
    seconds: float,
    during: Callable[[], None] | None = None,
    servers: tuple[int, ...] = (),
) -> float:
    """Sign everyone in, then let them work for `seconds` (and `during` beside them).

    With the servers' pids, the CPU each part used while they worked goes in `log.cpu`.
    """
    signed_in = [Client(bases, name, log, 0) for name, _ in people]
    log.results.clear()
    first = cpu_seconds(servers) if servers else {}
    log.began = time.monotonic()
    threads = []
    for client, (_, job) in zip(signed_in, people, strict=True):
        client.stop_at = log.began + seconds
        threads.append(threading.Thread(target=guarded(job, log), args=(client,), daemon=True))
    if during is not None:
        threads.append(threading.Thread(target=guarded(during, log), daemon=True))
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    took = time.monotonic() - log.began
    if servers:
        last = cpu_seconds(servers)
        log.cpu = {part: (last[part] - first[part]) / took for part in last}
    return took


def run(clients: int, seconds: float, workers: int, hosts: int) -> int:
    DATA.mkdir(parents=True, exist_ok=True)
    print("Preparing the database (the demo province and the minute's work)…", flush=True)
    people = prepare()
    ports = [free_port() for _ in range(hosts)]
    servers = [start_server(port, workers) for port in ports]
    log = Log()
    try:
        print(
            f"{clients} clients for {seconds:.0f} s against {hosts} gunicorn "
            f"({workers} workers each)…"
        )
        bases = [f"http://127.0.0.1:{port}" for port in ports]
        pids = tuple(s.pid for s in servers)
        took = drive(bases, crowd(people, clients), log, seconds, servers=pids)
    finally:
        for server in servers:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(30)
    report(log, took)
    cores = ", ".join(f"{part} {busy:.2f}" for part, busy in log.cpu.items())
    print(f"CPU, in cores busy over the run: {cores} (of {os.cpu_count()})")
    problems = verify(log)
    print(f"\n{len(log.uploads)} uploads answered 201: {len(problems)} missing or different")
    for line in (log.failures + problems)[:20]:
        print("  " + line)
    where_time_goes(people)
    return 1 if log.failures or problems else 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else "")
    parser.add_argument("--clients", type=int, default=50, choices=range(1, 51), metavar="1-50")
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers per server")
    parser.add_argument(
        "--hosts", type=int, default=1, help="servers, each request to one of them at random"
    )
    args = parser.parse_args()
    sys.exit(run(args.clients, args.seconds, args.workers, args.hosts))


if __name__ == "__main__":
    main()
