"""`flask orgs …`."""
import click

from tracker.cli.common import CommandGroup, command_transaction
from tracker.services.people.orgs import create_org, resolve_org

orgs_cli = CommandGroup("orgs", help="单位(组织机构)")


@orgs_cli.command("create")
@click.argument("name")
@click.option("--parent", help="上级单位名称或路径(如 旌德县)")
@command_transaction
def create(name, parent):
    """新建单位。"""
    org = create_org(name, resolve_org(parent) if parent else None)
    click.echo(f"已创建单位:{org.full_name}")
