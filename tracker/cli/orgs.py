"""`flask orgs …`."""
import click

from tracker.cli.common import CommandGroup, command_transaction
from tracker.services.people.orgs import create_org, resolve_org, set_short_name

orgs_cli = CommandGroup("orgs", help="单位(组织机构)")


@orgs_cli.command("create")
@click.argument("name")
@click.option("--parent", help="上级单位名称或路径(如 旌德县)")
@click.option("--short-name", default="", help="发文简称,督办单编号用(如 旌);不填为名称的第一个字")
@command_transaction
def create(name, parent, short_name):
    """新建单位。"""
    org = create_org(name, resolve_org(parent) if parent else None)
    if short_name:
        set_short_name(None, org, short_name)
    click.echo(f"已创建单位:{org.full_name}(简称“{org.abbreviation}”)")


@orgs_cli.command("short-name")
@click.argument("org_ref", metavar="ORG")
@click.argument("short_name", required=False, default="")
@command_transaction
def short_name_command(org_ref, short_name):
    """设置单位的发文简称(督办单编号如 旌督〔2026〕3号);不给简称则恢复为名称的第一个字。"""
    org = set_short_name(None, resolve_org(org_ref), short_name)
    click.echo(f"{org.full_name}的简称:{org.abbreviation}")
