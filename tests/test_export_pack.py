"""Evidence packs built by the real Celery worker: a zip with an index sheet and the evidence files."""
import io
import time
import zipfile

from openpyxl import load_workbook
from sqlalchemy import func, select

from tests.factories import csrf_token
from tests.import_fixtures import login
from tracker.extensions import db
from tracker.models import ExportJob
from tracker.services.people.users import get_user
from tracker.services.tasks.evidence import IncomingFile
from tracker.services.tasks.progress import record_progress

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 64


def _wait(predicate, seconds=40):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        db.session.rollback()  # see the worker's commits
        if predicate():
            return True
        time.sleep(0.2)
    return False


def test_pack_is_built_in_the_background_with_index_and_files(app, client, world, celery_worker):
    app.config["EXPORT_QUEUE"] = celery_worker["queue"]
    task = world.task(title="开展普法宣讲")
    other = world.task(title="法律顾问进村", theme="实")
    record_progress(get_user("cadre"), task, percent=50, note="宣讲2场", metrics=[{"name": "宣讲", "value": 2, "unit": "场"}],
                    files=[IncomingFile("现场照片.png", PNG), IncomingFile("签到表.png", PNG + b"1")])
    record_progress(get_user("cadre"), other, percent=30, note="顾问到村1次", files=[IncomingFile("记录.png", PNG)])
    db.session.commit()
    login(client, "office")
    page = client.get(f"/exports/plans/{world.plan.id}").get_data(as_text=True)
    response = client.post(f"/exports/plans/{world.plan.id}/evidence",
                           data={"csrf_token": csrf_token(page), "scope": "plan", "theme": "法", "task": str(task.id)})
    assert response.status_code == 302
    job = db.session.scalar(select(ExportJob))
    assert _wait(lambda: db.session.get(ExportJob, job.id).status in ("done", "failed")), \
        celery_worker["log"].read_text()[-3000:]
    job = db.session.get(ExportJob, job.id)
    assert job.status == "done", job.error
    assert job.percent == 100 and job.total == 4
    status = client.get(f"/exports/packs/{job.id}").get_data(as_text=True)
    assert "下载压缩包" in status
    download = client.get(f"/exports/packs/{job.id}/download")
    assert download.status_code == 200 and download.mimetype == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(download.data))
    names = archive.namelist()
    assert "目录.xlsx" in names
    pictures = [n for n in names if n.endswith(".png")]
    assert len(pictures) == 3 and any("现场照片.png" in n for n in pictures)
    assert any(n.startswith("法/") for n in pictures) and any(n.startswith("实/") for n in pictures)
    index = load_workbook(io.BytesIO(archive.read("目录.xlsx")))["目录"]
    rows = [[c.value for c in r] for r in index.iter_rows(min_row=2)]
    assert len(rows) == 3
    located = {r[8]: r[9] for r in rows}
    assert located["现场照片.png"] in names and rows[0][7] == "宣讲2场"
    # Someone else cannot see or download the job.
    client.post("/logout", data={"csrf_token": csrf_token(status)})
    login(client, "leader")
    assert client.get(f"/exports/packs/{job.id}/download").status_code == 404


def test_theme_and_task_scopes(app, world):
    from tracker.services.exporting.evidence_pack import build_pack, pack_path, request_pack
    task = world.task(title="开展普法宣讲")
    world.task(title="别的主题", theme="实")
    record_progress(get_user("cadre"), task, percent=50, note="宣讲", files=[IncomingFile("a.png", PNG)])
    db.session.commit()
    job = request_pack(get_user("leader"), world.plan, "task", str(task.id))
    build_pack(job, db.session.flush)
    db.session.commit()
    names = zipfile.ZipFile(pack_path(job)).namelist()
    assert sorted(names) == sorted(["目录.xlsx", next(n for n in names if n.endswith("a.png"))])
    job = request_pack(get_user("leader"), world.plan, "theme", "实")
    build_pack(job, db.session.flush)
    index = load_workbook(io.BytesIO(zipfile.ZipFile(pack_path(job)).read("目录.xlsx")))["目录"]
    assert [r[2].value for r in index.iter_rows(min_row=2)] == ["别的主题"]


def test_a_pack_whose_message_was_lost_is_handed_out_again(app, world, celery_worker):
    """The job's message went to a queue no worker reads (a lost message); past EXPORT_STALE_SECONDS the periodic
    hand-out sends it again and the real worker builds it. A fresh job is left alone."""
    from datetime import timedelta

    import redis

    from tasks.exports import hand_out
    from tracker.models.types import utcnow
    from tracker.services.exporting.evidence_pack import request_pack
    app.config["EXPORT_QUEUE"] = "test-export-nobody"  # the message is lost there
    task = world.task(title="开展普法宣讲")
    record_progress(get_user("cadre"), task, percent=50, note="宣讲", files=[IncomingFile("照片.png", PNG)])
    job = request_pack(get_user("office"), world.plan, "plan")
    db.session.commit()
    redis.Redis.from_url(app.config["REDIS_URL"]).delete("test-export-nobody")
    app.config["EXPORT_QUEUE"] = celery_worker["queue"]
    assert hand_out.run() == 0  # not stale yet: nothing sent twice (run: in this test's app context)
    db.session.get(ExportJob, job.id).queued_at = utcnow() - timedelta(seconds=app.config["EXPORT_STALE_SECONDS"] + 1)
    db.session.commit()
    assert hand_out.run() == 1
    assert _wait(lambda: db.session.get(ExportJob, job.id).status == "done"), celery_worker["log"].read_text()[-3000:]
    assert hand_out.run() == 0  # done jobs are never handed out again
    from tasks.exports import build_evidence_pack
    built = db.session.get(ExportJob, job.id).stored_name
    build_evidence_pack.run(job.id)  # the same message delivered once more: the claim refuses it
    db.session.rollback()
    assert db.session.get(ExportJob, job.id).stored_name == built


