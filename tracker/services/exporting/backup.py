"""Backup and restore: the database (SQLite online backup, or pg_dump on PostgreSQL) plus the evidence files."""
import json
import shutil
import sqlite3
import subprocess
import tempfile
import zipfile
from pathlib import Path

from flask import current_app
from sqlalchemy import func, inspect, select

from tracker.extensions import db
from tracker.models.types import utcnow
from tracker.services.errors import ValidationFailed

COUNTED = ("plan_task", "progress_update", "evidence", "audit_entry", "user_account")


def _counts() -> dict:
    tables = {t.name: t for t in db.metadata.sorted_tables}
    return {name: db.session.scalar(select(func.count()).select_from(tables[name])) for name in COUNTED}


def _libpq_url() -> str:
    url = db.engine.url
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


def _run(args: list[str]) -> None:
    done = subprocess.run(args, capture_output=True, text=True)
    if done.returncode != 0:
        raise ValidationFailed(f"{Path(args[0]).name} 失败:{(done.stderr or '').strip().splitlines()[-1:]}")


def create_backup(target: Path) -> dict:
    """Write a zip with the database and every evidence file; returns the manifest."""
    dialect = db.engine.dialect.name
    uploads = Path(current_app.config["UPLOAD_DIR"])
    manifest = {"created_at": utcnow().isoformat(), "database": dialect, "counts": _counts()}
    with tempfile.TemporaryDirectory() as tmp:
        dump = Path(tmp) / ("database.sqlite" if dialect == "sqlite" else "database.pgdump")
        if dialect == "sqlite":
            with sqlite3.connect(db.engine.url.database) as source, sqlite3.connect(dump) as copy:
                source.backup(copy)  # consistent even while the web server and worker write
        elif dialect == "postgresql":
            _require("pg_dump")
            _run(["pg_dump", "--format=custom", "--no-owner", f"--file={dump}", _libpq_url()])
        else:
            raise ValidationFailed(f"不支持备份 {dialect} 数据库")
        with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("manifest.json", json.dumps(manifest, ensure_ascii=False, indent=2))
            archive.write(dump, dump.name)
            for path in sorted(uploads.glob("*")) if uploads.exists() else []:
                if path.is_file():
                    archive.write(path, f"uploads/{path.name}")
    return manifest


def _require(tool: str) -> None:
    if shutil.which(tool) is None:
        raise ValidationFailed(f"找不到 {tool}:请安装 PostgreSQL 客户端工具")


def restore_backup(source: Path) -> dict:
    """Restore a backup into an empty database and the upload folder; returns the manifest."""
    try:
        archive = zipfile.ZipFile(source)
    except (zipfile.BadZipFile, OSError):
        raise ValidationFailed("不是有效的备份文件") from None
    with archive:
        names = set(archive.namelist())
        if "manifest.json" not in names:
            raise ValidationFailed("备份文件缺少 manifest.json")
        manifest = json.loads(archive.read("manifest.json"))
        dialect = db.engine.dialect.name
        if manifest.get("database") != dialect:
            raise ValidationFailed(f"备份来自 {manifest.get('database')} 数据库,不能恢复到 {dialect}")
        if inspect(db.engine).get_table_names():
            raise ValidationFailed("目标数据库不是空的:请恢复到一个新的空数据库")
        db.session.remove()
        with tempfile.TemporaryDirectory() as tmp:
            if dialect == "sqlite":
                archive.extract("database.sqlite", tmp)
                db.engine.dispose()
                with sqlite3.connect(Path(tmp) / "database.sqlite") as copy, \
                        sqlite3.connect(db.engine.url.database) as target:
                    copy.backup(target)
            else:
                _require("pg_restore")
                archive.extract("database.pgdump", tmp)
                _run(["pg_restore", "--no-owner", "--exit-on-error", f"--dbname={_libpq_url()}",
                      str(Path(tmp) / "database.pgdump")])
        uploads = Path(current_app.config["UPLOAD_DIR"])
        uploads.mkdir(parents=True, exist_ok=True)
        for name in names:
            if name.startswith("uploads/") and "/" not in name[len("uploads/"):] and not name.endswith("/"):
                (uploads / Path(name).name).write_bytes(archive.read(name))
    db.engine.dispose()
    return manifest
