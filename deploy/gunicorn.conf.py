"""Gunicorn settings of a Ventanilla web machine: ``gunicorn -c deploy/gunicorn.conf.py``.

Command-line options override what is set here (the topology test passes ``-w`` and
``-b``). Django's own settings come from the environment (docs/deploy.md), not from here.
"""

import multiprocessing
import os

wsgi_app = "ventanilla.wsgi:application"
proc_name = "ventanilla-web"

# nginx on the same machine proxies to this address; bind a private interface instead
# when nginx runs elsewhere, and list its address in FORWARDED_ALLOW_IPS.
bind = ["127.0.0.1:8000"]
# WEB_CONCURRENCY is gunicorn's own variable; the default suits CPU-light request handling.
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
worker_class = "sync"
# Exports and reports of a province take a while; longer work goes to the task queue.
timeout = 60
graceful_timeout = 30
keepalive = 5
# Recycle each process now and then so a slow leak cannot grow without bound.
max_requests = 2000
max_requests_jitter = 200
# systemd (or the test) collects standard output and error.
accesslog = "-"
errorlog = "-"
loglevel = "info"
# The client's address as nginx saw it, the request, status, size, time in ms, and the pid of
# the worker process that answered.
access_log_format = '%({x-forwarded-for}i)s %(u)s %(t)s "%(r)s" %(s)s %(b)s %(M)sms "%(a)s" %(p)s'

# Processes are managed by systemd signals (HUP reloads, TERM stops); no control socket.
control_socket_disable = True
