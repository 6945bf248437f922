"""Fixtures: a real database (SQLite by default, PostgreSQL when DATABASE_URL says so), a real Redis,
a fresh app per test and tables emptied after each test."""
import os
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import MetaData, text

from config import TestConfig

# One definition of the browser fixtures for every module: a session-scoped Playwright imported into two
# modules would be two sessions, and the second cannot start inside the first one's event loop.
from tests.browser_fixtures import browser, live_server, page, phone_without_js  # noqa: E402,F401
from tracker import create_app, embedded_redis
from tracker.extensions import db, limiter

ROOT = Path(__file__).resolve().parent.parent
# The seed report (../shared/seed), copied so that a fresh clone runs every test; test_seed_copy checks the copy.
SEED = ROOT / "tests" / "data" / "seed_report_2024.txt"
SHARED_SEED = ROOT.parent / "shared" / "seed" / "000_43a8054b3d808e27.txt"
TODAY = date(2026, 11, 25)  # a Wednesday, a working day


@pytest.fixture(scope="session")
def services(tmp_path_factory):
    """The database URL and Redis URL for the whole run; starts a throw-away Redis if none is given."""
    base = tmp_path_factory.mktemp("services")
    redis_proc = None
    redis_url = os.environ.get("REDIS_URL")
    if not redis_url:
        redis_proc, redis_url = embedded_redis.start(base / "redis")
        os.environ["REDIS_URL"] = redis_url
    db_url = os.environ.get("DATABASE_URL") or f"sqlite:///{base / 'test.db'}"
    os.environ["DATABASE_URL"] = db_url
    app = create_app(TestConfig(), INSTANCE_DIR=str(base / "instance"))
    with app.app_context():
        _reset_schema()
    yield {"database_url": db_url, "redis_url": redis_url, "base": base}
    if redis_proc is not None:
        redis_proc.terminate()
        redis_proc.wait(timeout=10)


def _reset_schema():
    """Drop whatever a previous run left and migrate from scratch, as production would."""
    from flask_migrate import upgrade
    leftovers = MetaData()
    leftovers.reflect(bind=db.engine)
    leftovers.drop_all(bind=db.engine)
    upgrade(directory=str(ROOT / "migrations"))


@pytest.fixture
def app(services, tmp_path):
    """A fresh app on the shared database, with its own upload folder; tables are emptied afterwards."""
    app = create_app(TestConfig(), INSTANCE_DIR=str(tmp_path / "instance"), UPLOAD_DIR=str(tmp_path / "uploads"),
                     FIXED_TODAY=TODAY, SECRET_KEY="test-secret")
    with app.app_context():
        yield app
        db.session.remove()
        _empty_tables()
        limiter.reset()  # login-failure counters live in Redis, shared by every test
        db.engine.dispose()  # each test's app has its own pool: close it, or PostgreSQL runs out of connections


def _empty_tables():
    tables = [t.name for t in reversed(db.metadata.sorted_tables)]
    with db.engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " RESTART IDENTITY CASCADE"))
        else:
            for table in tables:
                conn.execute(text(f'DELETE FROM "{table}"'))


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def world(app):
    """Organisations, users of every role and a plan (see tests/factories.py)."""
    from tests.factories import build_world
    return build_world()


@pytest.fixture
def api(client, world):
    """Call the API as a given user: api("office").post("/tasks", json=…)."""
    from tests.factories import ApiClient
    return lambda username: ApiClient(client, username)


@pytest.fixture
def celery_worker(services, tmp_path):
    """A real Celery worker process on the test database and Redis, consuming a queue of its own."""
    import subprocess
    import sys
    import time
    import uuid

    queue = f"test-{uuid.uuid4().hex[:8]}"
    env = {**os.environ, "DATABASE_URL": services["database_url"], "REDIS_URL": services["redis_url"],
           "INSTANCE_DIR": str(tmp_path / "worker-instance"), "TRACKER_CONFIG": "test", "SECRET_KEY": "test",
           # The same evidence folder as the test's app, so jobs can read the files it stored (issue 6).
           "UPLOAD_DIR": str(tmp_path / "uploads")}
    log = open(tmp_path / "worker.log", "w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "wsgi.celery_app", "worker", "--pool=solo", "-Q", queue,
         "--without-heartbeat", "--without-gossip", "--without-mingle", "--loglevel=INFO"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if "ready." in (tmp_path / "worker.log").read_text():
            break
        if proc.poll() is not None:
            raise RuntimeError((tmp_path / "worker.log").read_text())
        time.sleep(0.2)
    else:
        proc.kill()
        raise RuntimeError("Celery worker did not start:\n" + (tmp_path / "worker.log").read_text())
    yield {"queue": queue, "process": proc, "log": tmp_path / "worker.log"}
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
    log.close()
