"""`flask report …`: the annual report's draft as Markdown or Word, and last year's figures from its text."""
from pathlib import Path

import click
from flask.cli import AppGroup

from tracker.cli.common import command_transaction
from tracker.services.calendar.clock import today
from tracker.services.errors import ValidationFailed
from tracker.services.people.orgs import resolve_org
from tracker.services.plans.sections import NUMERALS
from tracker.services.reporting import draft as drafts
from tracker.services.reporting.baseline import as_rows, save_baseline
from tracker.services.reporting.extract import decode, extract
from tracker.services.reporting.render import to_docx, to_markdown
from tracker.services.validation import YEAR_MAX, YEAR_MIN, is_year

report_cli = AppGroup("report", help="年度法治政府建设报告")
FORMATS = ("md", "docx")


def _year(raw) -> int:
    text = str(raw or "").strip()
    if not (text.isdecimal() and len(text) == 4 and is_year(int(text))):
        raise ValidationFailed(f"请用 --year 给出{YEAR_MIN}到{YEAR_MAX}之间的年份,如 --year 2024")
    return int(raw)


def _org(name, year: int):
    if name:
        return resolve_org(name)
    found = drafts.orgs_with_plan(year)
    if len(found) == 1:
        return found[0]
    if not found:
        raise ValidationFailed(f"没有任何单位有{year}年的计划")
    raise ValidationFailed(f"{year}年有{len(found)}个单位有计划,请用 --org 指定:"
                           + "、".join(o.full_name for o in found))


def _write(content: bytes, output) -> None:
    path = Path(output)
    try:
        path.write_bytes(content)
    except OSError as exc:
        raise ValidationFailed(f"无法写入文件 {output}:{exc.strerror or exc}") from None


def _produce(year, org, fmt, output, achievements_only: bool) -> None:
    if fmt not in FORMATS:
        raise ValidationFailed(f"--format 须为 md 或 docx,不是“{fmt}”")
    year = _year(year)
    organisation = _org(org, year)
    if fmt == "docx" and not output:
        raise ValidationFailed("Word 文件须用 -o 指定输出文件,如 -o 报告.docx")
    draft = drafts.generate(None, organisation, year, today())
    if fmt == "md":
        text = to_markdown(draft, achievements_only=achievements_only)
        if output:
            _write(text.encode("utf-8"), output)
        else:
            click.echo(text, nl=False)
    else:
        _write(to_docx(draft, achievements_only=achievements_only), output)
    if output:
        what = "第一部分(主要举措和成效)" if achievements_only else "报告全文"
        click.echo(f"已生成{organisation.name}{year}年度{what}:{output}", err=True)
    for note in draft.notes:
        click.echo(f"提示:{note}", err=True)


def _options(fn):
    fn = click.option("--year", help="报告年度,如 2024")(fn)
    fn = click.option("--org", help="单位名称或路径(该年只有一个单位有计划时可省略)")(fn)
    fn = click.option("--format", "fmt", default="md", help="md 或 docx,默认 md")(fn)
    fn = click.option("-o", "--output", help="输出文件;md 可省略(打印到屏幕)")(fn)
    return fn


@report_cli.command("achievements")
@_options
@command_transaction
def achievements(year, org, fmt, output):
    """生成报告第一部分“主要举措和成效”(保留已有的人工修改)。"""
    _produce(year, org, fmt, output, True)


@report_cli.command("draft")
@_options
@command_transaction
def draft_command(year, org, fmt, output):
    """生成报告全文:主送机关、开头、第一至三部分(保留已有的人工修改)。"""
    _produce(year, org, fmt, output, False)


@report_cli.command("baseline")
@click.argument("text_file", required=False)
@click.option("--year", help="数据所属年度,如 2023")
@click.option("--org", help="单位名称或路径")
@click.option("--save", is_flag=True, help="保存提取结果(默认只列出,供核对)")
@command_transaction
def baseline(text_file, year, org, save):
    """从上年报告文本中提取数据(数值和单位),核对后加 --save 保存为基数。"""
    year = _year(year)
    if not org:
        raise ValidationFailed("请用 --org 指定单位")
    organisation = resolve_org(org)
    if not text_file:
        raise ValidationFailed("请给出上年报告的文本文件")
    try:
        text = decode(Path(text_file).read_bytes())
    except OSError as exc:
        raise ValidationFailed(f"无法读取文件 {text_file}:{exc.strerror or exc}") from None
    if text is None:
        raise ValidationFailed(f"无法读取文件 {text_file}(须为 UTF-8、GBK 或 GB18030 文本)")
    found = extract(text)
    if not found:
        raise ValidationFailed("文本中没有找到带单位的数据")
    for c in found:
        where = "".join(f"({NUMERALS[s - 1]})" for s in c.sections) or "—"
        mark = "" if c.selected else "  [默认不保存]"
        kind = "现有" if c.kind == "stock" else "累计"
        scope = f"\t口径：{c.scope}" if c.scope else ""  # after the kind, so the earlier columns stay where they were
        click.echo(f"{where}\t{c.name}\t{c.display}\t{kind}{scope}\t{c.source}{mark}")
    if save:
        rows = [r for r in as_rows(found) if r.pop("selected")]
        saved = save_baseline(None, organisation, year, rows)
        click.echo(f"已保存{organisation.name}{year}年基数数据{len(saved)}项", err=True)
