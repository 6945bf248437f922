"""What every command shares: one transaction, and a one-line Chinese message instead of a traceback
or click's English usage text."""
import functools
import sys

import click
from flask.cli import AppGroup

from tracker.extensions import db
from tracker.services.errors import ServiceError


def usage_message(exc: click.UsageError) -> str:
    """click's usage errors, said in Chinese."""
    param = getattr(exc, "param", None)
    name = (param.opts[0] if getattr(param, "opts", None) else getattr(param, "name", "")) if param else ""
    if isinstance(exc, click.MissingParameter):
        return f"缺少必填参数 {name or exc.param_hint or ''}".strip()
    if isinstance(exc, click.NoSuchOption):
        return f"未知的选项 {exc.option_name}"
    if isinstance(exc, click.BadParameter):
        detail = exc.message
        if not any("\u4e00" <= ch <= "\u9fff" for ch in detail):
            detail = "文件或目录不存在" if "does not exist" in detail else "值无效"
        return f"参数 {name} {detail}".replace("  ", " ")
    return f"命令用法有误(用 --help 查看用法):{exc.message}"


class ChineseUsage:
    """Report bad arguments in one Chinese line and exit 2."""

    def parse_args(self, ctx, args):
        try:
            return super().parse_args(ctx, args)
        except click.UsageError as exc:
            click.echo(f"错误:{usage_message(exc)}", err=True)
            ctx.exit(2)


class Command(ChineseUsage, click.Command):
    """A command whose usage errors are Chinese."""


class CommandGroup(ChineseUsage, AppGroup):
    """A command group (with the app context) whose commands' usage errors are Chinese."""

    command_class = Command


def command_transaction(fn):
    """Commit when the command succeeds; on a refused input roll back, print why and exit 1."""
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            result = fn(*args, **kwargs)
            db.session.commit()
            return result
        except ServiceError as exc:
            db.session.rollback()
            click.echo(f"错误:{exc.message}", err=True)
            sys.exit(1)
        except Exception as exc:  # a database that is not migrated, a disk that is full…
            db.session.rollback()
            click.echo(f"错误:操作失败,未做任何修改({type(exc).__name__}: {str(exc).splitlines()[0][:200] if str(exc) else ''})",
                       err=True)
            sys.exit(1)
    return wrapper
