"""`flask users …`."""
import click

from tracker.cli.common import CommandGroup, command_transaction
from tracker.models import ROLES
from tracker.services.people import contact, users
from tracker.services.people.orgs import resolve_org

users_cli = CommandGroup("users", help="用户")


class _Choice(click.Choice):
    """A choice whose refusal is one Chinese line."""

    def convert(self, value, param, ctx):
        if value not in self.choices:
            self.fail(f"角色须为 {'、'.join(self.choices)} 之一", param, ctx)
        return value


@users_cli.command("create")
@click.argument("username")
@click.option("--org", "org_ref", required=True, help="单位名称或路径")
@click.option("--role", required=True, type=_Choice(ROLES))
@click.option("--name", required=True, help="姓名")
@click.option("--password", required=True)
@click.option("--email")
@click.option("--phone")
@command_transaction
def create(username, org_ref, role, name, password, email, phone):
    """新建用户。"""
    user = users.create_user(username=username, org=resolve_org(org_ref), role=role, name=name,
                             password=password, email=email, phone=phone)
    click.echo(f"已创建用户:{user.username}({user.name},{user.role_label},{user.org.full_name})")


@users_cli.command("deactivate")
@click.argument("username")
@click.option("--handover", help="接手其未完成任务的用户名")
@command_transaction
def deactivate(username, handover):
    """停用用户,可把未完成任务移交他人。"""
    user = users.get_user(username)
    moved = users.deactivate_user(user, handover=users.get_user(handover) if handover else None)
    suffix = f",{moved}项未完成任务已移交给 {handover}" if handover else ""
    click.echo(f"已停用用户:{username}{suffix}")


@users_cli.command("set-contact")
@click.argument("username")
@click.option("--email", help="邮箱(空字符串为清除)")
@click.option("--phone", help="电话(空字符串为清除)")
@command_transaction
def set_contact(username, email, phone):
    """修改用户的邮箱和电话(未给出的保持不变)。"""
    user = users.get_user(username)
    changed = contact.update_contact(user, user.email if email is None else email,
                                     user.phone if phone is None else phone, actor=None)
    click.echo(f"已更新 {username} 的联系方式" if changed else f"{username} 的联系方式没有变化")


@users_cli.command("set-password")
@click.argument("username")
@click.option("--password", required=True)
@command_transaction
def set_password(username, password):
    """重置密码(其他登录会话随之失效)。"""
    users.set_password(users.get_user(username), password)
    click.echo(f"已重置 {username} 的密码")
