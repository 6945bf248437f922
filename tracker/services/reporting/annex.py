"""附件：重点任务完成情况表 — targets, statuses, cancellations and carry-overs, which stay out of the prose."""
from tracker.models import STATUS_LABELS
from tracker.services.reporting.collect import YearData
from tracker.services.reporting.figures import number
from tracker.services.reporting.wording import official

ANNEX_TITLE = "附件：重点任务完成情况表"
COLUMNS = ("序号", "重点任务", "责任单位", "完成情况", "目标完成情况", "备注")


def annex_rows(data: YearData, carried_year: int | None = None) -> list[list[str]]:
    """One row per task of the plan, in plan order, each cell already in the report's punctuation."""
    rows = []
    for i, task in enumerate(data.tasks, start=1):
        status = STATUS_LABELS.get(task.status, task.status)
        if task.is_unfinished and task.status != "carried_over":
            status += f"（进度{task.progress}%）"
        targets = "；".join(f"{official(t.name)}目标{number(t.target)}{t.unit}，完成{number(t.actual)}{t.unit}"
                           for t in task.targets)
        remark = ""
        if task.status == "cancelled":
            remark = "已取消，取消前完成的工作量计入全年数据"
        elif task.status == "carried_over":
            remark = f"年底进度{task.progress}%，结转至{carried_year or data.plan.year + 1}年继续推进"
        elif task.extension_reasons:
            remark = "申请过延期"
        rows.append([str(i), official(task.title), official(task.unit), status, targets or "—", remark or "—"])
    return rows
