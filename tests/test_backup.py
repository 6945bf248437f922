"""Backup and restore into a fresh database find every task, update, evidence file and audit row."""
import uuid
from pathlib import Path

import psycopg
from sqlalchemy import func, select

import config
from tracker import create_app
from tracker.extensions import db
from tracker.models import AuditEntry, Evidence, PlanTask, ProgressUpdate
from tracker.services.people.users import get_user
from tracker.services.tasks import progress
from tracker.services.tasks.evidence import IncomingFile

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def _snapshot():
    return {model.__tablename__: db.session.scalar(select(func.count()).select_from(model))
            for model in (PlanTask, ProgressUpdate, Evidence, AuditEntry)}


def _fresh_database(services, tmp_path):
    """A new empty database of the same kind as the suite's, and a way to drop it."""
    url = services["database_url"]
    if url.startswith("sqlite"):
        return f"sqlite:///{tmp_path / 'restored.db'}", lambda: None
    name = f"restore_{uuid.uuid4().hex[:8]}"
    admin = url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')

    def drop():
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    return admin.rsplit("/", 1)[0] + f"/{name}", drop


def test_backup_then_restore_into_a_fresh_database(app, runner, world, services, tmp_path):
    task = world.task()
    progress.record_progress(get_user("cadre"), task, percent=40, note="入户宣讲",
                             metrics=[{"name": "普法宣讲", "value": 2, "unit": "次"}],
                             files=[IncomingFile("现场.png", PNG)])
    db.session.commit()
    before = _snapshot()
    stored_name = db.session.scalar(select(Evidence.stored_name))

    archive = tmp_path / "backup.zip"
    result = runner.invoke(args=["backup", str(archive)])
    assert result.exit_code == 0, result.output
    assert "任务1项" in result.output

    url, drop = _fresh_database(services, tmp_path)
    try:
        restored = create_app(config.TestConfig(), SQLALCHEMY_DATABASE_URI=config.database_url(url), SECRET_KEY="x",
                              INSTANCE_DIR=str(tmp_path / "i2"), UPLOAD_DIR=str(tmp_path / "uploads2"))
        with restored.app_context():
            result = restored.test_cli_runner().invoke(args=["restore", str(archive)])
            assert result.exit_code == 0, result.output
            assert _snapshot() == before
            assert (Path(tmp_path / "uploads2") / stored_name).read_bytes() == PNG
            # A second restore onto the now-filled database is refused, changing nothing.
            again = restored.test_cli_runner().invoke(args=["restore", str(archive)])
            assert again.exit_code == 1 and "不是空的" in again.output
            db.session.remove()
            db.engine.dispose()
    finally:
        drop()


def test_restore_refuses_a_file_that_is_not_a_backup(runner, world, tmp_path):
    bogus = tmp_path / "x.zip"
    bogus.write_bytes(b"not a zip")
    result = runner.invoke(args=["restore", str(bogus)])
    assert result.exit_code == 1
    assert "不是有效的备份文件" in result.output and "Traceback" not in result.output
