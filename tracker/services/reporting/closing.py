"""Parts 二 and 三 of the draft: a few shortcomings with their causes, and next year's plan by theme."""
from dataclasses import dataclass, field

from sqlalchemy import func, select

from tracker.extensions import db
from tracker.models import Plan, PlanTask, PlanTheme
from tracker.services.reporting.collect import YearData, is_overdue, is_stalled
from tracker.services.reporting.wording import official, sentence
from tracker.services.reporting.writer import Written, an2cn

# The areas of the seven standard sub-sections, for naming a shortcoming without naming its tasks.
AREAS = {1: "学法用法", 2: "“放管服”改革", 3: "依法决策", 4: "行政执法", 5: "矛盾纠纷化解和公共法律服务",
         6: "权力制约监督", 7: "法治建设保障"}
# The seed's three kinds of cause (part 二 of the 2023 report), offered as each shortcoming's 原因; the
# committee keeps, picks another or writes its own on the report page.
CAUSES = {
    "coordination": "部分工作涉及多个部门和村，统筹调度不够及时，推进力度有待加强",
    "law": "个别干部依法办事意识不强，处理问题习惯凭经验、讲情理，运用法治思维和法治方式的能力有待提升",
    "people": "基层网格员、调解员队伍年龄偏大、培训不足，村民参与基层治理的积极性不高，日常工作留痕少",
}
# Which suggestion a shortcoming starts with, until the committee picks another or writes its own.
DEFAULT_CAUSE = {"overdue": "coordination", "returned": "law", "stalled": "people"}
SHORTCOMING_LABELS = {"overdue": "未按时限办结", "returned": "办结材料被退回", "stalled": "推进缓慢"}
MAX_TITLES = 4  # a theme's main tasks in part 三


@dataclass
class Shortcoming:
    """One shortcoming of part 二: what fell short, in general terms, and its cause."""

    kind: str
    text: str
    cause: str
    tasks: list[int] = field(default_factory=list)


def _areas(rows) -> str:
    names = list(dict.fromkeys(AREAS[t.section] for t in rows if t.section in AREAS))
    return f"，主要集中在{'、'.join(names[:3])}等方面" if names else ""


def find_shortcomings(data: YearData, causes: dict | None = None) -> list[Shortcoming]:
    """Overdue, returned and stalled work grouped in three; an approved extension is not a shortcoming.
    Each carries the committee's 原因 from `causes` (kind → text), else the seed's suggestion for its kind."""
    today = data.today
    overdue = [t for t in data.tasks if is_overdue(t, today)]
    returned = [t for t in data.tasks if t.returned_comments and t not in overdue]
    stalled = [t for t in data.tasks if is_stalled(t, today, data.plan.org_id) and t not in overdue
               and t not in returned]
    out = []
    if overdue:
        out.append(Shortcoming("overdue", f"部分重点任务推进不够有力，{len(overdue)}项任务未能在完成时限内办结"
                               + _areas(overdue), "", [t.id for t in overdue]))
    if returned:
        out.append(Shortcoming("returned", "部分工作基础还不够扎实，办结材料和工作台账不够规范"
                               + _areas(returned), "", [t.id for t in returned]))
    if stalled:
        out.append(Shortcoming("stalled", "部分工作持续用力不够，推进较为缓慢" + _areas(stalled),
                               "", [t.id for t in stalled]))
    for s in out:
        s.cause = ((causes or {}).get(s.kind) or "").strip() or CAUSES[DEFAULT_CAUSE[s.kind]]
    return out


