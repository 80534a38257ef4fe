#!/usr/bin/env bash
# Install the test dependencies and run the whole suite; arguments go to pytest.
# DATABASE_URL and REDIS_URL, when set, point the suite at PostgreSQL and Redis.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
stamp=".venv/.installed-test-$(sha256sum pyproject.toml | cut -c1-16)"
if [ ! -f "$stamp" ]; then
  .venv/bin/python -m pip install --quiet --upgrade pip
  .venv/bin/python -m pip install --quiet -e '.[test]'
  rm -f .venv/.installed-test-* && touch "$stamp"
fi
# The browser tests drive Debian's Chromium (Playwright cannot download one here).
if ! command -v chromium >/dev/null 2>&1; then
  echo "Installing Chromium for the browser tests…"
  if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO apt-get update -qq && $SUDO apt-get install -y -qq chromium >/dev/null
fi
# plotly.js's basic bundle, from the npm registry, once (tracker/assets.py).
.venv/bin/python manage.py fetch_assets >/dev/null
exec .venv/bin/python -m pytest "$@"
