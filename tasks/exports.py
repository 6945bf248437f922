"""Building evidence packs in the background (issue 6)."""
import logging

from celery import shared_task

from tracker.extensions import db
from tracker.models import ExportJob
from tracker.models.types import utcnow
from tracker.services.exporting.evidence_pack import build_pack, claim_job, expire_old, hand_out_stale, remove_files

log = logging.getLogger(__name__)


@shared_task(name="exports.evidence_pack", acks_late=True, ignore_result=True)
def build_evidence_pack(job_id: int) -> None:
    """Build the pack of one export job, once: a job done, or claimed by another worker, is left alone."""
    job = claim_job(job_id, utcnow())
    db.session.commit()  # the claim is seen by any other worker given the same job
    if job is None:
        log.info("evidence pack %s: done or being built elsewhere", job_id)
        return
    try:
        build_pack(job, db.session.commit)
        log.info("evidence pack %s built: %s bytes", job_id, job.size)
    except Exception as exc:  # recorded on the job so the page can say so; the log keeps the traceback
        log.exception("evidence pack %s failed", job_id)
        db.session.rollback()
        job = db.session.get(ExportJob, job_id)
        job.status, job.error, job.finished_at = "failed", f"打包失败:{type(exc).__name__}", utcnow()
        db.session.commit()


@shared_task(name="exports.hand_out", ignore_result=True)
def hand_out() -> int:
    """Hand out again the packs whose message or worker was lost (beat, every few minutes)."""
    ids = hand_out_stale(utcnow())
    db.session.commit()  # the jobs go to the broker once this commits
    if ids:
        log.info("evidence packs handed out again: %s", ids)
    return len(ids)


@shared_task(name="exports.clean_up", ignore_result=True)
def clean_up() -> int:
    """Expire the packs past EXPORT_KEEP_DAYS and delete their files (beat, hourly); safe to run any number of
    times."""
    now = utcnow()
    names = expire_old(now)
    db.session.commit()  # the rows say 已过期 before their files go
    removed = remove_files(names, now)
    if names or removed:
        log.info("evidence packs expired: %d, files removed: %d", len(names), removed)
    return removed
