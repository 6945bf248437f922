"""The API's blueprint: bearer-token authentication and JSON errors for every route module."""
from functools import cache

from flask import Blueprint, g, jsonify, request

from tracker.extensions import db
from tracker.services import audit
from tracker.services.errors import NotAuthenticated, ServiceError
from tracker.services.people.users import token_query, user_for_token
from tracker.services.tasks import counting
from tracker.services.validation import is_id

bp = Blueprint("api", __name__, url_prefix="/api/v1")


@bp.before_request
def authenticate():
    """Every operation but the public ones needs `Authorization: Bearer …`."""
    view = bp_view(request.endpoint)
    if view is None or getattr(view, "is_public", False):
        return None
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise NotAuthenticated("请先登录(缺少 Authorization: Bearer 令牌)")
    g.api_user, g.api_token, newest_change = user_for_token(token.strip(), _token_query())
    counting.keep_newest_change(*newest_change)
    return None


@cache
def _token_query():
    """The token with its user, and the newest task change the kept task pages ask for (one statement fewer)."""
    return token_query(*counting.newest_change_columns())


def bp_view(endpoint):
    from flask import current_app
    return current_app.view_functions.get(endpoint) if endpoint else None


# What an operation attempts, for refusals raised before a service named it (bad JSON, schema checks).
ATTEMPTS = {"api.create_task": "task.create", "api.patch_task": "task.update", "api.post_progress": "task.progress",
            "api.complete_request": "task.complete_request", "api.extension_request": "task.extension_request",
            "api.review": "task.review", "api.cancel": "task.cancel", "api.urge_task": "task.urge",
            "api.acknowledge_task": "task.acknowledge"}


def _name_attempt(error: ServiceError, actor) -> None:
    """Attach the attempted action and its visible task (or the actor's organisation) to a refusal."""
    from tracker.models import PlanTask
    from tracker.services.people.access import can_read_org
    error.action = ATTEMPTS.get(request.endpoint)
    task_id = (request.view_args or {}).get("task_id")
    if task_id is None:
        error.org_id = actor.org_id
        return
    task = db.session.get(PlanTask, task_id) if is_id(task_id) else None
    if task is None or not can_read_org(actor, task.org):
        error.action = None  # nothing to attach it to, and nothing to reveal
    else:
        error.task_id, error.org_id = task.id, task.org_id


@bp.errorhandler(ServiceError)
def service_error(error: ServiceError):
    """Roll back, keep the refused attempt in the audit trail, answer JSON."""
    db.session.rollback()
    actor = g.get("api_user")
    if actor is not None:
        actor = db.session.merge(actor)
        if not error.action:
            _name_attempt(error, actor)
        if error.action:
            audit.record_refusal(actor, error)
            db.session.commit()
    response = error_response(error.status, error.code, error.message, error.fields)
    if getattr(error, "retry_after", None):
        response.headers["Retry-After"] = str(error.retry_after)
    return response


def error_response(status: int, code: str, message: str, fields: dict | None = None):
    response = jsonify({"error": {"code": code, "message": message, "fields": fields or {}}})
    response.status_code = status
    if status == 401:
        response.headers["WWW-Authenticate"] = "Bearer"
    return response
