#!/usr/bin/env bash
# Install what is needed, then serve (scripts/serve.sh): the embedded database,
# demo data and static files prepared, the web server (gunicorn) and the
# background worker run together, as in production. Ctrl-C stops both.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON="${PYTHON:-python3}"

if [ ! -x .venv/bin/python ]; then
  echo "Tạo môi trường Python (.venv)…"
  "$PYTHON" -m venv .venv
fi
stamp=".venv/.installed-$(sha256sum pyproject.toml | cut -c1-16)"
if [ ! -f "$stamp" ]; then
  echo "Cài đặt thư viện…"
  .venv/bin/python -m pip install --quiet --upgrade pip
  .venv/bin/python -m pip install --quiet -e .
  rm -f .venv/.installed-* && touch "$stamp"
fi
exec scripts/serve.sh
