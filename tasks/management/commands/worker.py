"""Run the django-q2 cluster so that a SIGTERM to the whole group stops it cleanly.

`manage.py qcluster` hangs for ever when SIGTERM reaches every process of the
service at once (systemd's default KillMode=control-group, `timeout`, `kill --
-PGID`): django-q2's sentinel resets SIGTERM to the default action, so it dies
while waiting on the cluster's stop event, and the parent's signal handler then
blocks in `stop_event.set()` waiting for that dead process to wake up.

Here SIGTERM and SIGINT are blocked in the main thread before the cluster forks:
the sentinel, the workers, the pusher and the monitor inherit the mask (a
process started by fork keeps it, and resetting a handler does not clear it),
so only this process takes the signal, with `sigtimedwait`, outside any signal
handler, and stops the cluster the way a SIGTERM to this process alone does:
the pusher stops, the workers finish the tasks they already hold, the monitor
saves their results. A wait interrupted by a pause is not a stop (is_stop).
(A program a task starts with subprocess inherits the
mask too: pass preexec_fn that unblocks the signals if it must see them.)
"""

from __future__ import annotations

import signal
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django_q.cluster import Cluster

STOP_SIGNALS = {signal.SIGTERM, signal.SIGINT}


def is_stop(info: Any) -> bool:
    """Whether `sigtimedwait` really took SIGTERM or SIGINT.

    A wait that was paused (SIGSTOP, a suspended laptop, a frozen container)
    past its timeout returns, on CPython 3.11 under Linux, a `struct_siginfo`
    of uninitialised memory rather than None: only a signal number that is one
    of ours is a stop.
    """
    return info is not None and getattr(info, "si_signo", None) in STOP_SIGNALS


class Command(BaseCommand):
    help = "Starts the django-q2 cluster; SIGTERM or SIGINT (to it or its group) stops it."

    def handle(self, *args: Any, **options: Any) -> None:
        signal.pthread_sigmask(signal.SIG_BLOCK, STOP_SIGNALS)
        cluster = Cluster()  # its handlers never run: the signals stay blocked here
        cluster.start()
        while cluster.sentinel.is_alive():
            if is_stop(signal.sigtimedwait(STOP_SIGNALS, 1.0)):
                cluster.stop()
                return
        raise CommandError(f"the cluster's sentinel died (exit code {cluster.sentinel.exitcode})")
