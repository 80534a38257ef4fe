"""Run the web server and the worker side by side, and restart whichever stops unasked.

`python -m tracker.supervise` is what scripts/serve.sh runs once the database
and the static files are ready. Each component is a child process:

- a child that exits while nobody asked it to stop (a crash, a kill, a worker
  that left after a pause) is started again after a back-off of 1, 2, 4 … 60
  seconds, back to 1 once it has run for a minute; each restart is logged;
- the web server never stops because the worker did, nor the other way round;
- each component runs in a process group of its own: one that died is ended
  with whatever it left running (a worker's cluster processes) before it is
  started again;
- SIGTERM or SIGINT to this process (or to its whole process group, as Ctrl-C
  and systemd send it) sends SIGTERM to every component's group, waits for
  them, and exits; a group still running after STOP_WAIT seconds is killed;
- what each component is doing (its pid, when it started, how often it was
  restarted, its last exit) is written to DATA_DIR/supervisor.json, which the
  health page reads.

It imports nothing of Django: it must start, and keep restarting, even when
the product itself cannot be imported.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import logging
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType

log = logging.getLogger("tracker.supervise")

BACKOFF_FIRST = 1.0
BACKOFF_MAX = 60.0
HEALTHY_AFTER = 60.0  # a child that ran this long starts its back-off again from the first step
STOP_WAIT = 30.0
STATE_FILE = "supervisor.json"


@dataclass
class Component:
    """One supervised program and what happened to it."""

    name: str
    command: list[str]
    pid: int | None = None
    started_at: str = ""
    restarts: int = 0
    last_exit: int | None = None
    last_exit_at: str = ""
    next_start_at: str = ""
    process: subprocess.Popen[bytes] | None = field(default=None, repr=False)
    started_mono: float = 0.0
    backoff: float = BACKOFF_FIRST
    due_mono: float = 0.0

    def public(self) -> dict[str, object]:
        """What the state file says about it."""
        return {
            "pid": self.pid,
            "started_at": self.started_at,
            "restarts": self.restarts,
            "last_exit": self.last_exit,
            "last_exit_at": self.last_exit_at,
            "next_start_at": self.next_start_at,
        }


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


class Supervisor:
    """Start, watch and restart the components; stop them all on request."""

    def __init__(self, components: list[Component], state_path: Path) -> None:
        self.components = components
        self.state_path = state_path
        self.stopping = False

    def request_stop(self, signum: int, frame: FrameType | None) -> None:
        self.stopping = True

    def start(self, component: Component) -> None:
        # Each component in a process group of its own, so that what a component left
        # behind when it died (a worker's cluster processes) can be ended with it.
        component.process = subprocess.Popen(component.command, process_group=0)
        component.pid = component.process.pid
        component.started_at = _now()
        component.next_start_at = ""
        component.started_mono = time.monotonic()
        log.info("%s started (pid %s)", component.name, component.pid)

    def reap(self, component: Component) -> None:
        """A child that exited unasked: record it and schedule its restart."""
        assert component.process is not None
        code = component.process.returncode
        # Its own processes, orphaned by the death of its first one, go with it.
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(component.process.pid, signal.SIGKILL)
        ran = time.monotonic() - component.started_mono
        if ran >= HEALTHY_AFTER:
            component.backoff = BACKOFF_FIRST
        delay = component.backoff
        component.backoff = min(component.backoff * 2, BACKOFF_MAX)
        component.process = None
        component.pid = None
        component.last_exit = code
        component.last_exit_at = _now()
        component.restarts += 1
        component.due_mono = time.monotonic() + delay
        component.next_start_at = (dt.datetime.now(dt.UTC) + dt.timedelta(seconds=delay)).isoformat(
            timespec="seconds"
        )
        log.warning(
            "%s stopped unasked (exit code %s after %.0f s); restarting in %.0f s",
            component.name,
            code,
            ran,
            delay,
        )

    def write_state(self) -> None:
        """The state file, replaced whole so that a reader never sees half of it."""
        body = {
            "supervisor_pid": os.getpid(),
            "written_at": _now(),
            "components": {c.name: c.public() for c in self.components},
        }
        partial = self.state_path.with_name(self.state_path.name + ".partial")
        try:
            partial.write_text(json.dumps(body, indent=1), encoding="utf-8")
            partial.replace(self.state_path)
        except OSError as exc:  # a full disk must not stop the supervision
            log.warning("cannot write %s: %s", self.state_path, exc)

    def run(self, poll: float = 0.2) -> int:
        try:
            self.watch(poll)
        finally:  # whatever happens here, no child is left running on its own
            code = self.stop_all()
        return code

    def watch(self, poll: float) -> None:
        for component in self.components:
            self.start(component)
        self.write_state()
        while not self.stopping:
            changed = False
            for component in self.components:
                if component.process is not None and component.process.poll() is not None:
                    self.reap(component)
                    changed = True
                elif component.process is None and time.monotonic() >= component.due_mono:
                    self.start(component)
                    changed = True
            if changed:
                self.write_state()
            time.sleep(poll)

    def stop_all(self) -> int:
        """SIGTERM to every running child, then wait; SIGKILL to what outlives STOP_WAIT."""
        running = [c.process for c in self.components if c.process is not None]
        for process in running:
            if process.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGTERM)  # the component and its processes
        deadline = time.monotonic() + STOP_WAIT
        for process in running:
            try:
                process.wait(timeout=max(0.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        for component in self.components:
            component.process, component.pid = None, None
        self.write_state()
        log.info("stopped")
        return 0


def components_from_env(python: str) -> list[Component]:
    """The worker and the web server as scripts/serve.sh asks for them."""
    if os.environ.get("DEBUG", "0") == "1":
        host, port = os.environ.get("HOST", "127.0.0.1"), os.environ.get("PORT", "8000")
        web = [python, "manage.py", "runserver", f"{host}:{port}", "--noreload"]
    else:
        web = [python, "-m", "gunicorn", "tracker.wsgi", "-c", "tracker/gunicorn.conf.py"]
    return [
        Component("worker", [python, "manage.py", "worker"]),
        Component("web", web),
    ]


def state_path() -> Path:
    base = Path(__file__).resolve().parent.parent
    return Path(os.environ.get("DATA_DIR", base / "var")) / STATE_FILE


def main() -> int:
    logging.basicConfig(
        level=logging.INFO, format="[%(asctime)s] [supervise] %(message)s", stream=sys.stderr
    )
    supervisor = Supervisor(components_from_env(sys.executable), state_path())
    signal.signal(signal.SIGTERM, supervisor.request_stop)
    signal.signal(signal.SIGINT, supervisor.request_stop)
    return supervisor.run()


if __name__ == "__main__":
    sys.exit(main())
