#!/usr/bin/env bash
# Install what is needed, prepare the embedded database and demo data, then run
# the web server and the background worker together. Ctrl-C stops both.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON="${PYTHON:-python3}"
HOST="${HOST:-127.0.0.1}"
PORT="${PORT:-8000}"

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
PY=.venv/bin/python

$PY manage.py migrate --noinput -v 0
$PY manage.py seed_demo --if-empty
$PY manage.py setup_schedules

$PY manage.py qcluster &
worker=$!
stop() { kill "$worker" 2>/dev/null || true; wait "$worker" 2>/dev/null || true; }
trap stop EXIT INT TERM

echo
echo "Mở trình duyệt: http://$HOST:$PORT/   (quản trị: http://$HOST:$PORT/admin/, API: http://$HOST:$PORT/api/v1/docs)"
echo "Nhấn Ctrl-C để dừng máy chủ web và tiến trình nền."
$PY manage.py runserver "$HOST:$PORT" --noreload
