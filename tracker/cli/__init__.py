"""Command-line groups for `flask --app wsgi …`."""
from flask import Flask


def register(app: Flask) -> None:
    from tracker.cli.orgs import orgs_cli
    from tracker.cli.plan import plan_cli
    from tracker.cli.users import users_cli
    app.cli.add_command(orgs_cli)
    app.cli.add_command(users_cli)
    app.cli.add_command(plan_cli)
