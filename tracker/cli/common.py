"""What every command shares: one transaction, and a one-line Chinese message instead of a traceback."""
import functools
import sys

import click

from tracker.extensions import db
from tracker.services.errors import ServiceError


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
            click.echo(f"错误:{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}", err=True)
            sys.exit(1)
    return wrapper
