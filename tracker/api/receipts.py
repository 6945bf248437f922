"""签收 and 催办 read receipts over the API (issue 17)."""
from flask import g, jsonify

from tracker.api import schemas, serialize
from tracker.api.blueprint import bp
from tracker.api.spec import operation
from tracker.services.calendar.clock import today
from tracker.services.people.access import load_task
from tracker.services.reminders import receipts
from tracker.services.tasks import acknowledgement


@operation(bp, "/tasks/<int:task_id>/acknowledge", "POST", summary="签收任务(责任人或协办人;重复签收保留首次时间)",
           response=schemas.TaskOut)
def acknowledge_task(task_id):
    task = load_task(g.api_user, task_id)
    acknowledgement.acknowledge(g.api_user, task)
    return jsonify(serialize.task(task, today()))


@operation(bp, "/tasks/<int:task_id>/urges", "GET", summary="催办记录及责任人是否已读(最新在前)",
           response=schemas.UrgeReceipts)
def task_urges(task_id):
    task = load_task(g.api_user, task_id)
    items = [schemas.UrgeReceiptOut(id=u.id, at=u.at, by=u.by, message=u.message, read_at=u.read_at)
             for u in receipts.urges(task)]
    return jsonify(schemas.UrgeReceipts(items=items).model_dump(mode="json"))
