"""Rankings over the API: 办结率 and 按期办结率 by organisation, unit or owner (issue 17.4)."""
from datetime import date

from flask import g, jsonify, request
from pydantic import BaseModel, Field

from tracker.api.blueprint import bp
from tracker.api.spec import operation
from tracker.services.calendar.clock import today
from tracker.services.rankings import ranking as rankings
from tracker.services.rankings.rates import as_number


class RankingItemOut(BaseModel):
    key: int | str | None = Field(description="org: 单位 id;unit: 责任单位;owner: 用户名")
    name: str
    tasks: int
    done: int
    done_on_time: int
    overdue: int
    completion_rate: float | None = Field(description="办结率(0–1);统计期内没有任务时为 null")
    on_time_rate: float | None = Field(description="按期办结率(0–1);统计期内没有任务时为 null")
    rank: int


class RankingOut(BaseModel):
    org: str
    year: int
    by: str
    from_: date = Field(alias="from")
    to: date
    items: list[RankingItemOut]
    total: RankingItemOut


def item(row) -> dict:
    """One ranked row as the API gives it."""
    return {"key": row.key, "name": row.name, "tasks": row.tasks, "done": row.done,
            "done_on_time": row.done_on_time, "overdue": row.overdue,
            "completion_rate": as_number(row.completion_rate), "on_time_rate": as_number(row.on_time_rate),
            "rank": row.rank}


@operation(bp, "/rankings", "GET", summary="办结率、按期办结率排名(org 下级单位 / unit 责任单位 / owner 责任人)",
           response=RankingOut,
           query=[("year", "integer", "计划年度(必填)"), ("by", "string", "org、unit 或 owner(必填)"),
                  ("from", "string", "完成时限起(YYYY-MM-DD,默认1月1日)"),
                  ("to", "string", "完成时限止(YYYY-MM-DD,默认12月31日)"),
                  ("org", "integer", "排名的单位 id(默认本单位)")])
def list_rankings():
    args = request.args
    year, by, start, end = rankings.parse(args.get("year"), args.get("by"), args.get("from"), args.get("to"))
    org = rankings.scope_org(g.api_user, args.get("org"))
    result = rankings.ranking(g.api_user, year, by, start, end, today(), org)
    return jsonify({"org": result.org.name, "year": year, "by": by, "from": start.isoformat(),
                    "to": end.isoformat(), "items": [item(r) for r in result.rows], "total": item(result.total)})
