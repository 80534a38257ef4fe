"""Send the dashboards' reads to a read replica when one is configured.

Only code run inside `reading_from_replica()` (the dashboard pages) reads from
the `replica` database; every write, and every read elsewhere, uses `default`.
Without DATABASE_REPLICA_URL there is no `replica` and nothing changes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import wraps
from typing import Any, ParamSpec, TypeVar

from django.conf import settings
from django.db import models

_on_replica: ContextVar[bool] = ContextVar("on_replica", default=False)
P = ParamSpec("P")
R = TypeVar("R")


@contextmanager
def reading_from_replica() -> Iterator[None]:
    """Reads inside this block go to the replica (if there is one)."""
    token = _on_replica.set(True)
    try:
        yield
    finally:
        _on_replica.reset(token)


def replica_reads(view: Callable[P, R]) -> Callable[P, R]:
    """A view whose reads may come from the replica (the dashboards)."""

    @wraps(view)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        with reading_from_replica():
            return view(*args, **kwargs)

    return wrapper


class DashboardReplicaRouter:
    def db_for_read(self, model: type[models.Model], **hints: Any) -> str | None:
        if _on_replica.get() and "replica" in settings.DATABASES:
            return "replica"
        return None

    def db_for_write(self, model: type[models.Model], **hints: Any) -> str | None:
        return "default"

    def allow_relation(self, obj1: models.Model, obj2: models.Model, **hints: Any) -> bool:
        return True

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool:
        return db == "default"
