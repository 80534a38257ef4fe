#!/usr/bin/env bash
# Prepare the database (migrations, demo data when empty, schedules) and the
# static files, then run the web server (gunicorn, tracker/gunicorn.conf.py) and
# the background worker together. Ctrl-C, or SIGTERM to this script or to its
# whole process group, stops both; one that stops unasked is started again.
# DEBUG=1 runs Django's development server instead, with debug pages.
# PY names the Python of the installation (default .venv/bin/python).
set -euo pipefail
cd "$(dirname "$0")/.."

PY="${PY:-.venv/bin/python}"
export HOST="${HOST:-127.0.0.1}"
export PORT="${PORT:-8000}"

# Listening on every address: the office network reaches it by this machine's names.
if [ -z "${ALLOWED_HOSTS:-}" ] && [ "$HOST" = "0.0.0.0" ]; then
  ALLOWED_HOSTS="localhost,127.0.0.1,[::1],$(hostname),$(hostname -I 2>/dev/null | tr ' ' ',')"
  export ALLOWED_HOSTS="${ALLOWED_HOSTS%,}"
fi

$PY manage.py migrate --noinput -v 0
# The demo province (its logins share one published password) unless DEMO=0:
# a real installation starts empty and makes its administrator with createsuperuser.
if [ "${DEMO:-1}" = "1" ]; then
  $PY manage.py seed_demo --if-empty
fi
$PY manage.py setup_schedules
$PY manage.py collectstatic --noinput -v 0

echo
echo "Mở trình duyệt: http://$HOST:$PORT/   (quản trị: http://$HOST:$PORT/admin/, API: http://$HOST:$PORT/api/v1/docs)"
echo "Nhấn Ctrl-C để dừng máy chủ web và tiến trình nền."
# The web server and the worker side by side (tracker/supervise.py): one that stops
# unasked is started again, with a growing pause; the other keeps running.
exec $PY -m tracker.supervise
