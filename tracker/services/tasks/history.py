"""The task's audit trail (留痕) as an inspector reads it: people by name and unit, fields by their label, values
as the users saw them. The one home of those labels; the task page and its tests read them from here."""
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import select

from tracker.extensions import db
from tracker.models import ROLE_LABELS, STATUS_LABELS, AuditEntry, PlanTask, User
from tracker.services.plans.sections import section_title, sections_for

ACTIONS = {
    "task.create": "新建任务", "task.update": "修改任务", "task.assign": "交办", "task.progress": "反馈进展",
    "task.complete_request": "申请办结", "task.extension_request": "申请延期", "task.review": "审核",
    "task.cancel": "取消任务", "task.handover": "工作移交", "task.split": "拆分任务", "task.bulk_assign": "批量交办",
    "task.carry_over": "结转下一年度", "task.targets": "设定目标", "task.urge": "催办",
    "task.due_recomputed": "按节假日重算完成时限", "task.carry_over_undo": "撤销结转",
    "supervision.issue": "下发督办单", "supervision.answer": "答复督办单",
    "task.acknowledge": "签收",
}
FIELDS = {
    "status": "状态", "progress": "进度", "due_date": "完成时限", "owner": "责任人", "lead": "牵头领导",
    "co_owners": "协办人", "title": "任务名称", "description": "任务描述", "theme": "主题", "report_section": "报告板块",
    "unit": "责任单位", "start_date": "开始日期", "parent_id": "上级任务", "note": "说明", "metrics": "数据",
    "evidence": "证明材料", "on_behalf_of": "代报(责任人)", "reason": "原因", "request": "申请", "decision": "决定",
    "comment": "意见", "fields": "字段", "version": "版本", "carried_to": "结转后的任务编号", "to_year": "结转至年度",
    "targets": "目标", "message": "催办留言", "recurring": "周期任务", "role": "角色", "name": "名称",
    "value": "数值", "carried_from": "结转自任务编号", "carry_over": "结转记录编号",
    "number": "督办单编号", "supervision_message": "督办内容", "respond_by": "答复时限", "answer": "答复",
    "late": "逾期答复",
}
# Keys whose value is a plain fact, not a [before, after] pair (see the services' audit.record calls).
FACTS = {"note", "metrics", "evidence", "on_behalf_of", "reason", "request", "decision", "comment", "fields",
         "message", "recurring", "carried_to", "to_year", "carried_from", "carry_over",
         "number", "supervision_message", "respond_by", "answer", "late"}
PEOPLE = {"owner", "lead", "co_owners", "on_behalf_of"}  # values kept as usernames (audit._plain)
DECISIONS = {"approved": "同意", "returned": "退回/不同意", "closed": "关闭"}
EMPTY = "(空)"


@dataclass
class HistoryRow:
    """One entry as the page shows it."""

    at: datetime
    actor: str
    action: str
    is_refused: bool
    lines: list[tuple[str, str]] = field(default_factory=list)


def action_label(action: str) -> str:
    """task.progress → 反馈进展; a refused attempt keeps its own label and is marked 被拒绝 beside it."""
    name = action.removesuffix(".refused")
    return ACTIONS.get(name, "其他操作" if name.startswith("task.") else name)


class _Reader:
    """Turns stored values into what the users saw, knowing the people and sections of one task."""

    def __init__(self, task: PlanTask, entries: list[AuditEntry]):
        names = set()
        for entry in entries:
            for key, value in (entry.changes or {}).items():
                if key in PEOPLE:
                    names.update(_flat(value))
        names = {n for n in names if isinstance(n, str)}
        self.people = {u.username: u for u in db.session.scalars(
            select(User).where(User.username.in_(names)))} if names else {}
        self.titles = sections_for(task.org, task.plan.year)

    def person(self, username) -> str:
        user = self.people.get(username)
        return user.signature if user is not None else str(username)

    def value(self, key: str, value) -> str:
        if value in (None, "", []):
            return EMPTY
        if isinstance(value, list):
            return "、".join(self.value(key, v) for v in value)
        if key in PEOPLE:
            return self.person(value)
        if key == "status" and value in STATUS_LABELS:
            return STATUS_LABELS[value]
        if key == "role" and value in ROLE_LABELS:
            return ROLE_LABELS[value]
        if key == "report_section" and isinstance(value, int):
            return section_title(value, self.titles)
        if key == "progress" and isinstance(value, int):
            return f"{value}%"
        if key == "decision":
            return DECISIONS.get(value, str(value))
        if (key.endswith("_date") or key == "due") and isinstance(value, str):
            try:
                day = date.fromisoformat(value)
            except ValueError:
                return value
            return f"{day.year}年{day.month}月{day.day}日"
        if isinstance(value, bool):
            return "是" if value else "否"
        if isinstance(value, float) and value.is_integer():
            return str(int(value))
        if isinstance(value, dict):
            if {"name", "value"} <= value.keys():
                return f"{value['name']} {self.value('value', value['value'])}{value.get('unit') or ''}"
            return ";".join(f"{FIELDS.get(k, k)}:{self.value(k, v)}" for k, v in value.items())
        return str(value)

    def lines(self, entry: AuditEntry) -> list[tuple[str, str]]:
        out = []
        for key, value in (entry.changes or {}).items():
            if key == "status" and isinstance(value, int):
                continue  # the HTTP status of a refusal says nothing to a person
            label = FIELDS.get(key, key)
            if key == "fields" and isinstance(value, dict):
                out.append((label, ";".join(f"{FIELDS.get(k, k)}:{v}" for k, v in value.items())))
            elif key not in FACTS and isinstance(value, list) and len(value) == 2:
                out.append((label, f"{self.value(key, value[0])} → {self.value(key, value[1])}"))
            else:
                out.append((label, self.value(key, value)))
        return out


def _flat(value):
    if isinstance(value, list):
        for item in value:
            yield from _flat(item)
    else:
        yield value


def describe(task: PlanTask, entries: list[AuditEntry]) -> list[HistoryRow]:
    """The entries of one task's trail in words, newest first as given."""
    reader = _Reader(task, entries)
    return [HistoryRow(at=e.at, actor=e.actor.signature if e.actor else "系统",
                       action=action_label(e.action), is_refused=e.action.endswith(".refused"),
                       lines=reader.lines(e)) for e in entries]
