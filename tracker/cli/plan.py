"""`flask plan …`."""
import click

from tracker.cli.common import CommandGroup, command_transaction
from tracker.services.calendar.clock import today
from tracker.services.demo import DEMO_PASSWORD, DEMO_USERS, load_demo

plan_cli = CommandGroup("plan", help="年度计划")


@plan_cli.command("load-demo")
@click.option("--quiet", is_flag=True, help="不打印演示账号")
@command_transaction
def load_demo_command(quiet):
    """载入演示数据(可重复执行,已有的不会重复创建)。"""
    added = load_demo(today())
    total = sum(added.values())
    click.echo(f"演示数据:新增任务{total}项" if total else "演示数据已存在,未重复创建")
    if not quiet:
        click.echo(f"演示账号(密码均为 {DEMO_PASSWORD}):")
        for username, name, role, path, what in DEMO_USERS:
            click.echo(f"  {username:<14} {name:<8} {path:<10} {what}")
