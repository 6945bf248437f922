"""The demo year: 旌德县 with 云乐镇, 白地镇 and 三溪镇, users of every role, the 2024 plan with a year of
history and the current year's plan carried over from it, with deadlines around today."""
from datetime import date, datetime, time, timedelta
from pathlib import Path

import tomllib
from sqlalchemy import select

from tracker.extensions import db
from tracker.models import Organisation, PlanTask, User
from tracker.models.types import recorded_at
from tracker.services.calendar.clock import local_zone
from tracker.services.calendar.workdays import add_workdays, sub_workdays
from tracker.services.people import orgs, users
from tracker.services.plans import carry_over as carrying
from tracker.services.plans import verbs as plans
from tracker.services.reporting import demo_data as report_demo
from tracker.services.tasks import progress, requests
from tracker.services.tasks import verbs as tasks

DEMO_DIR = Path(__file__).resolve().parents[1] / "demo"
DEMO_PASSWORD = "yunle2024"

# (username, name, role, organisation path, what they do)
DEMO_USERS = [
    ("county", "县依法治县办督查员", "viewer", "旌德县", "县委依法治县办:只读,可看全县"),
    ("county_office", "县委依法治县办主任", "committee", "旌德县", "县级党政办"),
    ("office", "王晓燕", "committee", "旌德县/云乐镇", "云乐镇党政办主任:交办、审核、管理用户"),
    ("secretary", "陈建国", "committee", "旌德县/云乐镇", "云乐镇党委书记"),
    ("lead_law", "刘志强", "leader", "旌德县/云乐镇", "政法委员,牵头“法”“新”类任务"),
    ("lead_gov", "周敏", "leader", "旌德县/云乐镇", "副镇长,牵头服务类任务"),
    ("sifa", "张磊", "cadre", "旌德县/云乐镇", "司法所所长"),
    ("zongzhi", "李娜", "cadre", "旌德县/云乐镇", "综治中心专干"),
    ("liucun", "汪德明", "cadre", "旌德县/云乐镇", "刘村村党总支书记"),
    ("yunlecun", "方红梅", "cadre", "旌德县/云乐镇", "云乐村支书"),
    ("lingzhi", "吴海涛", "cadre", "旌德县/云乐镇", "灵芝村支书"),
    ("fuwu", "胡婷", "cadre", "旌德县/云乐镇", "便民服务中心工作人员"),
    ("baidi_office", "赵丽", "committee", "旌德县/白地镇", "白地镇党政办主任"),
    ("baidi_cadre", "孙伟", "cadre", "旌德县/白地镇", "白地镇司法所干部"),
    ("sanxi_office", "钱芳", "committee", "旌德县/三溪镇", "三溪镇党政办主任"),
    ("sanxi_cadre", "郑浩", "cadre", "旌德县/三溪镇", "三溪镇综治中心干部"),
]
# 所在单位 and 职务 of the demo's people, as the 留痕 trail shows them beside their names.
DEMO_PROFILES = {
    "office": ("党政办", "主任"), "secretary": ("镇党委", "书记"), "lead_law": ("镇党委", "政法委员"),
    "lead_gov": ("镇政府", "副镇长"), "sifa": ("司法所", "所长"), "zongzhi": ("综治中心", "专干"),
    "liucun": ("刘村", "党总支书记"), "yunlecun": ("云乐村", "支书"), "lingzhi": ("灵芝村", "支书"),
    "fuwu": ("便民服务中心", "工作人员"), "baidi_office": ("党政办", "主任"), "baidi_cadre": ("司法所", "干部"),
    "sanxi_office": ("党政办", "主任"), "sanxi_cadre": ("综治中心", "干部"),
    "county": ("县委依法治县办", "督查员"), "county_office": ("县委依法治县办", "主任"),
}


def _at(day: date, hour: int = 10) -> datetime:
    """A moment in office hours, Asia/Shanghai."""
    return datetime.combine(day, time(hour), tzinfo=local_zone())


def _org(path: str) -> Organisation:
    node = None
    for name in path.split("/"):
        found = db.session.scalar(select(Organisation).where(
            Organisation.name == name,
            Organisation.parent_id == node.id if node else Organisation.parent_id.is_(None)))
        node = found or orgs.create_org(name, node)
    return node


