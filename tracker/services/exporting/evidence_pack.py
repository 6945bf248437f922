"""Evidence packs (证明材料): a zip of a task's, a theme's or a plan's updates and files, with an index sheet."""
import io
import uuid
import zipfile
from datetime import datetime, timedelta
from pathlib import Path

from flask import current_app
from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.orm import joinedload, selectinload

from tracker.extensions import db
from tracker.formatting import cn_datetime
from tracker.models import ExportJob, Plan, ProgressUpdate, User
from tracker.models.types import utcnow
from tracker.services.errors import Conflict, NotFound, ValidationFailed
from tracker.services.exporting.data import plan_tasks
from tracker.services.infra.after_commit import send_job
from tracker.services.infra.safe_text import cells, file_name, for_file
from tracker.services.people.access import can_read_org
from tracker.services.tasks.evidence import path_of
from tracker.services.validation import as_id

INDEX_COLUMNS = (("序号", 6), ("主题", 6), ("工作任务", 36), ("进展时间", 17), ("填报人", 10), ("进度", 7),
                 ("进展说明", 50), ("数据", 24), ("证明材料", 30), ("压缩包内位置", 40))
SCOPES = ("plan", "theme", "task")
BUILD_TASK = "exports.evidence_pack"  # tasks/exports.py


def exports_dir() -> Path:
    """Packs live beside the evidence files: web and worker both reach UPLOAD_DIR."""
    folder = Path(current_app.config["UPLOAD_DIR"]) / "exports"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _safe(name: str, limit: int = 40) -> str:
    return file_name(name, limit)


def request_pack(actor: User, plan: Plan, scope: str, ref: str = "") -> ExportJob:
    """Queue a pack for what the actor may read; it is sent to a worker once the caller commits."""
    if not can_read_org(actor, plan.org):
        raise NotFound("计划不存在")
    if scope not in SCOPES:
        raise ValidationFailed("打包范围须为整个计划、某个主题或某项任务", {"scope": "范围无效"})
    label = f"{plan.org.name}{plan.year}年计划"
    if scope == "theme":
        theme = plan.theme_by_key(ref)
        if theme is None:
            raise ValidationFailed("主题不存在", {"scope": "主题不存在"})
        label += f" · 主题{theme.key}"
    elif scope == "task":
        task_id = as_id(ref)
        found = plan_tasks(plan, task_id=task_id) if task_id else []
        if not found:
            raise ValidationFailed("任务不存在", {"scope": "任务不存在"})
        label += f" · {found[0].title[:60]}"
    _within_limit(actor)
    job = ExportJob(org_id=actor.org_id, user_id=actor.id, plan_id=plan.id, scope=scope, scope_ref=str(ref or ""),
                    label=label[:300], status="queued", queued_at=utcnow())
    db.session.add(job)
    db.session.flush()
    send_job(BUILD_TASK, [job.id], current_app.config["EXPORT_QUEUE"])
    return job


PENDING = ("queued", "running")


def _within_limit(actor: User) -> None:
    """At most EXPORT_MAX_PENDING packs of one person queued or building; the person's row is locked for the
    count (PostgreSQL), so two requests at once cannot both take the last place."""
    limit = current_app.config["EXPORT_MAX_PENDING"]
    db.session.execute(select(User.id).where(User.id == actor.id).with_for_update())
    waiting = db.session.scalar(select(func.count()).select_from(ExportJob).where(
        ExportJob.user_id == actor.id, ExportJob.status.in_(PENDING)))
    if waiting >= limit:
        raise Conflict(f"您已有{waiting}个证明材料包在排队或生成中,每人同时最多{limit}个,请等其完成后再打包")


def _lost(now: datetime):
    """Queued or running, and silent past EXPORT_STALE_SECONDS: its message or its worker was lost."""
    stale = now - timedelta(seconds=current_app.config["EXPORT_STALE_SECONDS"])
    return or_(and_(ExportJob.status == "queued", or_(ExportJob.queued_at.is_(None), ExportJob.queued_at < stale)),
               and_(ExportJob.status == "running", or_(ExportJob.progress_at.is_(None), ExportJob.progress_at < stale)))


def hand_out_stale(now: datetime) -> list[int]:
    """Send the lost jobs again (the condition is in the UPDATE itself: a job that just ended is left alone)."""
    ids = list(db.session.scalars(update(ExportJob).where(_lost(now)).values(status="queued", queued_at=now)
                                  .returning(ExportJob.id), execution_options={"synchronize_session": False}))
    for job_id in sorted(ids):
        send_job(BUILD_TASK, [job_id], current_app.config["EXPORT_QUEUE"])
    return sorted(ids)


def claim_job(job_id: int, now: datetime) -> ExportJob | None:
    """The job, now this worker's to build; None when it is done or another worker is building it (a message
    handed out twice, or redelivered)."""
    mine = or_(ExportJob.status == "queued", _lost(now))
    claimed = db.session.scalar(update(ExportJob).where(ExportJob.id == job_id, mine)
                                .values(status="running", progress_at=now).returning(ExportJob.id),
                                execution_options={"synchronize_session": False})
    return db.session.get(ExportJob, claimed, populate_existing=True) if claimed else None


def load_job(actor: User, job_id: int) -> ExportJob:
    job = db.session.get(ExportJob, job_id)
    if job is None or job.user_id != actor.id:
        raise NotFound("打包任务不存在")
    return job


