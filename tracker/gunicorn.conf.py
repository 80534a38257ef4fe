"""gunicorn's settings for the web server, read from the environment.

HOST and PORT say where to listen; WEB_WORKERS processes (default 2) of
WEB_THREADS threads each (default 4: a request waiting on the database or a
file lets another run). A request taking longer than WEB_TIMEOUT seconds is
cut off and its worker replaced.
"""

import os

bind = f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("WEB_WORKERS", "2"))
threads = int(os.environ.get("WEB_THREADS", "4"))
worker_class = "gthread"
timeout = int(os.environ.get("WEB_TIMEOUT", "60"))
graceful_timeout = 20
# Short: an idle connection is given back soon, so that new ones spread again over
# the workers after one is respawned or recycled (bench/faults.py web).
keepalive = 2
max_requests = 5000  # replace a worker now and then: nothing grows for ever
max_requests_jitter = 500
accesslog = "-" if os.environ.get("ACCESS_LOG", "1") not in {"0", "false", "no"} else None
errorlog = "-"
# Behind a TLS proxy on another machine, FORWARDED_ALLOW_IPS names it.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
