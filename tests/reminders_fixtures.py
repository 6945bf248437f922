"""Fixtures for the reminder tests: a real SMTP server, a real HTTP server standing in for the robots,
and real Celery worker processes that can be killed and restarted."""
import json
import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from email import message_from_bytes
from email.header import decode_header, make_header
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest
from sqlalchemy import select

from tracker import embedded_redis
from tracker.extensions import db
from tracker.models import Notification, User

ROOT = Path(__file__).resolve().parent.parent


def wait_until(predicate, seconds=30.0, step=0.1):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(step)
    return False


def notices(username: str | None = None):
    """(username, kind, task_id, for_date) of every notice, in id order."""
    db.session.rollback()
    query = select(User.username, Notification.kind, Notification.task_id, Notification.for_date) \
        .join(User, User.id == Notification.recipient_id).order_by(Notification.id)
    if username:
        query = query.where(User.username == username)
    return [tuple(r) for r in db.session.execute(query)]


class SmtpSink:
    """aiosmtpd on loopback in a thread; can be stopped and started again on the same port."""

    def __init__(self):
        self.port = embedded_redis.free_port()
        self.messages: list = []
        self.controller = None
        self.delay = 0.0  # seconds per message, to catch a worker in the middle of a batch
        self.close_after = 0  # if set, a connection is dropped instead of taking its next message after this many
        self.refuse = ""  # if set, every message is answered with this reply (after the delay) and not taken
        self.refused: list = []

    def start(self):
        from aiosmtpd.controller import Controller
        sink = self

        class Handler:
            async def handle_DATA(self, server, session, envelope):
                if sink.delay:
                    import asyncio
                    await asyncio.sleep(sink.delay)
                if sink.close_after and sum(m["peer"] == session.peer for m in sink.messages) >= sink.close_after:
                    server.transport.close()  # dropped unanswered, as by a restarting server; the message is not taken
                    return "421 closing connection"
                if sink.refuse:
                    sink.refused.append(str(make_header(decode_header(message_from_bytes(envelope.content)["Subject"]))))
                    return sink.refuse
                msg = message_from_bytes(envelope.content)
                sink.messages.append({"to": envelope.rcpt_tos, "subject": str(make_header(decode_header(msg["Subject"]))),
                                      "body": msg.get_payload(decode=True).decode("utf-8"), "peer": session.peer,
                                      "raw": envelope.content})
                return "250 OK"

        self.controller = Controller(Handler(), hostname="127.0.0.1", port=self.port)
        self.controller.start()
        return self

    def stop(self):
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


class RobotServer:
    """An HTTP server answering like WeCom / DingTalk robots; `mode` is "ok", "error", "http500" (with a page
    that must not reach 提醒记录) or "redirect" (to /elsewhere, which records any request that follows it)."""

    PEER_PAGE = b"<html>internal dashboard: db password hunter2</html>"

    def __init__(self):
        self.requests: list = []
        self.followed: list = []
        self.mode = "ok"
        self.on_request = None  # called with each request's number, before it is answered
        self.slow_first = 0.0  # seconds the first request's answer waits (a robot that served it, then timed out)
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                server.followed.append(("GET", self.path))
                self.send_response(200)
                self.end_headers()
                self.wfile.write(b'{"errcode": 0}')

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                url = urlparse(self.path)
                if url.path == "/elsewhere":
                    server.followed.append(("POST", self.path))
                server.requests.append({"path": url.path, "query": parse_qs(url.query), "json": json.loads(body),
                                        "at": time.monotonic()})
                if server.on_request is not None:
                    server.on_request(len(server.requests))
                if server.slow_first and len(server.requests) == 1:
                    time.sleep(server.slow_first)  # posted to the group already; the answer comes late
                if server.mode == "redirect":
                    self.send_response(302)
                    self.send_header("Location", "/elsewhere")
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                if server.mode == "http500":
                    self.send_response(500)
                    self.send_header("Content-Length", str(len(server.PEER_PAGE)))
                    self.end_headers()
                    self.wfile.write(server.PEER_PAGE)
                    return
                answer = {"errcode": 0, "errmsg": "ok"} if server.mode == "ok" else \
                    {"errcode": 45009, "errmsg": "api freq out of limit"}
                raw = json.dumps(answer).encode()
                self.send_response(200)  # robots report errors inside an HTTP 200
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(raw)))
                self.end_headers()
                self.wfile.write(raw)

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def smtp(app):
    sink = SmtpSink().start()
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=sink.port, MAIL_TIMEOUT=3)
    yield sink
    sink.stop()


