"""`flask db …` (Flask-Migrate), bound when the command runs so that no other process imports Alembic."""
import click
from flask import current_app

from tracker.extensions import bind_migrate


class MigrationsGroup(click.Group):
    """Stands in for Flask-Migrate's `db` group until a `flask db` command is asked for, then hands over to it."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return bind_migrate(current_app).list_commands(ctx)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        return bind_migrate(current_app).get_command(ctx, name)


@click.group("db", cls=MigrationsGroup, help="数据库迁移（Flask-Migrate / Alembic），如 flask --app wsgi db upgrade")
@click.option("-d", "--directory", default=None, help="迁移脚本目录（默认 migrations）")
@click.option("-x", "--x-arg", multiple=True, help="传给 env.py 的附加参数")
@click.pass_context
def migrations_cli(ctx: click.Context, directory, x_arg) -> None:
    # Flask-Migrate's own group callback keeps these options where its commands read them (flask.g).
    ctx.invoke(bind_migrate(current_app).callback, directory=directory, x_arg=x_arg)
