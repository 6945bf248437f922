"""Fixtures: a real database (SQLite by default, PostgreSQL when DATABASE_URL says so), a real Redis, one app
for the run whose config, caches and tables each test leaves as it found them. pytest-xdist runs a process per
core; each has a database and a Redis database of its own."""
import os
from datetime import date
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from flask import current_app
from sqlalchemy import MetaData, create_engine, make_url, text

from config import TestConfig

# One definition of the browser fixtures for every module: a session-scoped Playwright imported into two
# modules would be two sessions, and the second cannot start inside the first one's event loop.
from tests.browser_fixtures import browser, live_server, page, phone_without_js  # noqa: E402,F401
from tracker import create_app, embedded_redis
from tracker.extensions import bind_migrate, db
from tracker.services.people import throttle

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
    db_url = os.environ.get("DATABASE_URL") or f"sqlite:///{base / 'test.db'}"
    worker = os.environ.get("PYTEST_XDIST_WORKER")  # gw0, gw1…: pytest-xdist runs one process per core
    if worker and redis_proc is None:
        redis_url = _own_redis_db(redis_url, int(worker.removeprefix("gw")))
    if worker and os.environ.get("DATABASE_URL"):
        db_url = _own_database(db_url, worker)
    os.environ["REDIS_URL"], os.environ["DATABASE_URL"] = redis_url, db_url  # for the worker processes too
    app = create_app(TestConfig(), INSTANCE_DIR=str(base / "instance"))
    with app.app_context():
        _reset_schema()
    yield {"database_url": db_url, "redis_url": redis_url, "base": base}
    if redis_proc is not None:
        redis_proc.terminate()
        redis_proc.wait(timeout=10)


def _own_redis_db(url: str, number: int) -> str:
    """The same Redis server, the next database numbers for the next test processes."""
    parsed = urlsplit(url)
    base = int(parsed.path.strip("/") or 0)
    return urlunsplit(parsed._replace(path=f"/{(base + number) % 16}"))


def _own_database(url: str, worker: str) -> str:
    """A database of this test process's own beside the one named (created on PostgreSQL when missing)."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return str(parsed.set(database=f"{parsed.database}.{worker}"))
    own = parsed.set(database=f"{parsed.database}_{worker}")
    engine = create_engine(parsed.set(drivername="postgresql+psycopg"), isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        if not conn.scalar(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": own.database}):
            conn.execute(text(f'CREATE DATABASE "{own.database}"'))
    engine.dispose()
    return own.render_as_string(hide_password=False)


def _reset_schema():
    """Drop whatever a previous run left and migrate from scratch, as production would."""
    from flask_migrate import upgrade
    bind_migrate(current_app)
    leftovers = MetaData()
    leftovers.reflect(bind=db.engine)
    leftovers.drop_all(bind=db.engine)
    upgrade(directory=str(ROOT / "migrations"))


@pytest.fixture(scope="session")
def shared_app(services):
    """One app for the run (building one costs ~40 ms, ×1,500 tests); each test gets its config back as it was."""
    base = services["base"]
    return create_app(TestConfig(), INSTANCE_DIR=str(base / "instance"), FIXED_TODAY=TODAY, SECRET_KEY="test-secret")


@pytest.fixture
def app(shared_app, tmp_path):
    """The app with this test's own upload and instance folders; afterwards its config, caches and tables are
    as they were (tracker.services.infra.caching keeps a process copy of settings in app.extensions)."""
    saved = {key: (dict(value) if isinstance(value, dict) else value) for key, value in shared_app.config.items()}
    shared_app.config.update(INSTANCE_DIR=str(tmp_path / "instance"), UPLOAD_DIR=str(tmp_path / "uploads"))
    for folder in (tmp_path / "instance", tmp_path / "uploads"):
        folder.mkdir(parents=True, exist_ok=True)
    # A test that builds an app of its own (another broker, say) makes its Celery app the default; jobs sent by
    # name must go through this one's broker again.
    shared_app.extensions["celery"].set_current()
    shared_app.extensions["celery"].set_default()
    with shared_app.app_context():
        yield shared_app
        db.session.remove()
        _empty_tables()
        throttle.forget_all()  # login-failure counters live in Redis, shared by every test
    shared_app.config.clear()
    shared_app.config.update(saved)
    shared_app.extensions.pop("tracker.settings_cache", None)


def _empty_tables():
    """Every table emptied and (on PostgreSQL) every id sequence back at 1, in one round trip.

    DELETE rather than TRUNCATE: truncating 34 tables cost ~200 ms a test on PostgreSQL, deleting a test's few
    rows ~2 ms. Triggers are off for it (replica role): the audit trail refuses DELETE on purpose.
    """
    tables = [t.name for t in reversed(db.metadata.sorted_tables)]
    with db.engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            sequences = conn.execute(text("SELECT sequencename FROM pg_sequences WHERE schemaname = 'public'"))
            conn.exec_driver_sql("; ".join(["SET LOCAL session_replication_role = replica"]
                                           + [f'DELETE FROM "{t}"' for t in tables]
                                           + [f"SELECT setval('{s}', 1, false)" for s in sequences.scalars()]))
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