@pytest.fixture
def robot_server(app):
    """The robots on loopback over http: listed in ROBOT_ALLOWED_HOSTS, as an operator lists a relay."""
    server = RobotServer()
    app.config["ROBOT_ALLOWED_HOSTS"] = [*app.config["ROBOT_ALLOWED_HOSTS"], "127.0.0.1"]
    yield server
    server.close()


class Worker:
    """A real `celery worker` process on a queue of its own, with the test's reminder settings."""

    def __init__(self, services, tmp_path, app, **env):
        self.queue = f"test-rem-{uuid.uuid4().hex[:8]}"
        self.services, self.tmp_path = services, tmp_path
        self.env = {**os.environ, "DATABASE_URL": services["database_url"], "REDIS_URL": services["redis_url"],
                    "INSTANCE_DIR": str(tmp_path / "worker-instance"), "TRACKER_CONFIG": "test", "SECRET_KEY": "test",
                    "REMINDER_QUEUE": self.queue, "MAIL_SERVER": app.config["MAIL_SERVER"],
                    "MAIL_PORT": str(app.config["MAIL_PORT"]), "MAIL_TIMEOUT": "3",
                    "ROBOT_ALLOWED_HOSTS": ",".join(app.config["ROBOT_ALLOWED_HOSTS"]),
                    **{k: str(v) for k, v in env.items()}}
        app.config["REMINDER_QUEUE"] = self.queue
        self.proc = None
        self.runs = 0

    @property
    def log_path(self) -> Path:
        return self.tmp_path / f"worker-{self.runs}.log"

    def start(self, concurrency: int = 1):
        self.runs += 1
        pool = ["--pool=solo"] if concurrency == 1 else ["--pool=prefork", f"--concurrency={concurrency}"]
        self.log = open(self.log_path, "w")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "wsgi.celery_app", "worker", *pool, "-Q", self.queue,
             "--without-heartbeat", "--without-gossip", "--without-mingle", "--loglevel=INFO"],
            cwd=ROOT, env=self.env, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True)
        if not wait_until(lambda: "ready." in self.log_path.read_text(), 60, 0.2):
            self.kill()
            raise RuntimeError("worker did not start:\n" + self.log_path.read_text())
        return self

    def kill(self):
        """SIGKILL the whole worker (its pool children too), as a crash would."""
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=10)
        self.proc = None

    def stop(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill()
        self.proc = None

    def text(self) -> str:
        return "\n".join((self.tmp_path / f"worker-{i}.log").read_text()[-3000:] for i in range(1, self.runs + 1))

    def settle(self, seconds: float = 30.0) -> None:
        """Wait until the worker has nothing left: its queue is empty and every job it received has ended.

        Then "nothing more arrived" is a fact about the work done, not a guess about how long it takes (a job
        put back with a countdown stays received, not ended, until it has run).
        """
        import redis
        broker = redis.Redis.from_url(self.services["redis_url"])

        def idle():
            log = self.log_path.read_text()
            ended = sum(log.count(word) for word in ("] succeeded in", "] retry:", "] raised unexpected"))
            return broker.llen(self.queue) == 0 and log.count("] received") == ended

        assert wait_until(lambda: idle() and (time.sleep(0.1) or idle()), seconds), self.text()


@pytest.fixture
def reminder_worker(services, tmp_path, app):
    """Make a worker with fast retries: reminder_worker(**env).start()."""
    made = []

    def make(**env):
        settings = {"REMINDER_RETRY_BASE_SECONDS": 0.3, "REMINDER_RETRY_MAX_SECONDS": 1.5,
                    "REMINDER_STALE_SECONDS": 3, **env}
        for key, value in settings.items():
            if key in app.config:  # the test process hands out and retries with the same timing
                app.config[key] = type(app.config[key])(value)
        worker = Worker(services, tmp_path, app, **settings)
        made.append(worker)
        return worker

    yield make
    for worker in made:
        worker.stop()


@pytest.fixture
def quiet_queue(app):
    """Queue the app's own send jobs somewhere no worker reads, and clear it afterwards."""
    import redis
    queue = f"test-rem-idle-{uuid.uuid4().hex[:8]}"
    app.config["REMINDER_QUEUE"] = queue
    yield queue
    redis.Redis.from_url(app.config["CELERY"]["broker_url"]).delete(queue)
