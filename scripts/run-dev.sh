#!/usr/bin/env bash
# The body of `make run` after the prerequisites are installed: migrate, load the demo data,
# collect static files, print the demo accounts and serve http://127.0.0.1:8000.
#
# With Redis reachable (REDIS_URL, default redis://127.0.0.1:6379/0) a Celery worker and beat
# run in the background and are stopped when runserver stops. Without Redis, REDIS_URL is left
# unset so the settings run Celery tasks in-process (CELERY_TASK_ALWAYS_EAGER).
#   HOST/PORT override the address (default 127.0.0.1:8000).
set -euo pipefail
cd "$(dirname "$0")/.."

py=.venv/bin/python
host="${HOST:-127.0.0.1}"
port="${PORT:-8000}"
redis_url="${REDIS_URL:-redis://127.0.0.1:6379/0}"
export DEBUG="${DEBUG:-1}"
# The demo accounts log in with the password only, so the demo needs no phone: the second factor for
# administrators and bureaus is off unless REQUIRE_SECOND_FACTOR=1 is set (production keeps it on).
export REQUIRE_SECOND_FACTOR="${REQUIRE_SECOND_FACTOR:-0}"

if "$py" - "$redis_url" <<'PY' 2>/dev/null; then
import sys

import redis

redis.Redis.from_url(sys.argv[1], socket_connect_timeout=1, socket_timeout=1).ping()
PY
    export REDIS_URL="$redis_url"
    with_celery=1
    echo "run: Redis reachable at $redis_url: Celery worker and beat will run in the background"
else
    unset REDIS_URL
    with_celery=0
    echo "run: Redis not reachable at $redis_url: Celery tasks run in-process"
fi

"$py" manage.py migrate --noinput
"$py" manage.py load_demo
"$py" manage.py collectstatic --noinput -v 0

pids=()
cleanup() {
    trap - EXIT INT TERM
    for pid in "${pids[@]}"; do
        kill "$pid" 2>/dev/null || true
    done
    for pid in "${pids[@]}"; do
        wait "$pid" 2>/dev/null || true
    done
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

if [[ $with_celery -eq 1 ]]; then
    .venv/bin/celery -A config worker --loglevel=INFO --concurrency=2 >celery-worker.log 2>&1 &
    pids+=($!)
    .venv/bin/celery -A config beat --loglevel=INFO \
        --scheduler django_celery_beat.schedulers:DatabaseScheduler >celery-beat.log 2>&1 &
    pids+=($!)
    echo "run: celery worker (pid ${pids[0]}, celery-worker.log) and beat (pid ${pids[1]}, celery-beat.log) started"
    # Say which project tasks the worker will know (the app's autodiscovery, as the worker does it).
    "$py" - <<'PY' || echo "run: could not list the Celery tasks (see celery-worker.log)"
import os

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django.setup()
from config.celery import app

app.loader.import_default_modules()
tasks = sorted(name for name in app.tasks if not name.startswith("celery."))
if tasks:
    print(f"run: Celery tasks registered ({len(tasks)}): " + ", ".join(tasks))
else:
    print("run: the Celery worker has no project tasks registered yet (no app defines a tasks.py task)")
PY
fi

echo
"$py" manage.py demo_accounts
echo
if [[ "$REQUIRE_SECOND_FACTOR" == "0" ]]; then
    echo "run: second factor not enforced (REQUIRE_SECOND_FACTOR=0); set REQUIRE_SECOND_FACTOR=1 to try it"
fi
echo "run: serving http://$host:$port/ (Ctrl-C to stop)"
"$py" manage.py runserver "$host:$port"
