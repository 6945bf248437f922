"""Command-line groups for `flask --app wsgi …`."""
from flask import Flask


def register(app: Flask) -> None:
    from tracker.cli import plan_import  # noqa: F401  (adds `plan import` to plan_cli)
    from tracker.cli.backup import backup_command, restore_command
    from tracker.cli.database import grant_runtime_role_command
    from tracker.cli.migrations import migrations_cli
    from tracker.cli.orgs import orgs_cli
    from tracker.cli.plan import plan_cli
    from tracker.cli.reminders import reminders_cli
    from tracker.cli.report import report_cli
    from tracker.cli.users import users_cli
    app.cli.add_command(orgs_cli)
    app.cli.add_command(users_cli)
    app.cli.add_command(plan_cli)
    app.cli.add_command(report_cli)
    app.cli.add_command(reminders_cli)
    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)
    app.cli.add_command(grant_runtime_role_command)
    app.cli.add_command(migrations_cli)
