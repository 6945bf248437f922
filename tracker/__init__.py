"""The rule-of-law plan tracker: app factory."""
import logging
import os
from pathlib import Path

from flask import Flask
from sqlalchemy import event
from sqlalchemy.engine import Engine

from config import DEFAULT_SECRET_KEY, Config, ProductionConfig, config_from_env
from tracker.extensions import celery_init_app, csrf, db, login_manager
from tracker.routing import IdConverter

BASE_DIR = Path(__file__).resolve().parent.parent


def create_app(config: Config | None = None, **overrides) -> Flask:
    """Build the app from a config object (default: from the environment) and overrides."""
    app = Flask(__name__, template_folder=str(BASE_DIR / "templates"),
                static_folder=str(BASE_DIR / "static"))
    app.url_map.converters["int"] = IdConverter  # before any route is added
    configure(app, config or config_from_env(), overrides)
    register_extensions(app)
    register_subscribers()
    register_blueprints(app)
    register_errorhandlers(app)
    register_template_helpers(app)
    register_commands(app)
    return app


def configure(app: Flask, config: Config, overrides: dict) -> None:
    """Load settings and make sure the instance folders exist."""
    app.config.from_mapping(config.as_dict())
    app.config.update(overrides)
    if isinstance(config, ProductionConfig):
        if app.config["SECRET_KEY"] == DEFAULT_SECRET_KEY:
            raise RuntimeError("生产环境必须设置 SECRET_KEY 环境变量")
    elif app.config["SECRET_KEY"] == DEFAULT_SECRET_KEY:
        app.config["SECRET_KEY"] = _instance_secret(Path(app.config["INSTANCE_DIR"]))
    Path(app.config["INSTANCE_DIR"]).mkdir(parents=True, exist_ok=True)
    Path(app.config["UPLOAD_DIR"]).mkdir(parents=True, exist_ok=True)
    app.json.ensure_ascii = False
    logging.basicConfig(level=logging.INFO)
    from tracker import logs
    logs.install()


def _instance_secret(instance_dir: Path) -> str:
    """A random key kept in the instance folder, so sessions survive restarts of a local install."""
    instance_dir.mkdir(parents=True, exist_ok=True)
    path = instance_dir / "secret_key"
    if not path.exists():
        path.write_text(os.urandom(32).hex())
    return path.read_text().strip()


def register_extensions(app: Flask) -> None:
    """Bind the unbound extensions and Celery."""
    db.init_app(app)
    csrf.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "请先登录。"
    celery_init_app(app)
    from tracker import models  # noqa: F401  (registers the mappers before first use)
    from tracker.auth import sessions
    from tracker.auth.loader import load_user
    login_manager.user_loader(load_user)
    sessions.register(app)


def register_subscribers() -> None:
    """Connect the features that react to what the core announces (tracker.services.events)."""
    from tracker.services.exporting import calendar  # noqa: F401  (they connect when imported)
    from tracker.services.figures import catalogue  # noqa: F401
    from tracker.services.reminders import immediate, recurring  # noqa: F401


def register_blueprints(app: Flask) -> None:
    """Attach one blueprint per feature; the API authenticates by bearer token, never by cookie."""
    from tracker.account.views import bp as account
    from tracker.api import bp as api
    from tracker.auth.views import bp as auth
    from tracker.bulletins import bp as bulletins
    from tracker.dashboard.views import bp as dashboard
    from tracker.directives.views import bp as directives
    from tracker.exports.views import bp as exports
    from tracker.exports.views import feeds
    from tracker.help.views import bp as help_pages
    from tracker.home.views import bp as home
    from tracker.imports.views import bp as imports
    from tracker.plans import bp as plans
    from tracker.reminders import bp as reminders
    from tracker.reports import bp as reports
    from tracker.review.views import bp as review
    from tracker.supervision import bp as supervision
    from tracker.task_pages import bp as task_pages
    from tracker.users_admin.views import bp as users_admin

    csrf.exempt(api)
    for blueprint in (auth, home, api, task_pages, plans, dashboard, review, users_admin, reports, imports,
                      exports, feeds, reminders, help_pages, account, bulletins, directives):
        app.register_blueprint(blueprint)
    app.register_blueprint(supervision)


def register_errorhandlers(app: Flask) -> None:
    """Chinese error pages for the web, JSON for the API, and the security headers on every answer."""
    from tracker import errors, security
    errors.register(app)
    security.register(app)


def register_template_helpers(app: Flask) -> None:
    """Filters that format dates the Chinese way, and the lights' names (one list for every page)."""
    from tracker.formatting import register
    from tracker.services.tasks.lights import LIGHT_LABELS, LIGHTS
    register(app)
    app.add_template_global(LIGHTS, "LIGHTS")
    app.add_template_global(LIGHT_LABELS, "LIGHT_LABELS")


def register_commands(app: Flask) -> None:
    """The flask CLI groups."""
    from tracker.cli import register
    register(app)


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, connection_record):
    """WAL and a busy timeout let the web server and the worker share one SQLite file."""
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()
