"""The draft's prose, in the report's own idiom, from the collected year; every paragraph keeps its sources."""
from dataclasses import dataclass, field

from tracker.services.reporting.collect import TaskRow, YearData, is_overdue, is_stalled
from tracker.services.reporting.figures import Figure, change_phrase, number


def an2cn(number: int) -> str:
    """3 → 三, 12 → 十二 for the report's 一是…二是… (cn2an, imported here: 0.13 s, not at every start-up)."""
    from cn2an import an2cn as convert
    return convert(number)


@dataclass
class Written:
    """A section's text and what it was written from."""

    text: str
    tasks: list[int] = field(default_factory=list)
    updates: list[int] = field(default_factory=list)
    figures: list[list[str]] = field(default_factory=list)

    @property
    def sources(self) -> dict:
        return {"tasks": self.tasks, "updates": self.updates, "figures": self.figures}


def _sentence(text: str) -> str:
    if "\n" in text or "\r" in text:  # a narrative typed with line breaks stays one paragraph
        text = " ".join(text.split())
    text = text.strip().rstrip("。;;,, ")
    return text + "。" if text else ""


def quoted(title: str) -> str:
    """“title”, unless the title carries its own quotation marks (nested quotes read badly)."""
    return title if "“" in title else f"“{title}”"


def _titles(rows) -> str:
    return "、".join(quoted(t.title) for t in rows)


def _targets(task: TaskRow) -> str:
    parts = []
    for t in task.targets:
        verdict = "已完成目标" if t.is_met else "未达目标"
        parts.append(f"{t.name}目标{number(t.target)}{t.unit},实际{number(t.actual)}{t.unit},{verdict}")
    return f"(年度目标:{';'.join(parts)}。)" if parts else ""


def task_paragraph(ordinal: int, task: TaskRow) -> str:
    """一是<title>。<what the updates say>。"""
    head = f"{an2cn(ordinal)}是{_sentence(task.title)}"
    body = "".join(_sentence(note) for _, note in task.notes) or "该任务尚无进展记录。"
    tail = _targets(task)
    if task.status == "cancelled":
        tail += "(该任务已取消,取消前已完成的工作量仍计入统计。)"
    elif task.status == "carried_over":
        tail += f"(年底进度{task.progress}%,已结转至下一年度继续推进。)"
    elif task.is_unfinished:
        tail += f"(截至目前进度{task.progress}%,尚未办结。)"
    return head + body + tail


def figure_phrase(fig: Figure, section: int) -> str:
    """普法宣讲12次,较上年增加5次 — or this section's share where the figure spans several sections."""
    unit_note = "" if fig.unit else "(未填写单位)"
    if fig.sections == [section]:
        text = f"{fig.name}{number(fig.total)}{fig.unit}{unit_note}"
        change = change_phrase(fig)
        if change:
            text += f",{change}"
    else:
        text = f"{fig.name}{number(fig.section_total(section))}{fig.unit}{unit_note}"
        total = f"全年合计{number(fig.total)}{fig.unit}"
        change = change_phrase(fig)
        text += f"(本项{total}{',' + change if change else ''})"
    cancelled = fig.section_cancelled(section) if fig.cancelled_total else 0
    if cancelled:
        text += f"(含已取消任务完成的{number(cancelled)}{fig.unit})"
    return text


def achievements_section(data: YearData, section: int) -> Written:
    """One sub-section of part 一: a paragraph per task, then the summed figures."""
    tasks = data.in_section(section)
    if not tasks:
        return Written("本年度计划中没有归入本部分的任务,暂无可报告的工作情况。")
    out = Written("")
    paragraphs = []
    for i, task in enumerate(tasks, start=1):
        paragraphs.append(task_paragraph(i, task))
        out.tasks.append(task.id)
        out.updates.extend(u for u, _ in task.notes)
    figures = [f for f in data.figures if section in f.by_section()]
    if figures:
        paragraphs.append("全年累计:" + ";".join(figure_phrase(f, section) for f in figures) + "。")
        out.figures = [[f.name, f.unit] for f in figures]
    out.text = "\n".join(paragraphs)
    return out