def _users() -> dict[str, User]:
    people = {}
    for username, name, role, path, _ in DEMO_USERS:
        user = db.session.scalar(select(User).where(User.username == username))
        if user is None:
            unit, post = DEMO_PROFILES.get(username, (None, None))
            user = users.create_user(username=username, org=_org(path), role=role, name=name,
                                     password=DEMO_PASSWORD, unit=unit, post=post)
        people[username] = user
    return people


def _task_data(spec: dict, start: date | None, due: date | None) -> dict:
    return {"theme": spec["theme"], "title": spec["title"], "description": spec.get("description", ""),
            "report_section": spec["report_section"], "owner": spec["owner"],
            "co_owners": spec.get("co_owners", []), "lead": spec["lead"], "unit": spec.get("unit", ""),
            "start_date": start, "due_date": due}


def _replay(task: PlanTask, events: list[tuple[date, int, str, dict]], people: dict[str, User]) -> None:
    """Post updates and requests in date order, each recorded at its own date."""
    for day, order, kind, item in sorted(events, key=lambda e: (e[0], e[1])):
        with recorded_at(_at(day, 10 + order)):
            if kind == "update":
                author = people[item.get("by") or task.owner.username]
                progress.record_progress(author, task, percent=item["percent"], note=item["note"],
                                         metrics=item.get("metrics", []))
            elif kind == "request":
                by = people[item["by"]]
                if item["kind"] == "completion":
                    requests.request_completion(by, task, item["note"])
                else:
                    requests.request_extension(by, task, item["due"], item["note"])
            elif kind == "decision":
                requests.review(people[item["decided_by"]], task, item["decision"] == "approved",
                                item.get("comment", ""))


def _load_2024(people: dict[str, User]) -> int:
    spec = tomllib.loads((DEMO_DIR / "plan_2024.toml").read_text(encoding="utf-8"))
    org = people["office"].org
    if plans.plan_for(org, spec["year"]) is not None:
        return 0
    office = people["office"]
    with recorded_at(_at(date(spec["year"], 1, 8))):
        plan = plans.create_plan(org, spec["year"], spec["title"],
                                 [(t["key"], t["title"]) for t in spec["themes"]], actor=office)
    count = 0
    for theme in spec["themes"]:
        for item in theme["tasks"]:
            with recorded_at(_at(item["start"], 9)):
                task = tasks.create_task(office, plan, _task_data({**item, "theme": theme["key"]},
                                                                  item["start"], item["due"]))
                task.demo_ref = item["ref"]
                report_demo.load_targets(office, task, item)
            events = [(u["date"], 0, "update", u) for u in item.get("updates", [])]
            for r in item.get("requests", []):
                events.append((r["date"], 1, "request", r))
                if r.get("decision") in ("approved", "returned"):
                    events.append((r["decided_on"], 2, "decision", r))
            _replay(task, events, people)
            count += 1
    return count


def _load_current(people: dict[str, User], today: date) -> int:
    spec = tomllib.loads((DEMO_DIR / "plan_current.toml").read_text(encoding="utf-8"))
    org = people["office"].org
    if today.year == 2024 or plans.plan_for(org, today.year) is not None:
        return 0
    office = people["office"]
    carried = {t.demo_ref: t for t in db.session.scalars(
        select(PlanTask).where(PlanTask.org_id == org.id, PlanTask.demo_ref.is_not(None)))}
    plan_day = min(today - timedelta(days=max(-t.get("start_in_days", 0) for th in spec["themes"]
                                              for t in th["tasks"])), today)
    with recorded_at(_at(plan_day, 9)):
        plan = plans.create_plan(org, today.year, spec["title"].format(year=today.year),
                                 [(t["key"], t["title"]) for t in spec["themes"]], actor=office)
    count = 0
    for theme in spec["themes"]:
        for item in theme["tasks"]:
            start = today + timedelta(days=item.get("start_in_days", 0))
            due = today + timedelta(days=item["due_in_days"])
            with recorded_at(_at(min(start, today), 9)):
                task = tasks.create_task(office, plan, _task_data({**item, "theme": theme["key"]}, start, due))
                task.demo_ref = item["ref"]
                report_demo.load_targets(office, task, item)
                if item.get("carried_from") in carried:
                    task.carried_from_id = carried[item["carried_from"]].id
                    # As the carry-over does: the 2024 original closes as 已结转.
                    carrying.close_as_carried(office, carried[item["carried_from"]], task)
            updates = item.get("updates", [])
            events = [(today - timedelta(days=u["days_ago"]), 0, "update", u) for u in updates]
            if item.get("status") == "done":
                last = max((e[0] for e in events), default=today - timedelta(days=3))
                owner = item["owner"]
                events.append((last, 1, "request", {"kind": "completion", "by": owner,
                                                     "note": "各项工作已完成,材料已上传,申请办结。"}))
                events.append((min(last + timedelta(days=1), today), 2, "decision",
                               {"decided_by": item["lead"], "decision": "approved", "comment": "同意办结。"}))
            _replay(task, events, people)
            count += 1
    return count