def build_pack(job: ExportJob, commit_progress) -> None:
    """Write the zip, calling commit_progress() every few files so the page can show how far it got."""
    plan = job.plan
    tasks = plan_tasks(plan, theme_key=job.scope_ref if job.scope == "theme" else None,
                       task_id=int(job.scope_ref) if job.scope == "task" else None)
    updates = db.session.scalars(
        select(ProgressUpdate).where(ProgressUpdate.task_id.in_([t.id for t in tasks]))
        .options(joinedload(ProgressUpdate.author), selectinload(ProgressUpdate.metrics),
                 selectinload(ProgressUpdate.evidence)).order_by(ProgressUpdate.task_id, ProgressUpdate.id)).all()
    by_task: dict[int, list[ProgressUpdate]] = {}
    for u in updates:
        by_task.setdefault(u.task_id, []).append(u)
    job.total = sum(len(u.evidence) for u in updates) + 1
    job.status, job.done_count, job.progress_at = "running", 0, utcnow()
    commit_progress()
    stored_name = f"{uuid.uuid4().hex}.zip"
    target = exports_dir() / stored_name
    from openpyxl import Workbook  # imported where the index is written (tests/test_startup.py)
    from openpyxl.styles import Alignment, Font
    index = Workbook()
    ws = index.active
    ws.title = "目录"
    ws.append([h for h, _ in INDEX_COLUMNS])
    for col, (_, width) in enumerate(INDEX_COLUMNS, 1):
        ws.cell(row=1, column=col).font = Font(bold=True)
        ws.column_dimensions[ws.cell(row=1, column=col).column_letter].width = width
    ws.freeze_panes = "A2"
    missing = []
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        number = 0
        for position, task in enumerate(tasks, 1):
            folder = f"{_safe(task.theme.key, 10)}/{position:03d}_{_safe(task.title)}"
            for update in by_task.get(task.id, []):
                figures = "\uff1b".join(f"{m.name}{m.value.normalize():f}{m.unit}" for m in update.metrics)
                files = update.evidence or [None]
                for item in files:
                    number += 1
                    inside = ""
                    if item is not None:
                        inside = f"{folder}/{update.created_at:%Y%m%d}_{item.id}_{_safe(item.filename, 80)}"
                        source = path_of(item.stored_name)
                        if source.exists():
                            archive.write(source, inside)
                        else:
                            missing.append(item.filename)
                            inside = "(文件缺失)"
                        job.done_count += 1
                        if job.done_count % 20 == 0:
                            job.progress_at = utcnow()
                            commit_progress()
                    ws.append(cells([number, task.theme.key, task.title, cn_datetime(update.created_at),
                                     update.author.name, f"{update.percent}%", update.note, figures,
                                     item.filename if item else "", inside]))
            if not by_task.get(task.id):
                number += 1
                ws.append(cells([number, task.theme.key, task.title, "", "", f"{task.progress}%", "(暂无进展)",
                                 "", "", ""]))
        for row in ws.iter_rows(min_row=2):
            for cell in row:
                cell.alignment = Alignment(vertical="top", wrap_text=True)
        buffer = io.BytesIO()
        index.save(buffer)
        archive.writestr("目录.xlsx", buffer.getvalue())
        if missing:
            archive.writestr("缺失文件.txt", "以下文件在服务器上找不到:\n" + "\n".join(map(for_file, missing)))
    job.stored_name, job.size = stored_name, target.stat().st_size
    job.done_count, job.status, job.finished_at = job.total, "done", utcnow()
    commit_progress()


def expire_old(now: datetime) -> list[str]:
    """Mark the packs built over EXPORT_KEEP_DAYS ago expired; returns their files, to delete after the commit
    (a file deleted first and a commit that failed would leave a pack that says 已完成 and cannot be had)."""
    keep = current_app.config["EXPORT_KEEP_DAYS"]
    cutoff = now - timedelta(days=keep)
    names = list(db.session.scalars(
        update(ExportJob).where(ExportJob.status == "done", ExportJob.finished_at < cutoff)
        .values(status="expired", error=f"压缩包已超过保留期限({keep:g}天)被清理,如需请重新打包")
        .returning(ExportJob.stored_name), execution_options={"synchronize_session": False}))
    return [name for name in names if name]


def remove_files(names: list[str], now: datetime) -> int:
    """Delete the expired packs' files, and any pack file older than the keeping time that no built pack owns
    (a build that failed half-way); returns how many files went."""
    folder = exports_dir()
    owned = set(db.session.scalars(select(ExportJob.stored_name).where(ExportJob.stored_name.is_not(None),
                                                                       ExportJob.status == "done")))
    cutoff = (now - timedelta(days=current_app.config["EXPORT_KEEP_DAYS"])).timestamp()
    doomed = {folder / name for name in names}
    doomed |= {path for path in folder.glob("*.zip") if path.name not in owned and path.stat().st_mtime < cutoff}
    removed = 0
    for path in doomed:
        try:
            path.unlink()
            removed += 1
        except FileNotFoundError:
            pass  # a second clean-up at the same time took it
    return removed


def pack_path(job: ExportJob) -> Path | None:
    if job.status != "done" or not job.stored_name:
        return None
    path = exports_dir() / job.stored_name
    return path if path.exists() else None


def download_name(job: ExportJob) -> str:
    return f"证明材料_{_safe(job.label, 80)}.zip"


def recent_jobs(actor: User, plan: Plan, limit: int = 10) -> list[ExportJob]:
    return db.session.scalars(select(ExportJob).where(ExportJob.user_id == actor.id, ExportJob.plan_id == plan.id)
                              .order_by(ExportJob.id.desc()).limit(limit)).all()

