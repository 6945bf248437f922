"""The audit trail (留痕) in words: who, when, what changed from what to what."""
from datetime import date

from tracker.formatting import cn_date
from tracker.models import STATUS_LABELS
from tracker.task_pages.blueprint import bp

ACTIONS = {
    "task.create": "新建任务", "task.update": "修改任务", "task.assign": "交办", "task.progress": "反馈进展",
    "task.complete_request": "申请办结", "task.extension_request": "申请延期", "task.review": "审核",
    "task.cancel": "取消任务", "task.handover": "工作移交", "task.split": "拆分任务", "task.bulk_assign": "批量交办",
    "task.carry_over": "结转下一年度", "task.targets": "设定目标",
}
FIELDS = {
    "status": "状态", "progress": "进度", "due_date": "完成时限", "owner": "责任人", "lead": "牵头领导",
    "co_owners": "协办人", "title": "任务名称", "description": "任务描述", "theme": "主题", "report_section": "报告板块",
    "unit": "责任单位", "start_date": "开始日期", "parent_id": "上级任务", "note": "说明", "metrics": "数据",
    "evidence": "证明材料", "on_behalf_of": "代报(责任人)", "reason": "原因", "request": "申请", "decision": "决定",
    "comment": "意见", "fields": "字段", "version": "版本", "carried_to": "结转后的任务编号", "to_year": "结转至年度",
    "targets": "目标",
}
# Keys whose value is a plain fact, not a [before, after] pair (see the services' audit.record calls).
FACTS = {"note", "metrics", "evidence", "on_behalf_of", "reason", "request", "decision", "comment", "fields",
         "status_code"}
DECISIONS = {"approved": "同意", "returned": "退回/不同意", "closed": "关闭"}


def _value(key: str, value) -> str:
    if value in (None, "", []):
        return "(空)"
    if key == "status" and value in STATUS_LABELS:
        return STATUS_LABELS[value]
    if key == "progress" and isinstance(value, int):
        return f"{value}%"
    if key.endswith("_date") and isinstance(value, str):
        try:
            return cn_date(date.fromisoformat(value))
        except ValueError:
            return value
    if isinstance(value, list):
        return "、".join(_value(key, v) for v in value)
    if isinstance(value, dict):
        if {"name", "value"} <= value.keys():
            number = value["value"]
            number = int(number) if isinstance(number, float) and number.is_integer() else number
            return f"{value['name']} {number}{value.get('unit') or ''}"
        return ";".join(f"{FIELDS.get(k, k)}:{_value(k, v)}" for k, v in value.items())
    return str(value)


@bp.app_template_filter("audit_action")
def audit_action(action: str) -> str:
    """task.progress → 反馈进展; a refused attempt is marked as such."""
    if action.endswith(".refused"):
        return f"{ACTIONS.get(action[:-8], action[:-8])}(被拒绝)"
    return ACTIONS.get(action, "其他操作" if action.startswith("task.") else action)


@bp.app_template_filter("audit_changes")
def audit_changes(changes: dict) -> list[tuple[str, str]]:
    """(field label, "旧 → 新" or the fact) for each entry of a change record."""
    lines = []
    for key, value in (changes or {}).items():
        if key == "status" and isinstance(value, int):
            continue  # the HTTP status of a refusal says nothing to a person
        label = FIELDS.get(key, key)
        if key == "decision":
            lines.append((label, DECISIONS.get(value, str(value))))
        elif key not in FACTS and isinstance(value, list) and len(value) == 2:
            lines.append((label, f"{_value(key, value[0])} → {_value(key, value[1])}"))
        else:
            lines.append((label, _value(key, value)))
    return lines


@bp.app_template_filter("figure")
def figure(value) -> str:
    """3.00 → 3, 2.50 → 2.5: figures as people write them."""
    text = f"{value:f}" if value is not None else ""
    return text.rstrip("0").rstrip(".") if "." in text else text


@bp.app_template_global("section_label")
def section_name(ordinal, titles=None) -> str:
    """(五)依法处置… from the organisation's template titles when given, else the standard seven."""
    from tracker.services.plans.sections import NUMERALS, SECTIONS
    titles = titles or SECTIONS
    if not isinstance(ordinal, int) or not 1 <= ordinal <= len(NUMERALS):
        return str(ordinal)
    return f"({NUMERALS[ordinal - 1]}){titles[ordinal - 1]}" if ordinal <= len(titles) else f"({NUMERALS[ordinal - 1]})"
