"""Plans, read-only over the API."""
from flask import g, jsonify

from tracker.api import schemas, serialize
from tracker.api.blueprint import bp
from tracker.api.parsing import page_body, pagination
from tracker.api.spec import operation
from tracker.services.people.access import load_plan
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
