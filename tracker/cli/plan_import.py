"""`flask plan import FILE --year 2024 [--dry-run] [--org NAME]`: a report or task table into a plan."""
import json
import os

import click

from tracker.cli.common import command_transaction
from tracker.cli.plan import plan_cli
from tracker.services.errors import TooLarge, ValidationFailed
from tracker.services.importing import dry_run_json, read_report
from tracker.services.importing.create import check_year, create_from_candidates, create_from_rows
from tracker.services.importing.table import read_table
from tracker.services.people.orgs import resolve_org


def _read(path: str) -> bytes:
    """The file's bytes, refusing a missing, unreadable or oversized file before reading it all."""
    from flask import current_app
    if not os.path.isfile(path):
        raise ValidationFailed(f"找不到文件“{path}”")
    cap = current_app.config["IMPORT_MAX_BYTES"]
    size = os.path.getsize(path)
    if size > cap:
        raise TooLarge(f"文件过大({size / 1048576:.1f}MB),导入文件不能超过{cap // 1048576}MB")
    try:
        with open(path, "rb") as handle:
            return handle.read()
    except OSError as exc:
        raise ValidationFailed(f"无法读取文件“{path}”:{exc.strerror}") from None


@plan_cli.command("import")
@click.argument("path", metavar="FILE")
@click.option("--year", required=True, type=int, help="计划年度,如 2024")
@click.option("--dry-run", is_flag=True, help="只解析并以 JSON 打印,不创建任何内容")
@click.option("--org", "org_ref", help="导入到哪个单位(名称或路径,如 旌德县/云乐镇);不加 --dry-run 时必填")
@command_transaction
def import_command(path, year, dry_run, org_ref):
    """从报告(.txt/.docx)或任务分解表(.xlsx)导入年度计划。"""
    check_year(year)
    org = resolve_org(org_ref) if org_ref else None
    if not dry_run and org is None:
        raise ValidationFailed("创建计划须用 --org 指明单位(只预览请加 --dry-run)")
    data = _read(path)
    name = os.path.basename(path)
    if name.lower().endswith(".xlsx"):
        table = read_table(name, data)
        if dry_run:
            click.echo(json.dumps({"year": year, "sheet": table["sheet"], "rows": table["rows"]},
                                  ensure_ascii=False, indent=2))
            return
        plan = create_from_rows(None, org, year, table["rows"], system=True)
        click.echo(f"已导入:{plan.title},共{len(table['rows'])}项任务")
        return
    parsed = read_report(name, data, year)
    for warning in parsed["warnings"]:
        click.echo(f"注意:{warning}", err=True)
    if dry_run:
        click.echo(json.dumps(dry_run_json(parsed, year), ensure_ascii=False, indent=2))
        return
    themes = [{"key": t["key"], "title": t["title"]} for t in parsed["themes"]]
    candidates = [{**task, "id": i, "theme": t["key"], "keep": True}
                  for i, (t, task) in enumerate(((t, task) for t in parsed["themes"] for task in t["tasks"]), 1)]
    plan = create_from_candidates(None, org, year, themes, candidates, system=True)
    counts = "、".join(f"{t['key']} {len(t['tasks'])}项" for t in parsed["themes"])
    click.echo(f"已导入:{plan.title},{len(parsed['themes'])}个主题({counts}),共{len(candidates)}项任务(草稿,待交办)")
