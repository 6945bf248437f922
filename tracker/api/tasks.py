"""Tasks over the API: list, create, edit, progress, requests, review, cancel, history."""
import json
import re
from datetime import date

from flask import g, jsonify, request, send_file
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from tracker.api import schemas, serialize
from tracker.api.blueprint import bp
from tracker.api.parsing import int_arg, page_body, pagination, parse_data, parse_json
from tracker.api.spec import operation
from tracker.extensions import db
from tracker.models import STATUSES, Evidence, PlanTask, ProgressUpdate
from tracker.services.calendar.clock import today
from tracker.services.errors import NotFound, ValidationFailed
from tracker.services.people.access import can_read_org, load_plan, load_task
from tracker.services.tasks import corrections, counting, progress, requests
from tracker.services.tasks import evidence as evidence_files
from tracker.services.tasks import verbs as tasks
from tracker.services.tasks.queries import TaskCursor, TaskFilters, task_history, task_page
from tracker.services.validation import MAX_ID, as_int, is_id

PAGING = [("page", "integer", "页码,从1开始"), ("per_page", "integer", "每页条数,最多100")]
FILTERS = [("plan_id", "integer", "计划"), ("owner", "string", "责任人用户名"),
           ("status", "string", "状态"), ("theme", "string", "主题(法/新/实)"),
           ("section", "integer", "报告板块序号(一至十,按该年度报告模板)"), ("overdue", "boolean", "true 只看逾期"),
           ("q", "string", "关键词"), ("acknowledged", "boolean", "false 只看待签收(已交办未签收),true 只看已签收")]


def _filters() -> TaskFilters:
    status = request.args.get("status") or None
    if status is not None and status not in STATUSES:
        raise ValidationFailed("未知的状态", {"status": "须为 " + "、".join(STATUSES)})
    overdue = (request.args.get("overdue") or "").lower()
    if overdue not in ("", "true", "false", "1", "0"):
        raise ValidationFailed("参数 overdue 须为 true 或 false", {"overdue": "须为 true 或 false"})
    acknowledged = (request.args.get("acknowledged") or "").lower()
    if acknowledged not in ("", "true", "false", "1", "0"):
        raise ValidationFailed("参数 acknowledged 须为 true 或 false", {"acknowledged": "须为 true 或 false"})
    q = request.args.get("q") or None
    if q is not None and len(q) > 100:
        raise ValidationFailed("关键词不能超过100个字", {"q": "不能超过100个字"})
    return TaskFilters(plan_id=int_arg("plan_id"), owner=request.args.get("owner") or None, status=status,
                       theme=request.args.get("theme") or None, section=int_arg("section"),
                       overdue=overdue in ("true", "1"), q=q,
                       acknowledged=None if not acknowledged else acknowledged in ("true", "1"))


def _task_json(task: PlanTask):
    return jsonify(serialize.task(task, today()))


AFTER = [("after", "string", "上一页返回的 next_after(形如 2026-11-20:1234,无完成时限为 none:1234);给出时忽略 page")]
CURSOR = re.compile(r"([0-9]{4}-[0-9]{2}-[0-9]{2}|none):([0-9]{1,10})")


def _cursor() -> TaskCursor | None:
    raw = request.args.get("after") or None
    if raw is None:
        return None
    match = CURSOR.fullmatch(raw)
    try:
        due = None if match is None or match[1] == "none" else date.fromisoformat(match[1])
    except ValueError:
        match = None
    if match is None or int(match[2]) > MAX_ID:
        raise ValidationFailed("参数 after 须为上一页返回的 next_after", {"after": "须形如 2026-11-20:1234 或 none:1234"})
    return TaskCursor(due, int(match[2]))


def _next_after(rows: list, more: bool) -> str | None:
    if not more:
        return None
    last = rows[-1]
    return f"{last.due_date.isoformat() if last.due_date else 'none'}:{last.id}"


@operation(bp, "/tasks", "GET", summary="任务列表(按完成时限、编号排序)", response=schemas.TaskPage,
           query=FILTERS + PAGING + AFTER)
def list_tasks():
    filters = _filters()
    page, per_page = pagination()
    after = _cursor()
    day = today()

    def body() -> dict:
        rows, total, more = task_page(g.api_user, filters, day, page, per_page, after)
        return {**page_body([serialize.task(t, day) for t in rows], total, page, per_page),
                "next_after": _next_after(rows, more)}
    if filters.q is not None:  # each search's free text would make a page of its own in Redis
        return jsonify(body())
    # Integrations poll the same pages over and over: while no task changes, every worker answers from one copy.
    key = "api-tasks:" + counting.digest((filters, page, per_page, after))
    return jsonify(counting.shared(g.api_user, day, key, body))


@operation(bp, "/tasks", "POST", summary="新建任务(党政办)", body=schemas.TaskCreate, response=schemas.TaskOut,
           status=201)
def create_task():
    body = parse_json(schemas.TaskCreate)
    plan = load_plan(g.api_user, body.plan_id)
    data = body.model_dump(exclude={"plan_id"}, exclude_unset=False)
    task = tasks.create_task(g.api_user, plan, data)
    response = _task_json(task)
    response.status_code = 201
    return response


