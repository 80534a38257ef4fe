"""Stored files that never outlive a failed write: whole or absent, kept only with their row.

- `AtomicFileSystemStorage` writes a file under a temporary name in its
  folder and links it into place once it is whole: a write that fails (a full
  disk) leaves nothing, where Django's own left a truncated file behind.
- `atomic_with_files` is `transaction.atomic` for a write that stores files:
  each file the call stores (`stored(storage, name)`) is deleted again if the
  transaction does not commit, its commit included (SQLite's "disk is full"
  comes at the commit). Inside another transaction that is not such a call,
  the file is left to that transaction's caller; `manage.py check_files`
  lists what nothing refers to, and `--clean` removes it.
- `is_disk_full` tells a full disk from other errors (507, not 500 or 503).
"""

from __future__ import annotations

import contextlib
import errno
import functools
import os
import tempfile
from collections.abc import Callable
from contextvars import ContextVar
from typing import ParamSpec, TypeVar

from django.core.files.base import File
from django.core.files.storage import FileSystemStorage, Storage
from django.db import transaction

P = ParamSpec("P")
R = TypeVar("R")
_written: ContextVar[list[tuple[Storage, str]] | None] = ContextVar("written", default=None)


class AtomicFileSystemStorage(FileSystemStorage):
    """A folder whose files appear whole or not at all."""

    def _save(self, name: str, content: File) -> str:
        full = self.path(name)
        folder = os.path.dirname(full)
        os.makedirs(folder, exist_ok=True)
        handle, partial = tempfile.mkstemp(dir=folder, prefix=".partial-")
        try:
            with os.fdopen(handle, "wb") as out:
                if hasattr(content, "temporary_file_path"):
                    with open(content.temporary_file_path(), "rb") as source:
                        while block := source.read(1 << 20):
                            out.write(block)
                else:
                    for chunk in content.chunks():
                        out.write(chunk)
            if self.file_permissions_mode is not None:
                os.chmod(partial, self.file_permissions_mode)
            while True:
                try:
                    os.link(partial, full)  # never over another file of the same name
                    break
                except FileExistsError:
                    name = self.get_available_name(name)
                    full = self.path(name)
        finally:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(partial)
        return str(name).replace("\\", "/")


def stored(storage: Storage, name: str) -> None:
    """Say that the running `atomic_with_files` call stored this file."""
    written = _written.get()
    if written is not None:
        written.append((storage, name))


def atomic_with_files(func: Callable[P, R]) -> Callable[P, R]:
    """`transaction.atomic`, and the files the call stored deleted unless it commits."""

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        if _written.get() is not None:  # an outer call of ours decides for its files
            with transaction.atomic():
                return func(*args, **kwargs)
        written: list[tuple[Storage, str]] = []
        token = _written.set(written)
        try:
            with transaction.atomic():
                return func(*args, **kwargs)
        except BaseException:
            for storage, name in written:
                with contextlib.suppress(Exception):
                    storage.delete(name)
            raise
        finally:
            _written.reset(token)

    return wrapper


def is_disk_full(exc: BaseException | None) -> bool:
    """A full disk, however it shows: OSError ENOSPC (or EDQUOT), SQLite's "database or
    disk is full", PostgreSQL's disk_full (53100) or "No space left on device"."""
    seen: set[int] = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        if isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT):
            return True
        text = str(exc).lower()
        if "disk is full" in text or "no space left on device" in text:
            return True
        if getattr(exc, "sqlstate", None) == "53100" or getattr(exc, "pgcode", None) == "53100":
            return True
        exc = exc.__cause__ or exc.__context__
    return False


def write_whole(path: str | os.PathLike[str], data: bytes) -> None:
    """Write a file under a temporary name beside it and rename it into place: whole or absent."""
    folder = os.path.dirname(os.fspath(path)) or "."
    handle, partial = tempfile.mkstemp(dir=folder, prefix=".partial-")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.replace(partial, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(partial)


def free_bytes(path: str | os.PathLike[str]) -> int:
    """What an unprivileged writer may still store on the file system holding `path`."""
    stats = os.statvfs(path)
    return stats.f_bavail * stats.f_frsize


__all__ = [
    "AtomicFileSystemStorage",
    "atomic_with_files",
    "free_bytes",
    "is_disk_full",
    "stored",
    "write_whole",
]
