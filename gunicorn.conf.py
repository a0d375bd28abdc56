"""Gunicorn behind nginx (docs/deploy.md): `.venv/bin/gunicorn` from the project's folder reads
this file by itself."""

import os

wsgi_app = "casmul.wsgi:application"
# Only nginx talks to gunicorn, through a Unix socket: a TCP port on 127.0.0.1 is open to every
# process and user of the server, which could then skip nginx and write their own
# X-Forwarded-For. Under systemd the socket unit (docs/deploy.md) creates this socket, owned by
# nginx's user, and hands it over, and gunicorn binds nothing itself. GUNICORN_BIND=host:port
# for a benchmark or a test (bench/load.py).
bind = os.environ.get("GUNICORN_BIND", "unix:/run/casmul/gunicorn.sock")
# A socket gunicorn creates itself is not world-writable.
umask = 0o007
# Each worker answers one request at a time; a report's PDF keeps one busy for seconds.
workers = int(os.environ.get("GUNICORN_WORKERS", "3"))
# A year's report PDF or a 10.000-row import takes seconds, not minutes: past this the worker
# is stuck and is restarted.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "120"))
graceful_timeout = 30
# WeasyPrint and the spreadsheet readers leave memory behind: recycle workers now and then,
# not all at once.
max_requests = 1000
max_requests_jitter = 100
# The heartbeat file on a memory file system: a slow disk must not make a worker look dead.
worker_tmp_dir = "/dev/shm"

# Both logs to the journal (systemd keeps stdout and stderr).
accesslog = "-"
errorlog = "-"
# Method and path only, never the query string (%(q)s, %(r)s) nor the referrer (%(f)s): a
# search by name or cédula would otherwise stay in the journal. nginx logs the client address.
access_log_format = '%(t)s "%(m)s %(U)s" %(s)s %(B)s %(M)sms'
