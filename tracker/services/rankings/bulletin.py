"""The monthly or quarterly 通报: its period, and the Word file in the annual report's 公文 form."""
from calendar import monthrange
from dataclasses import dataclass
from datetime import date
from io import BytesIO

from tracker.services.errors import ValidationFailed
from tracker.services.rankings.ranking import BY_LABELS, Ranking, Row, boards
from tracker.services.rankings.rates import DEFINITIONS, as_percent
from tracker.services.reporting.wording import official
from tracker.services.tasks.deadlines import workdays_late

QUARTERS = ("第一季度", "第二季度", "第三季度", "第四季度")


@dataclass(frozen=True)
class Period:
    year: int
    start: date
    end: date
    label: str  # 第四季度, 10月

    @property
    def title(self) -> str:
        return f"关于{self.year}年{self.label}法治建设重点任务推进情况的通报"


def _number(raw, low: int, high: int) -> int | None:
    text = str(raw).strip()
    return int(text) if text.isdecimal() and len(text) <= 2 and low <= int(text) <= high else None


def period(year: int, kind, number) -> Period:
    """The 通报's month (1–12) or quarter (1–4) of the plan's year, checked."""
    if kind not in ("month", "quarter"):
        raise ValidationFailed("通报周期须为月度(month)或季度(quarter)", {"kind": "须为 month 或 quarter"})
    if kind == "month":
        month = _number(number or "", 1, 12)
        if month is None:
            raise ValidationFailed("月份须为1到12之间的整数", {"number": "须为1到12之间的整数"})
        return Period(year, date(year, month, 1), date(year, month, monthrange(year, month)[1]), f"{month}月")
    quarter = _number(number or "", 1, 4)
    if quarter is None:
        raise ValidationFailed("季度须为1到4之间的整数", {"number": "须为1到4之间的整数"})
    first = 3 * quarter - 2
    return Period(year, date(year, first, 1), date(year, first + 2, monthrange(year, first + 2)[1]),
                  QUARTERS[quarter - 1])


def _cn(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def _figures(row: Row) -> str:
    return (f"到期任务{row.tasks}项,已办结{row.done}项,其中按期办结{row.done_on_time}项,"
            f"办结率{as_percent(row.completion_rate)},按期办结率{as_percent(row.on_time_rate)},"
            f"逾期未办结{row.overdue}项。")


def paragraphs(result: Ranking, when: Period, overdue: list, overdue_total: int, today: date) -> list[tuple]:
    """The 通报's blocks (kind, text) in reading order; the Word file and the tests read the same list."""
    top, bottom = boards(result.rows)
    group = BY_LABELS[result.by]
    out = [("title", when.title), ("addressee", f"{group}:"),
           ("p", f"为压实法治建设重点任务责任,推动各项任务按期办结,现将{when.year}年{when.label}"
                 f"({_cn(result.start)}至{_cn(result.end)})法治建设重点任务推进情况通报如下。"),
           ("h1", "一、总体情况"), ("p", f"统计期内,{_figures(result.total)}")]
    out.append(("h1", "二、红榜"))
    if top:
        out += [("p", f"{i}．{r.name}:{_figures(r)}") for i, r in enumerate(top, 1)]
    else:
        out.append(("p", "统计期内没有到期任务,本期不设红榜。"))
    out.append(("h1", "三、黑榜"))
    if bottom:
        out += [("p", f"{i}．{r.name}:{_figures(r)}") for i, r in enumerate(bottom, 1)]
    else:
        out.append(("p", "本期其余单位均无到期任务或与红榜单位并列,不设黑榜。"))
    out.append(("h1", "四、逾期未办结任务"))
    if overdue:
        for i, task in enumerate(overdue, 1):
            owner = task.owner.name if task.owner else "未交办"
            unit = f"{task.unit}," if task.unit else ""
            out.append(("p", f"{i}．{task.title}({task.org.name},{unit}责任人{owner},完成时限{_cn(task.due_date)},"
                             f"已逾期{workdays_late(task.due_date, today)}个工作日)。"))
        if overdue_total > len(overdue):
            out.append(("p", f"以上列出{len(overdue)}项,共{overdue_total}项逾期未办结,详见系统任务一览。"))
    else:
        out.append(("p", "统计期内没有逾期未办结的任务。"))
    out += [("h1", "五、有关要求"),
            ("p", "各责任单位要对照通报查找差距,对逾期任务明确整改时限、逐项销号;红榜单位要总结经验,"
                  "黑榜单位要分析原因,于5个工作日内将整改情况报党政办。"),
            ("h1", "六、统计口径"), *(("p", text) for text in DEFINITIONS),
            ("signature", result.org.name), ("date", _cn(today))]
    return [(kind, official(text)) for kind, text in out]


def to_docx(result: Ranking, when: Period, overdue: list, overdue_total: int, today: date) -> bytes:
    """The 通报 as .docx bytes, in the same 公文 form as the annual report."""
    # Imported where a file is built: python-docx costs every process ~0.15 s at start-up (tests/test_startup.py).
    from tracker.services.infra.gongwen import add_block, new_document, set_properties
    doc, styles = new_document()
    previous, last = None, None
    for kind, text in paragraphs(result, when, overdue, overdue_total, today):
        if kind == "signature" and last is not None:
            last.paragraph_format.keep_with_next = True  # the 署名 never stands alone on a page
        last = add_block(doc, styles, kind, text, after_body=kind == "signature" and previous != "signature")
        previous = kind
    set_properties(doc, when.title, result.org.name)
    buffer = BytesIO()
    doc.save(buffer)
    return buffer.getvalue()
