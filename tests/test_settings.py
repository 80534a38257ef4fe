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


def run(
    env: dict[str, str], tmp_path: Path, probe: str = PROBE
) -> subprocess.CompletedProcess[str]:
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in {"SECRET_KEY", "DEBUG", "DATABASE_URL", "REDIS_URL", "EMAIL_HOST", "HTTPS"}
    }
    clean.update({"DJANGO_SETTINGS_MODULE": "tracker.settings", "DATA_DIR": str(tmp_path), **env})
    return subprocess.run(
        [sys.executable, "-c", probe],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_production_is_the_default_and_the_secret_key_is_made_once_in_data_dir(
    tmp_path: Path,
) -> None:
    probe = PROBE.replace("'tz'", "'debug': settings.DEBUG, 'key': settings.SECRET_KEY, 'tz'")
    first = run({}, tmp_path, probe)
    assert first.returncode == 0, first.stderr
    kept = tmp_path / "secret_key"
    assert kept.stat().st_mode & 0o777 == 0o600
    key = kept.read_text().strip()
    assert len(key) >= 50 and f'"key": "{key}"' in first.stdout
    assert '"debug": false' in first.stdout
    again = run({}, tmp_path, probe)
    assert f'"key": "{key}"' in again.stdout  # the same key on the next start
    assert '"debug": true' in run({"DEBUG": "1"}, tmp_path, probe).stdout


def test_a_weak_secret_key_is_refused(tmp_path: Path) -> None:
    result = run({"SECRET_KEY": "short"}, tmp_path)
    assert result.returncode != 0
    assert "too weak" in result.stderr


def test_https_turns_on_secure_cookies_hsts_and_the_redirect(tmp_path: Path) -> None:
    probe = (
        "import django, json; from django.conf import settings; django.setup(); "
        "print(json.dumps([settings.SESSION_COOKIE_SECURE, settings.CSRF_COOKIE_SECURE, "
        "settings.SECURE_SSL_REDIRECT, settings.SECURE_HSTS_SECONDS, "
        "settings.SECURE_PROXY_SSL_HEADER]))"
    )
    plain = run({}, tmp_path, probe.replace("settings.SECURE_PROXY_SSL_HEADER", "0"))
    assert plain.stdout.strip() == "[false, false, false, 0, 0]", plain.stderr
    secure = run({"HTTPS": "1"}, tmp_path, probe)
    assert secure.stdout.strip() == (
        '[true, true, true, 31536000, ["HTTP_X_FORWARDED_PROTO", "https"]]'
    ), secure.stderr


def test_check_deploy_is_clean_with_https(tmp_path: Path) -> None:
    # Not the test run's own switches (the browser tests allow async-unsafe calls).
    unset = {"SECRET_KEY", "DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env = {k: v for k, v in os.environ.items() if k not in unset}
    env.update(
        {"DATA_DIR": str(tmp_path), "DEBUG": "0", "HTTPS": "1", "ALLOWED_HOSTS": "cchc.example"}
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


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


def test_static_files_get_gzip_copies_and_no_slow_brotli_ones() -> None:
    """WeasyPrint brings brotli; compressing with it made every start 36 s slower."""
    from django.core.files.storage import storages

    from tracker.assets import StaticStorage

    compressor = StaticStorage().create_compressor(quiet=True)
    assert compressor.use_gzip and not compressor.use_brotli
    assert type(storages["staticfiles"]).__name__ in {"StaticStorage", "StaticFilesStorage"}
