"""Unbound extension instances, bound to the app in create_app."""
from celery import Celery, Task
from celery import current_app as current_celery_app
from celery.signals import worker_process_init
from flask import Flask
from flask_login import LoginManager
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import MetaData

# Named constraints keep Alembic migrations portable between SQLite and PostgreSQL.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

db = SQLAlchemy(metadata=MetaData(naming_convention=NAMING_CONVENTION))
csrf = CSRFProtect()
login_manager = LoginManager()


def bind_migrate(app: Flask):
    """Bind Flask-Migrate to the app once and return its `db` command group.

    Called by `flask db …` (tracker.cli.migrations) and by scripts that migrate: Flask-Migrate imports Alembic
    (~0.1 s), which no web request or Celery job needs."""
    from flask_migrate import Migrate
    from flask_migrate.cli import db as db_group
    if "migrate" not in app.extensions:
        Migrate(app, db, render_as_batch=True)
    return db_group


def celery_init_app(app: Flask) -> Celery:
    """Create the Celery app whose jobs run inside the Flask app context (Flask docs, "Background Tasks with Celery")."""

    class FlaskTask(Task):
        def __call__(self, *args, **kwargs):
            with app.app_context():
                return self.run(*args, **kwargs)

    celery_app = Celery(app.name, task_cls=FlaskTask)
    celery_app.config_from_object(app.config["CELERY"])
    celery_app.set_default()
    app.extensions["celery"] = celery_app
    celery_app.flask_app = app  # for the worker signal below
    return celery_app


@worker_process_init.connect
def _dispose_inherited_connections(**_):
    """Forked worker processes must not share the parent's database connections (Superset #13350).

    Connected once here rather than per app: a receiver holding each app would keep every app ever made alive.
    """
    app = getattr(current_celery_app, "flask_app", None)
    if app is not None:
        with app.app_context():
            db.engine.dispose(close=False)
