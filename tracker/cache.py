"""The Redis cache, which a stopped Redis turns into a cache that holds nothing.

Sessions are `cached_db` (the database keeps every session, Redis a copy):
with Django's own Redis backend, a Redis that does not answer makes every
signed-in page fail. Here a read finds nothing and a write is dropped, each
logged (at most once a minute), so sessions are read from the database and
pages go on. A delete Redis missed (a sign-out) is done before anything is
read from it again, in the process that missed it. Connecting gives up after
a second, so that a Redis that hangs costs a page no more than that.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any, TypeVar

from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

log = logging.getLogger(__name__)
DOWN = (RedisConnectionError, RedisTimeoutError, OSError)
T = TypeVar("T")


class ResilientRedisCache(RedisCache):
    """RedisCache that answers "not cached" while Redis is down, instead of raising."""

    _last_warning = 0.0
    # Deletes Redis missed, per process (class-wide: a cache object is made per thread).
    _pending: set[tuple[Any, int | None]] = set()

    def __init__(self, server: str, params: dict[str, Any]) -> None:
        options = params.setdefault("OPTIONS", {})
        options.setdefault("socket_connect_timeout", 1)
        options.setdefault("socket_timeout", 1)
        super().__init__(server, params)

    def _or(self, default: T, call: Callable[[], T]) -> T:
        try:
            return call()
        except DOWN as exc:
            now = time.monotonic()
            if now - ResilientRedisCache._last_warning > 60:
                ResilientRedisCache._last_warning = now
                log.warning("Redis is not answering; going on without the cache: %s", exc)
            return default

    def get(self, *args: Any, **kwargs: Any) -> Any:
        default = args[1] if len(args) > 1 else kwargs.get("default")
        if self._pending:
            self._or(None, self._flush_pending)
            if self._pending:
                return default
        return self._or(default, lambda: super(ResilientRedisCache, self).get(*args, **kwargs))

    def set(self, *args: Any, **kwargs: Any) -> None:
        self._or(None, lambda: super(ResilientRedisCache, self).set(*args, **kwargs))

    def add(self, *args: Any, **kwargs: Any) -> bool:
        return self._or(False, lambda: super(ResilientRedisCache, self).add(*args, **kwargs))

    def touch(self, *args: Any, **kwargs: Any) -> bool:
        return self._or(False, lambda: super(ResilientRedisCache, self).touch(*args, **kwargs))

    def delete(self, key: Any, version: int | None = None) -> bool:
        """A delete that Redis did not take is kept and done first thing when it answers
        again: a session signed out meanwhile must not come back from the cache."""
        done = self._or(None, lambda: super(ResilientRedisCache, self).delete(key, version))
        if done is None:
            self._pending.add((key, version))
            return False
        return bool(done)

    def _flush_pending(self) -> None:
        while self._pending:
            key, version = next(iter(self._pending))
            super().delete(key, version)  # raises while Redis is still down
            self._pending.discard((key, version))

    def get_many(self, *args: Any, **kwargs: Any) -> dict[Any, Any]:
        return self._or({}, lambda: super(ResilientRedisCache, self).get_many(*args, **kwargs))

    def has_key(self, *args: Any, **kwargs: Any) -> bool:
        return self._or(False, lambda: super(ResilientRedisCache, self).has_key(*args, **kwargs))

    def set_many(self, *args: Any, **kwargs: Any) -> list[Any]:
        return self._or([], lambda: super(ResilientRedisCache, self).set_many(*args, **kwargs))

    def delete_many(self, *args: Any, **kwargs: Any) -> None:
        self._or(None, lambda: super(ResilientRedisCache, self).delete_many(*args, **kwargs))

    def clear(self) -> None:
        self._or(None, lambda: super(ResilientRedisCache, self).clear())
