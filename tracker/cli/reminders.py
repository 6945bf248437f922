"""`flask reminders …`."""
from datetime import date

import click
from flask.cli import AppGroup

from tracker.services.calendar.clock import today
from tracker.services.validation import YEAR_MAX, YEAR_MIN, is_year

reminders_cli = AppGroup("reminders", help="督办提醒")


@reminders_cli.command("run")
@click.option("--date", "day", help="按哪一天运行(YYYY-MM-DD),默认今天")
def run(day):
    """立即运行一次提醒扫描(补发或测试用);发送交给后台任务。"""
    import sys

    from tasks.reminders import sweep_and_hand_out
    from tracker.extensions import db
    if day is not None:
        try:
            parsed = date.fromisoformat(day.strip())
        except ValueError:
            click.echo(f"错误:日期“{day}”无效,格式为 YYYY-MM-DD(如 2024-10-08)", err=True)
            sys.exit(1)
        if not is_year(parsed.year):
            click.echo(f"错误:日期须在{YEAR_MIN}年到{YEAR_MAX}年之间", err=True)
            sys.exit(1)
    else:
        parsed = today()
    try:
        beat, ids = sweep_and_hand_out(parsed, digest_due=day is not None)
    except Exception as exc:  # an unmigrated database, a locked file…
        db.session.rollback()
        click.echo(f"错误:{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}", err=True)
        sys.exit(1)
    made = sum(v for k, v in beat.counts.items() if k not in ("digests", "recurring", "recomputed"))
    click.echo(f"{parsed.isoformat()} 提醒扫描完成:新增站内通知{made}条,汇总{beat.counts.get('digests', 0)}份,"
               f"已交给后台发送{len(ids)}条")
