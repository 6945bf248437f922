"""The ledger (台账 / 一表清) as Excel — an overview and one sheet per theme — and as CSV."""
import csv
import io
import re
from datetime import date

from tracker.formatting import cn_datetime
from tracker.models import Plan
from tracker.services.exporting.data import LedgerRow, ledger_rows
from tracker.services.infra.safe_text import cells, for_file
from tracker.services.plans.sections import NUMERALS
from tracker.services.tasks.lights import light_label

# Light fills people know from Excel's own "bad / neutral / good" cell styles.
LIGHT_FILLS = {"red": "FFC7CE", "yellow": "FFEB9C", "green": "C6EFCE", "none": "DDEBF7", "grey": "E7E6E6"}
HEADER_FILL = "D9E1F2"
# (header, width in characters): widths chosen so a landscape A4 page holds a row.
COLUMNS = (("序号", 6), ("主题", 6), ("工作任务", 36), ("报告板块", 8), ("牵头领导", 10), ("责任单位", 12),
           ("责任人", 10), ("协办人", 12), ("完成时限", 12), ("状态", 9), ("红黄绿灯", 13), ("进度", 7),
           ("最新进展", 40), ("进展时间", 17), ("数据", 24))
OVERVIEW = (("主题", 8), ("主题名称", 34), ("任务数", 8), ("已办结", 8), ("推进中", 8), ("逾期(红灯)", 11),
            ("黄灯", 8), ("绿灯", 8), ("平均进度", 10))


def _values(index: int, row: LedgerRow) -> list:
    """A task's row, every text cell escaped by the one spreadsheet rule (names too: issue 18.4)."""
    t = row.task
    latest = row.latest
    return cells([index, t.theme.key, t.title, f"({NUMERALS[t.report_section - 1]})",
                  t.lead.name if t.lead else "", t.unit, t.owner.name if t.owner else "",
                  "、".join(u.name for u in t.co_owners), t.due_date, t.status_label, light_label(row.light),
                  t.progress / 100, latest.note if latest else "", cn_datetime(latest.created_at) if latest else "",
                  row.figures_text])


def _sheet_name(key: str, title: str, used: set[str]) -> str:
    name = re.sub(r"[\[\]:*?/\\]", "", for_file(f"{key} {title}").replace("\n", " "))[:31].strip() or "主题"
    base, n = name, 2
    while name in used:
        name = f"{base[:28]}({n})"
        n += 1
    used.add(name)
    return name


def _setup(ws, columns, title: str) -> None:
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.utils import get_column_letter
    thin = Side(style="thin", color="BFBFBF")
    for col, (header, width) in enumerate(columns, 1):
        cell = ws.cell(row=1, column=col, value=header)
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor=HEADER_FILL)
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        cell.border = Border(bottom=thin)
        ws.column_dimensions[get_column_letter(col)].width = width
    ws.freeze_panes = "A2"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = "1:1"
    ws.oddHeader.center.text = for_file(title).replace("&", "&&")
    ws.oddFooter.center.text = "第 &P 页,共 &N 页"
    ws.print_options.gridLines = True


def _write_tasks(ws, rows: list[LedgerRow]) -> None:
    from openpyxl.styles import Alignment, PatternFill
    from openpyxl.utils import get_column_letter
    wrap = Alignment(vertical="top", wrap_text=True)
    for index, row in enumerate(rows, 1):
        ws.append(_values(index, row))
        r = ws.max_row
        for col in range(1, len(COLUMNS) + 1):
            ws.cell(row=r, column=col).alignment = wrap
        ws.cell(row=r, column=9).number_format = "yyyy-mm-dd"
        ws.cell(row=r, column=12).number_format = "0%"
        ws.cell(row=r, column=11).fill = PatternFill("solid", fgColor=LIGHT_FILLS[row.light])
    last = get_column_letter(len(COLUMNS))
    ws.auto_filter.ref = f"A1:{last}{max(ws.max_row, 2)}"


def ledger_workbook(plan: Plan, today: date) -> bytes:
    """The .xlsx bytes: 总览 first, then one sheet per theme, every sheet ready to filter and print."""
    # openpyxl is imported where a workbook is written (~0.15 s at start-up otherwise; tests/test_startup.py).
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter
    rows = ledger_rows(plan, today)
    book = Workbook()
    overview = book.active
    overview.title = "总览"
    heading = f"{plan.org.name}{plan.year}年法治建设任务台账(截至{today.year}年{today.month}月{today.day}日)"
    _setup(overview, OVERVIEW, heading)
    used = {"总览"}
    totals = [0] * 6
    progress_sum = 0
    for theme in plan.themes:
        mine = [r for r in rows if r.task.theme_id == theme.id]
        done = sum(r.task.status == "done" for r in mine)
        figures = [len(mine), done, sum(r.task.status in ("assigned", "in_progress", "completion_requested")
                                        for r in mine),
                   sum(r.light == "red" for r in mine), sum(r.light == "yellow" for r in mine),
                   sum(r.light == "green" for r in mine)]
        totals = [a + b for a, b in zip(totals, figures)]
        progress_sum += sum(r.task.progress for r in mine)
        average = sum(r.task.progress for r in mine) / len(mine) / 100 if mine else 0
        overview.append(cells([theme.key, theme.title, *figures, average]))
        ws = book.create_sheet(_sheet_name(theme.key, theme.title, used))
        _setup(ws, COLUMNS, f"{heading} · {theme.title}")
        _write_tasks(ws, mine)
    overview.append(["合计", "", *totals, progress_sum / len(rows) / 100 if rows else 0])
    for r in range(2, overview.max_row + 1):
        overview.cell(row=r, column=9).number_format = "0%"
        for col, light in ((6, "red"), (7, "yellow"), (8, "green")):
            if overview.cell(row=r, column=col).value:
                overview.cell(row=r, column=col).fill = PatternFill("solid", fgColor=LIGHT_FILLS[light])
    overview.cell(row=overview.max_row, column=1).font = Font(bold=True)
    overview.auto_filter.ref = f"A1:{get_column_letter(len(OVERVIEW))}{overview.max_row}"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def ledger_csv(plan: Plan, today: date) -> bytes:
    """One flat table, UTF-8 with a BOM so Excel on Windows shows the Chinese correctly."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([h for h, _ in COLUMNS])
    for index, row in enumerate(ledger_rows(plan, today), 1):
        values = _values(index, row)
        values[8] = values[8].isoformat() if values[8] else ""
        values[11] = f"{row.task.progress}%"
        writer.writerow(values)
    return ("\ufeff" + out.getvalue()).encode("utf-8")