@operation(bp, "/tasks/<int:task_id>", "GET", summary="任务详情", response=schemas.TaskDetailOut)
def get_task(task_id):
    task = load_task(g.api_user, task_id)
    day = today()
    body = serialize.task(task, day)
    updates = db.session.scalars(select(ProgressUpdate).where(ProgressUpdate.task_id == task.id).options(
        selectinload(ProgressUpdate.metrics), selectinload(ProgressUpdate.evidence),
        selectinload(ProgressUpdate.author), selectinload(ProgressUpdate.on_behalf_of),
    ).order_by(ProgressUpdate.created_at, ProgressUpdate.id)).all()
    body["subtasks"] = [s.id for s in task.subtasks]
    body["pending_requests"] = [serialize.request(r) for r in requests.pending(task)]
    body["updates"] = [serialize.update(u) for u in updates]
    return jsonify(body)


@operation(bp, "/tasks/<int:task_id>", "PATCH", summary="修改任务(党政办,须带 version)", body=schemas.TaskPatch,
           response=schemas.TaskOut)
def patch_task(task_id):
    task = load_task(g.api_user, task_id)
    body = parse_json(schemas.TaskPatch)
    data = {k: getattr(body, k) for k in body.model_fields_set if k != "version"}
    tasks.update_task(g.api_user, task, data, body.version)
    return _task_json(task)


def _progress_body() -> tuple[schemas.ProgressIn, list]:
    """JSON, or multipart with evidence files."""
    if request.mimetype != "multipart/form-data":
        return parse_json(schemas.ProgressIn), []
    form = request.form
    data: dict = {"note": form.get("note", "")}
    raw_percent = form.get("percent", "")
    data["percent"] = as_int(raw_percent, raw_percent)
    try:
        data["metrics"] = json.loads(form.get("metrics") or "[]")
        json.dumps(data)  # what parse_data does: a nesting json.loads took may still be too deep to write
    except (ValueError, RecursionError):  # RecursionError: "[[[[…" nested a hundred thousand deep
        raise ValidationFailed("metrics 须为 JSON 数组", {"metrics": "须为 JSON 数组"}) from None
    files = [evidence_files.IncomingFile(f.filename or "", f.read()) for f in request.files.getlist("evidence")]
    return parse_data(schemas.ProgressIn, data), files


@operation(bp, "/tasks/<int:task_id>/progress", "POST", summary="反馈进展(可附证明材料)",
           body=schemas.ProgressIn, response=schemas.UpdateOut, status=201, multipart=True)
def post_progress(task_id):
    task = load_task(g.api_user, task_id)
    body, files = _progress_body()
    metrics = [m.model_dump() for m in body.metrics]
    if body.corrects is not None:
        if files:
            raise ValidationFailed("更正只改数据和进度,证明材料请另行反馈", {"evidence": "更正不附证明材料"})
        update = corrections.correct_progress(g.api_user, task, body.corrects, percent=body.percent,
                                              note=body.note, metrics=metrics)
    else:
        update = progress.record_progress(g.api_user, task, percent=body.percent, note=body.note,
                                          metrics=metrics, files=files)
    return jsonify(serialize.update(update)), 201


@operation(bp, "/tasks/<int:task_id>/complete-request", "POST", summary="申请办结", body=schemas.CompletionIn,
           response=schemas.RequestOut, status=201)
def complete_request(task_id):
    task = load_task(g.api_user, task_id)
    body = parse_json(schemas.CompletionIn)
    req = requests.request_completion(g.api_user, task, body.note)
    return jsonify(serialize.request(req)), 201


@operation(bp, "/tasks/<int:task_id>/extension-request", "POST", summary="申请延期", body=schemas.ExtensionIn,
           response=schemas.RequestOut, status=201)
def extension_request(task_id):
    task = load_task(g.api_user, task_id)
    body = parse_json(schemas.ExtensionIn)
    req = requests.request_extension(g.api_user, task, body.due_date, body.reason)
    return jsonify(serialize.request(req)), 201


@operation(bp, "/tasks/<int:task_id>/review", "POST", summary="审核最早的待审申请(牵头领导或党政办)",
           body=schemas.ReviewIn, response=schemas.TaskOut)
def review(task_id):
    task = load_task(g.api_user, task_id)
    body = parse_json(schemas.ReviewIn)
    requests.review(g.api_user, task, body.approve, body.comment)
    return _task_json(task)


@operation(bp, "/tasks/<int:task_id>/cancel", "POST", summary="取消任务(党政办)", body=schemas.CancelIn,
           response=schemas.TaskOut)
def cancel(task_id):
    task = load_task(g.api_user, task_id)
    body = parse_json(schemas.CancelIn)
    tasks.cancel_task(g.api_user, task, body.reason)
    return _task_json(task)


@operation(bp, "/tasks/<int:task_id>/history", "GET", summary="留痕(操作记录)",
           response=schemas.Page[schemas.HistoryOut], query=PAGING)
def history(task_id):
    task = load_task(g.api_user, task_id)
    page, per_page = pagination()
    rows, total = task_history(task, page, per_page)
    return jsonify(page_body([serialize.history(e) for e in rows], total, page, per_page))


@operation(bp, "/evidence/<int:evidence_id>", "GET", summary="下载证明材料", binary=True)
def download_evidence(evidence_id):
    item = db.session.get(Evidence, evidence_id) if is_id(evidence_id) else None
    if item is None or not can_read_org(g.api_user, item.update.task.org):
        raise NotFound("文件不存在")
    path = evidence_files.path_of(item.stored_name)
    if not path.exists():
        raise NotFound("文件不存在")
    return send_file(path, mimetype=item.content_type, download_name=evidence_files.display_name(item.filename),
                     as_attachment=not item.is_image)
