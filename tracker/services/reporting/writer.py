"""The draft's prose, in the report's own idiom, from the collected year; every paragraph keeps its sources."""
from dataclasses import dataclass, field

from tracker.services.reporting.collect import TaskRow, YearData
from tracker.services.reporting.figures import Figure, change_phrase, number
from tracker.services.reporting.wording import office_words, official, sentence


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


FIGURES_PER_SENTENCE = 6  # the seed's sentences carry two to five figures; more reads as a table


def has_own_account(task: TaskRow) -> bool:
    """The task is told by its approved 办结情况; any other task may be given a 报告摘要 on the report page."""
    return task.status == "done" and bool(task.summary.strip())


def task_paragraph(ordinal: int, task: TaskRow) -> str:
    """一是<title>。<its 办结情况, else the committee's 报告摘要, else its latest note> — never every note."""
    if has_own_account(task):
        words = office_words(task.summary)
    elif task.report_summary.strip():
        words = sentence(task.report_summary)
    else:
        words = office_words(task.notes[-1][1]) if task.notes else ""
    if not words:
        return ""
    return f"{an2cn(ordinal)}是{sentence(task.title)}{words}"


def home_section(fig: Figure) -> int | None:
    """The one section that states a figure: the catalogue's, else where most of it was reported."""
    shares = fig.by_section()
    if not shares:
        return None
    if fig.home in shares:
        return fig.home
    return max(shares, key=lambda s: (shares[s], -s))


def figure_clause(fig: Figure) -> str:
    """普法宣讲12次，较上年增加5次 · 现有网格员50人，与上年持平."""
    lead = "现有" if fig.kind == "stock" and not fig.name.startswith("现有") else ""
    text = f"{lead}{official(fig.name)}{number(fig.total)}{fig.unit}"
    change = change_phrase(fig)
    return text + ("，" + change if change else "")


def figures_sentences(figures: list[Figure]) -> str:
    """全年…；…。此外，…。 — in catalogue order, at most FIGURES_PER_SENTENCE a sentence."""
    out = []
    for start in range(0, len(figures), FIGURES_PER_SENTENCE):
        clauses = "；".join(figure_clause(f) for f in figures[start:start + FIGURES_PER_SENTENCE])
        out.append(("全年" if start == 0 else "此外，") + clauses + "。")
    return "".join(out)


def achievements_section(data: YearData, section: int) -> Written:
    """One sub-section of part 一: the year's figures and their change, then each task in the office's words."""
    out = Written("")
    figures = [f for f in data.figures if f.sources and home_section(f) == section]
    paragraphs = [figures_sentences(figures)] if figures else []
    out.figures = [[f.name, f.unit] for f in figures]
    ordinal = 0
    for task in data.in_section(section):
        if task.status == "cancelled":
            continue  # its figures count; that it was cancelled is the annex's to say
        paragraph = task_paragraph(ordinal + 1, task)
        out.tasks.append(task.id)
        if paragraph:
            ordinal += 1
            paragraphs.append(paragraph)
            if has_own_account(task) or not task.report_summary.strip():
                out.updates.extend(u for u, _ in task.notes[-1:])
    out.text = "\n".join(paragraphs)
    return out


def opening(data: YearData, org_name: str) -> Written:
    """The opening paragraph, from the year's numbers (a count of nothing is left out)."""
    year, tasks = data.plan.year, data.tasks
    counts = {status: sum(1 for t in tasks if t.status == status) for status in ("done", "cancelled", "carried_over")}
    open_ = len(tasks) - sum(counts.values())
    parts = [f"{year}年度法治政府建设工作计划分解重点任务{len(tasks)}项"] if tasks else []
    for label, count in (("已办结", counts["done"]), ("正在推进", open_), ("结转下一年度", counts["carried_over"])):
        if count:
            parts.append(f"{label}{count}项")
    summary = "，".join(parts) + "。" if parts else ""
    text = (f"{year}年，{official(org_name)}党委政府以习近平新时代中国特色社会主义思想为指导，深入学习贯彻习近平法治思想，"
            f"对照年度法治政府建设工作计划逐项推进、逐项督办，法治建设取得明显成效。{summary}"
            f"现将{year}年度法治政府建设工作情况报告如下：")
    return Written(text, [t.id for t in tasks])
