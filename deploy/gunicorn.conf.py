"""gunicorn settings of a web node: `gunicorn -c deploy/gunicorn.conf.py wsgi:app` (deploy/README.md).

gthread workers, so a connection that sends nothing or sends slowly holds one thread of a worker for a few
seconds, never the whole worker as a sync worker is held (issue 19.6: two idle connections froze both sync
workers); nginx in front buffers whole requests anyway (deploy/nginx-tracker.conf). Every value can be set
from the environment (deploy/tracker.env.example).
"""
import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# Processes: each holds the app (~130 MiB), so memory, not cores, bounds them; one or two per core.
workers = int(os.environ.get("GUNICORN_WORKERS", 2))
worker_class = "gthread"
# Threads per process: most of a request waits on PostgreSQL or Redis. A login holds Argon2id's 64 MiB while
# it hashes, so 8 threads can take a worker from ~130 MiB to ~650 MiB in a burst of logins.
threads = int(os.environ.get("GUNICORN_THREADS", 8))
# A worker whose main loop stops answering the arbiter this long is restarted; gthread's main loop keeps
# answering while a request runs, so this does not cut off a slow page.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", 60))
graceful_timeout = 30
# Longer than nginx's upstream keepalive_timeout (deploy/nginx-tracker.conf): the proxy closes first, so it
# never sends a request down a connection gunicorn is closing.
keepalive = int(os.environ.get("GUNICORN_KEEPALIVE", 75))
# A worker is replaced after this many requests (with jitter, so the workers do not restart together): what
# the interpreter never gives back (fragmented heaps after large pages or exports) stays bounded.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", 2000))
max_requests_jitter = int(os.environ.get("GUNICORN_MAX_REQUESTS_JITTER", 200))
# The request line and headers the app needs are short; a longer one is refused before the app runs.
limit_request_line = 8190
limit_request_fields = 100
# Which peers may set X-Forwarded-Proto for gunicorn itself; the app trusts the proxy through ProxyFix
# (PROXY_FIX_X_FOR / PROXY_FIX_X_PROTO), so this only needs the nginx host.
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
# The app writes its own logs (tracker/logs.py redacts calendar feed addresses); gunicorn's access log stays off.
accesslog = None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "warning")
