"""`flask grant-runtime-role ROLE`: the PostgreSQL rights of the role the app runs as (issue 18.6)."""
import click

from tracker.cli.common import Command, command_transaction
from tracker.services.infra.db_roles import grant_runtime_role


@click.command("grant-runtime-role", cls=Command)
@click.argument("role")
@command_transaction
def grant_runtime_role_command(role):
    """以表的所有者身份运行:授予运行角色读写各表、但留痕表只能新增和查询的权限。"""
    for statement in grant_runtime_role(role):
        click.echo(statement)
    click.echo(f"已授权运行角色 {role}:留痕表只能新增和查询,不能修改、删除、清空或改表")