def _load_baidi(people: dict[str, User], today: date) -> int:
    """A small plan for the second township, so a sibling's data is there to be hidden."""
    office, cadre = people["baidi_office"], people["baidi_cadre"]
    if plans.plan_for(office.org, today.year) is not None:
        return 0
    plan = plans.create_plan(office.org, today.year, f"白地镇{today.year}年法治政府建设工作计划",
                             [("1", "强化法治宣传教育"), ("2", "推进基层依法治理")], actor=office)
    rows = [("1", "开展“宪法进农村”集中宣传活动", 7, 30), ("2", "完善村级矛盾纠纷调解台账", 5, -3)]
    for key, title, section, due_in in rows:
        tasks.create_task(office, plan, {"theme": key, "title": title, "report_section": section,
                                         "owner": cadre.username, "lead": office.username, "unit": "司法所",
                                         "due_date": today + timedelta(days=due_in)})
    return len(rows)


# 三溪镇's tasks, one in each state the rankings tell apart: (title, unit, due, request, decision) with the due
# date in working days from today and the completion request in working days from the due date.
SANXI_TASKS = [
    ("开展“八五”普法终期自查", "司法所", -8, -2, "approved"),  # done on time
    ("整理村级法律顾问服务台账", "司法所", -15, 4, "approved"),  # done, asked for 4 working days late
    ("排查化解矛盾纠纷隐患", "综治中心", -3, None, None),  # overdue
    ("完善网格员培训记录", "综治中心", 15, None, None),  # open, on track
]


def _load_sanxi(people: dict[str, User], today: date) -> int:
    """A third township, so that the county's rankings by township compare something (issue 17.5)."""
    office = people["sanxi_office"]
    if plans.plan_for(office.org, today.year) is not None:
        return 0
    with recorded_at(_at(sub_workdays(today, 40), 9)):
        plan = plans.create_plan(office.org, today.year, f"三溪镇{today.year}年法治政府建设工作计划",
                                 [("1", "深化法治宣传教育"), ("2", "推进基层依法治理")], actor=office)
    for i, (title, unit, due_in, asked_in, decision) in enumerate(SANXI_TASKS):
        due = add_workdays(today, due_in) if due_in > 0 else sub_workdays(today, -due_in)
        with recorded_at(_at(sub_workdays(today, 30), 9)):
            task = tasks.create_task(office, plan, {
                "theme": "1" if i % 2 == 0 else "2", "title": title, "report_section": 5 if i % 2 else 1,
                "owner": "sanxi_cadre", "lead": office.username, "unit": unit,
                "start_date": sub_workdays(today, 30), "due_date": due})
        events = [(sub_workdays(today, 20), 0, "update", {"percent": 40, "note": "已按计划启动,正在推进。"})]
        if asked_in is not None:
            asked = add_workdays(due, asked_in) if asked_in > 0 else sub_workdays(due, -asked_in)
            events.append((asked, 1, "request", {"kind": "completion", "by": "sanxi_cadre",
                                                 "note": "各项工作已完成,材料已上传,申请办结。"}))
            events.append((min(add_workdays(asked, 1), today), 2, "decision",
                           {"decided_by": office.username, "decision": decision, "comment": "同意办结。"}))
        _replay(task, events, people)
    return len(SANXI_TASKS)


def load_demo(today: date) -> dict:
    """Create whatever part of the demo is missing; returns counts of what was added."""
    people = _users()
    added = {"tasks_2024": _load_2024(people), "tasks_current": _load_current(people, today),
             "tasks_baidi": _load_baidi(people, today), "tasks_sanxi": _load_sanxi(people, today)}
    report_demo.load_baseline(people["office"], people["office"].org)  # not a task count: kept out of `added`
    db.session.flush()
    return added
