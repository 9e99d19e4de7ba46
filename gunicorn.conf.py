"""Gunicorn settings for production: `gunicorn peergroups.wsgi -c gunicorn.conf.py`.

Each value can be overridden by the environment (GUNICORN_*), the usual ones by name.
Web processes keep no state of their own (sessions, tasks and throttles live in the
database), so any number of them can run behind a load balancer.
"""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
# Two sync workers per core with a few threads each: pages wait mostly on the database.
workers = int(os.environ.get("WEB_CONCURRENCY", 2 * multiprocessing.cpu_count()))
threads = int(os.environ.get("GUNICORN_THREADS", 4))
worker_class = "gthread"
# The slowest legitimate request (a large formation's review page, an export) finishes
# in seconds; anything past this is stuck and is better restarted.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", 30))
graceful_timeout = 30
keepalive = 5
# Import the app once in the master; workers fork with it loaded (fast restarts, shared
# pages). The web app does not load the grouping engine, so this stays small.
preload_app = True
# Recycle workers now and then so a slow leak can never grow without bound.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", 2000))
max_requests_jitter = 200
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None
accesslog = os.environ.get("GUNICORN_ACCESSLOG", "-")
errorlog = "-"
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
# gunicorn's control socket (for `gunicornc`) defaults to one path per user: a second
# server on the same machine would take it over from the first. Off unless a path is given.
if os.environ.get("GUNICORN_CONTROL_SOCKET"):
    control_socket = os.environ["GUNICORN_CONTROL_SOCKET"]
else:
    control_socket_disable = True
# One line per request: time, the client as the proxy saw it (X-Forwarded-For; "-" when
# none) and the peer address, the request id (ops.logs sets X-Request-ID on every
# response, the proxy's own when BEHIND_PROXY), the request, status, bytes, duration in
# milliseconds and user agent.
access_log_format = os.environ.get(
    "GUNICORN_ACCESS_LOG_FORMAT",
    '%(t)s client=%({x-forwarded-for}i)s peer=%(h)s req=%({x-request-id}o)s "%(r)s" %(s)s %(b)s '
    '%(M)sms "%(a)s"',
)