def test_one_person_may_have_only_a_few_packs_waiting(app, client, world):
    """EXPORT_MAX_PENDING packs queued or building per person; the next is refused in Chinese, nothing is queued,
    and another person, or the same one once a pack is done, may pack again (issue 18.13)."""
    import redis

    from tracker.services.exporting.evidence_pack import request_pack
    app.config.update(EXPORT_QUEUE="test-export-nobody", EXPORT_MAX_PENDING=2)
    try:
        for _ in range(2):
            request_pack(get_user("office"), world.plan, "plan")
        db.session.commit()
        login(client, "office")
        page = client.get(f"/exports/plans/{world.plan.id}").get_data(as_text=True)
        response = client.post(f"/exports/plans/{world.plan.id}/evidence",
                               data={"csrf_token": csrf_token(page), "scope": "plan"}, follow_redirects=True)
        html = response.get_data(as_text=True)
        assert response.status_code == 200 and "每人同时最多2个" in html
        assert db.session.scalar(select(func.count()).select_from(ExportJob)) == 2
        request_pack(get_user("leader"), world.plan, "plan")  # someone else is not held up
        first = db.session.scalar(select(ExportJob).where(ExportJob.user_id == get_user("office").id))
        first.status = "done"
        request_pack(get_user("office"), world.plan, "plan")
        db.session.commit()
        assert db.session.scalar(select(func.count()).select_from(ExportJob)) == 4
    finally:
        redis.Redis.from_url(app.config["REDIS_URL"]).delete("test-export-nobody")


def test_old_packs_expire_and_their_files_are_deleted(app, client, world):
    """Beat's clean-up marks packs built over EXPORT_KEEP_DAYS ago 已过期 and deletes their files, and any old
    file no built pack owns; a recent pack stays downloadable (issue 18.13)."""
    import os
    from datetime import timedelta

    from tasks.exports import clean_up
    from tracker.models.types import utcnow
    from tracker.services.exporting.evidence_pack import build_pack, exports_dir, pack_path, request_pack
    app.config.update(EXPORT_QUEUE="test-export-nobody", EXPORT_KEEP_DAYS=7)
    task = world.task(title="开展普法宣讲")
    record_progress(get_user("cadre"), task, percent=50, note="宣讲", files=[IncomingFile("a.png", PNG)])
    old, recent = (request_pack(get_user("office"), world.plan, "plan") for _ in range(2))
    for job in (old, recent):
        build_pack(job, db.session.flush)
    old_file, recent_file = pack_path(old), pack_path(recent)
    old.finished_at = utcnow() - timedelta(days=8)
    db.session.commit()
    aged = (utcnow() - timedelta(days=8)).timestamp()
    stray_old, stray_new = exports_dir() / "half-built.zip", exports_dir() / "being-built.zip"
    for stray in (stray_old, stray_new):
        stray.write_bytes(b"PK")
    os.utime(stray_old, (aged, aged))
    assert clean_up.run() == 2
    db.session.rollback()
    old, recent = db.session.get(ExportJob, old.id), db.session.get(ExportJob, recent.id)
    assert (old.status, recent.status) == ("expired", "done")
    assert not old_file.exists() and not stray_old.exists()
    assert recent_file.exists() and stray_new.exists() and pack_path(recent) == recent_file
    login(client, "office")
    assert client.get(f"/exports/packs/{old.id}/download").status_code == 404
    assert "超过保留期限(7天)" in client.get(f"/exports/packs/{old.id}").get_data(as_text=True)
    assert "已过期" in client.get(f"/exports/plans/{world.plan.id}").get_data(as_text=True)
    assert clean_up.run() == 0  # again: nothing left to do


def test_packs_have_a_queue_of_their_own_that_every_worker_command_consumes():
    """Packs go to EXPORT_QUEUE (`exports`), not the reminders' queue; a worker started without -Q (the README's
    command) consumes both, and `dev.py run` starts one worker for packs and one for the rest (issue 18.13)."""
    from pathlib import Path

    from config import Config
    from tracker.devserver import worker_commands
    config = Config()
    assert config.EXPORT_QUEUE == "exports" and config.REMINDER_QUEUE != config.EXPORT_QUEUE
    assert {q.name for q in config.CELERY["task_queues"]} == {"celery", "exports"}
    schedule = config.CELERY["beat_schedule"]
    assert schedule["exports-hand-out"]["options"]["queue"] == schedule["exports-clean-up"]["options"]["queue"] \
        == "exports"
    queues = [command[command.index("-Q") + 1].split(",") for command in worker_commands(Path("instance"))]
    assert sorted(queues) == [["celery"], ["exports"]]
