"""The JSON API under /api/v1: bearer tokens, JSON errors, generated OpenAPI."""
from flask import Blueprint, g, jsonify, request

from tracker.extensions import db
from tracker.services import audit
from tracker.services.errors import NotAuthenticated, ServiceError
from tracker.services.users import user_for_token

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
    g.api_user, g.api_token = user_for_token(token.strip())
    return None


def bp_view(endpoint):
    from flask import current_app
    return current_app.view_functions.get(endpoint) if endpoint else None


@bp.errorhandler(ServiceError)
def service_error(error: ServiceError):
    """Roll back, keep the refused attempt in the audit trail, answer JSON."""
    db.session.rollback()
    actor = g.get("api_user")
    if actor is not None and error.action:
        actor = db.session.merge(actor)
        audit.record_refusal(actor, error)
        db.session.commit()
    return error_response(error.status, error.code, error.message, error.fields)


def error_response(status: int, code: str, message: str, fields: dict | None = None):
    response = jsonify({"error": {"code": code, "message": message, "fields": fields or {}}})
    response.status_code = status
    if status == 401:
        response.headers["WWW-Authenticate"] = "Bearer"
    return response


from tracker.api import auth, plans, tasks  # noqa: E402,F401  (routes register on bp)