def opening(data: YearData, org_name: str) -> Written:
    """The opening paragraph, from the year's numbers."""
    year, tasks = data.plan.year, data.tasks
    done = sum(1 for t in tasks if t.status == "done")
    cancelled = sum(1 for t in tasks if t.status == "cancelled")
    carried = sum(1 for t in tasks if t.status == "carried_over")
    open_ = len(tasks) - done - cancelled - carried
    if not tasks:
        summary = f"{year}年度法治政府建设工作计划尚未分解任务"
    else:
        summary = f"{year}年度法治政府建设工作计划分解任务{len(tasks)}项,已办结{done}项"
        summary += f",正在推进{open_}项" if open_ else ""
        summary += f",结转下一年度{carried}项" if carried else ""
        summary += f",取消{cancelled}项" if cancelled else ""
    text = (f"{year}年,{org_name}党委政府以习近平新时代中国特色社会主义思想为指导,深入学习贯彻习近平法治思想,"
            f"对照年度法治政府建设工作计划逐项推进、逐项督办。{summary}。现将{year}年度法治政府建设工作情况报告如下:")
    return Written(text, [t.id for t in tasks])


def shortcomings(data: YearData, org_name: str) -> Written:
    """Part 二, from overdue, returned and stalled tasks and the reasons their owners gave."""
    today = data.today
    overdue = [t for t in data.tasks if is_overdue(t, today)]
    returned = [t for t in data.tasks if t.returned_comments]
    stalled = [t for t in data.tasks if is_stalled(t, today, data.plan.org_id) and t not in overdue]
    extended = [t for t in data.tasks if t.extension_reasons and t not in overdue]
    points: list[str] = []
    used: list[TaskRow] = []
    if overdue:
        reasons = [_sentence(r) for t in overdue for r in t.extension_reasons]
        points.append(f"部分任务未能按期完成。{_titles(overdue)}"
                      f"等{len(overdue)}项任务已超过完成时限仍未办结"
                      + (f",责任人说明的原因有:{''.join(reasons)}" if reasons else "。"))
        used += overdue
    if extended:
        reasons = "".join(_sentence(r) for t in extended for r in t.extension_reasons)
        points.append(f"部分任务需延期完成。{_titles(extended)}申请延长完成时限,"
                      f"原因是:{reasons}")
        used += extended
    if returned:
        comments = "".join(_sentence(c) for t in returned for c in t.returned_comments if c)
        points.append(f"部分任务办结质量有待提高。{_titles(returned)}的办结申请曾被退回"
                      + (f",审核意见为:{comments}" if comments else "。"))
        used += returned
    if stalled:
        points.append(f"部分任务推进缓慢。{_titles(stalled)}"
                      f"较长时间没有新的进展记录,日常工作留痕不足。")
        used += stalled
    if not data.tasks:
        return Written(f"{data.plan.year}年度计划中没有任务,无法据此分析不足和原因。")
    if not points:
        return Written(f"{data.plan.year}年,{org_name}年度计划任务均按期推进,未发现逾期、退回或停滞的任务。",
                       [t.id for t in data.tasks])
    text = (f"{data.plan.year}年,{org_name}法治政府建设取得了一定成效,但对照年度计划,仍存在一些问题和不足:"
            + "".join(f"{an2cn(i)}是{p}" for i, p in enumerate(points, start=1)))
    ids = list(dict.fromkeys(t.id for t in used))
    return Written(text, ids)


def next_year(data: YearData, org_name: str) -> Written:
    """Part 三 skeleton: next year's plan starts from the unfinished tasks, by theme."""
    year = data.plan.year + 1
    carry = [t for t in data.tasks if t.is_unfinished]  # those already carried over are listed too
    text = (f"{year}年,{org_name}将继续以习近平新时代中国特色社会主义思想为指导,深入学习贯彻习近平法治思想,"
            f"针对本年度存在的不足,压实责任、补齐短板,推动法治建设走深走实。")
    if not carry:
        return Written(text + f"\n{data.plan.year}年度计划任务已全部办结或取消,{year}年的工作安排待党委研究确定后补充。")
    themes: dict[str, list[TaskRow]] = {}
    for t in carry:
        themes.setdefault((t.theme_position, t.theme_title), []).append(t)
    lines = [text + f"以下{len(carry)}项任务尚未完成,结转至{year}年继续推进:"]
    for i, ((_, title), rows) in enumerate(sorted(themes.items()), start=1):
        lines.append(f"{an2cn(i)}是{title}。继续推进" + _titles(rows) + "。")
    return Written("\n".join(lines), [t.id for t in carry])