def shortcomings(data: YearData, org_name: str, causes: dict | None = None) -> Written:
    """Part 二: 一是…。原因主要是…。 — never a task's title or a reviewer's words."""
    year, org_name = data.plan.year, official(org_name)
    if not data.tasks:
        return Written("")
    found = find_shortcomings(data, causes)
    if not found:
        return Written(f"{year}年，{org_name}法治政府建设工作总体按计划推进，但对照上级要求和群众期盼，"
                       f"在依法办事意识、基层治理参与和基层队伍建设等方面仍有提升空间。", [t.id for t in data.tasks])
    text = f"{year}年，{org_name}法治政府建设取得了一定成效，但对照上级要求和群众期盼，仍存在一些问题和不足。"
    text += "".join(f"{an2cn(i)}是{sentence(s.text)}原因主要是{sentence(s.cause)}" for i, s in enumerate(found, 1))
    return Written(text, list(dict.fromkeys(i for s in found for i in s.tasks)))


def carried_to_year(plan: Plan) -> int | None:
    """The year of the plan `plan`'s unfinished tasks were carried to (the annex says so), if any."""
    carried = select(PlanTask.id).where(PlanTask.plan_id == plan.id)
    return db.session.scalar(select(func.min(Plan.year)).join(PlanTask, PlanTask.plan_id == Plan.id)
                             .where(PlanTask.carried_from_id.in_(carried)))


def next_plan(plan: Plan) -> tuple[int, list[tuple[str, list[str]]]] | None:
    """Next year's plan (`plan.year + 1`) by theme with its main tasks, if it is in the system.

    A plan of a later year is not next year's, even when the unfinished tasks were carried to it: part 三
    of the 2024 report is about 2025."""
    following = db.session.scalar(select(Plan).where(Plan.org_id == plan.org_id, Plan.year == plan.year + 1))
    if following is None:
        return None
    rows = db.session.execute(
        select(PlanTheme.title, PlanTask.title).join(PlanTask, PlanTask.theme_id == PlanTheme.id)
        .where(PlanTheme.plan_id == following.id, PlanTask.parent_id.is_(None), PlanTask.status != "cancelled")
        .order_by(PlanTheme.position, PlanTask.id)).all()
    themes: dict[str, list[str]] = {}
    for theme, title in rows:
        themes.setdefault(theme, []).append(title)
    return (following.year, list(themes.items())) if themes else None


def next_year(data: YearData, org_name: str, outline=None) -> Written:
    """Part 三: next year's plan by theme (一是以“法”字…), else the carried-over work, naming the right year."""
    org_name = official(org_name)
    carry = [t for t in data.tasks if t.is_unfinished]
    year = data.plan.year + 1
    text = (f"{year}年，{org_name}将继续以习近平新时代中国特色社会主义思想为指导，深入学习贯彻习近平法治思想，"
            f"针对存在的不足，压实责任、补齐短板，重点抓好以下工作：")
    if outline:
        lines = [text] + [f"{an2cn(i)}是{sentence(theme)}重点抓好" + "；".join(official(t) for t in titles[:MAX_TITLES])
                          + ("等工作。" if len(titles) > MAX_TITLES else "。")
                          for i, (theme, titles) in enumerate(outline[1], start=1)]
        return Written("\n".join(lines), [t.id for t in carry])
    if not carry:
        return Written(text.rstrip("：") + f"。{year}年的具体工作安排待党委研究确定后补充。")
    # Worded as a plan: the carried copy's title where the task was carried (what the office set itself),
    # else "继续推进" the task as it stood.
    copies = dict(db.session.execute(select(PlanTask.carried_from_id, PlanTask.title)
                                     .where(PlanTask.carried_from_id.in_([t.id for t in carry]))).all())
    themes: dict[tuple, list[str]] = {}
    for t in carry:
        planned = copies.get(t.id)
        themes.setdefault((t.theme_position, t.theme_title), []).append(
            official(planned) if planned else "继续推进" + official(t.title))
    lines = [text] + [f"{an2cn(i)}是{sentence(title)}重点抓好" + "；".join(rows) + "。"
                      for i, ((_, title), rows) in enumerate(sorted(themes.items()), start=1)]
    return Written("\n".join(lines), [t.id for t in carry])
