"""Settings come from the environment and refuse an unsafe production start."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PROBE = (
    "import django, json; from django.conf import settings; django.setup(); "
    "print(json.dumps({'engine': settings.DATABASES['default']['ENGINE'], "
    "'redis': settings.Q_CLUSTER.get('redis'), 'orm': settings.Q_CLUSTER.get('orm'), "
    "'tz': settings.TIME_ZONE, 'lang': settings.LANGUAGE_CODE, 'email': settings.EMAIL_BACKEND}))"
)


def run(env: dict[str, str], tmp_path: Path) -> subprocess.CompletedProcess[str]:
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in {"SECRET_KEY", "DEBUG", "DATABASE_URL", "REDIS_URL", "EMAIL_HOST"}
    }
    clean.update({"DJANGO_SETTINGS_MODULE": "tracker.settings", "DATA_DIR": str(tmp_path), **env})
    return subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_production_refuses_to_start_without_a_secret_key(tmp_path: Path) -> None:
    result = run({"DEBUG": "0"}, tmp_path)
    assert result.returncode != 0
    assert "SECRET_KEY must be set when DEBUG=0" in result.stderr


def test_production_refuses_a_weak_secret_key(tmp_path: Path) -> None:
    result = run({"DEBUG": "0", "SECRET_KEY": "short"}, tmp_path)
    assert result.returncode != 0
    assert "too weak" in result.stderr


def test_production_starts_with_a_real_secret_key(tmp_path: Path) -> None:
    result = run({"DEBUG": "0", "SECRET_KEY": "x7" * 25}, tmp_path)
    assert result.returncode == 0, result.stderr


def test_embedded_defaults_are_sqlite_the_orm_broker_and_the_console(tmp_path: Path) -> None:
    result = run({}, tmp_path)
    assert result.returncode == 0, result.stderr
    assert '"engine": "django.db.backends.sqlite3"' in result.stdout
    assert '"orm": "default"' in result.stdout and '"redis": null' in result.stdout
    assert '"tz": "Asia/Ho_Chi_Minh"' in result.stdout and '"lang": "vi"' in result.stdout
    assert "console.EmailBackend" in result.stdout


def test_database_url_and_redis_url_switch_to_postgresql_and_redis(tmp_path: Path) -> None:
    result = run(
        {
            "DATABASE_URL": "postgres://u:p@db:5432/cchc",
            "REDIS_URL": "redis://cache:6379/1",
            "EMAIL_HOST": "smtp.example",
        },
        tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert '"engine": "django.db.backends.postgresql"' in result.stdout
    assert '"redis": "redis://cache:6379/1"' in result.stdout
    assert "smtp.EmailBackend" in result.stdout
