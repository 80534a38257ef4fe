"""A migrated installation of the embedded default, made once for the tests that run
the product's own processes on it (each takes a copy)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DROPPED = {"DATABASE_URL", "REDIS_URL", "SECRET_KEY", "DEBUG", "EVIDENCE_ROOT"}


def embedded_env(folder: Path, **extra: str) -> dict[str, str]:
    """The environment of a manage.py process on the embedded default in `folder`."""
    env = {k: v for k, v in os.environ.items() if k not in DROPPED}
    env.update({"DATA_DIR": str(folder), "ACCESS_LOG": "0", **extra})
    return env


@pytest.fixture(scope="session")
def migrated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A DATA_DIR with its SQLite database migrated, nothing else."""
    folder = tmp_path_factory.mktemp("embedded")
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"],
        cwd=ROOT,
        env=embedded_env(folder),
        check=True,
    )
    return folder


def copy_installation(source: Path, target: Path) -> Path:
    """The database and the secret key of an installation, into another DATA_DIR."""
    target.mkdir(parents=True, exist_ok=True)
    for name in ("db.sqlite3", "secret_key"):
        shutil.copy(source / name, target / name)
    return target
