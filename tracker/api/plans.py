"""Plans over the API: read them, and carry a year's open tasks into the next."""
from flask import g, jsonify
from sqlalchemy import select

from tracker.api import schemas, serialize
from tracker.api.blueprint import bp
from tracker.api.parsing import page_body, pagination, parse_json
from tracker.api.spec import operation
from tracker.extensions import db
from tracker.models import PlanTask
from tracker.services.calendar.clock import today
from tracker.services.people.access import load_plan
from tracker.services.plans import carry_over as carrying
from tracker.services.tasks.queries import visible_plans


@operation(bp, "/plans", "GET", summary="可见的年度计划", response=schemas.Page[schemas.PlanOut],
           query=[("page", "integer", "页码,从1开始"), ("per_page", "integer", "每页条数,最多100")])
def list_plans():
    page, per_page = pagination()
    rows, total = visible_plans(g.api_user, page, per_page)
    return jsonify(page_body([serialize.plan(p) for p in rows], total, page, per_page))


@operation(bp, "/plans/<int:plan_id>", "GET", summary="一个年度计划", response=schemas.PlanOut)
def get_plan(plan_id):
    return jsonify(serialize.plan(load_plan(g.api_user, plan_id)))


@operation(bp, "/plans/<int:plan_id>/carry-over", "POST", status=201,
           summary="结转到下一年度(党政办;dry_run 只预览,不改动)", body=schemas.CarryOverIn,
           response=schemas.CarryOverOut, also={200: ("预览(dry_run)", schemas.CarryOverPreviewOut)})
def carry_over(plan_id):
    plan = load_plan(g.api_user, plan_id)
    body = parse_json(schemas.CarryOverIn)
    day = today()
    if body.dry_run:
        found = carrying.candidates(g.api_user, plan, day)
        return jsonify({"year": plan.year + 1, "tasks": [
            {**serialize.task(c.task, day), "proposed_due_date": c.due_date and c.due_date.isoformat(),
             "ticked": c.ticked} for c in found]})
    record = carrying.carry_over(g.api_user, plan, body.task_ids, body.due_dates, day)
    response = jsonify(_carry_json(record, [i["task"] for i in record.moved], day))
    response.status_code = 201
    return response


@operation(bp, "/carry-overs/<int:carry_id>/undo", "POST", summary="撤销一次结转(结转后未被修改时)",
           response=schemas.CarryOverOut)
def undo_carry_over(carry_id):
    record = carrying.load(g.api_user, carry_id)
    restored = carrying.undo(g.api_user, record)
    return jsonify(_carry_json(record, [t.id for t in restored], today()))


def _carry_json(record, task_ids: list[int], day) -> dict:
    rows = db.session.scalars(select(PlanTask).where(PlanTask.id.in_(task_ids)).order_by(PlanTask.id)).all()
    return schemas.CarryOverOut(id=record.id, plan_id=record.to_plan_id, year=record.to_plan.year,
                                tasks=[serialize.task(t, day) for t in rows],
                                undone_at=record.undone_at).model_dump(mode="json")
