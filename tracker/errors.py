"""Error answers: JSON under /api/, Chinese pages elsewhere; never a stack trace."""
import logging

from flask import Flask, render_template, request
from werkzeug.exceptions import HTTPException

from tracker.extensions import db

log = logging.getLogger(__name__)

MESSAGES = {
    400: "请求有误", 401: "请先登录", 403: "无权执行此操作", 404: "页面或对象不存在",
    405: "不支持此请求方法", 413: "上传的内容过大", 429: "请求过于频繁,请稍后再试", 500: "服务器出错了,请稍后再试",
}
CODES = {400: "invalid", 401: "unauthenticated", 403: "forbidden", 404: "not_found", 405: "method_not_allowed",
         409: "conflict", 413: "too_large", 429: "too_many_requests", 500: "server_error"}


def _answer(status: int, message: str):
    if request.path.startswith("/api/"):
        from tracker.api.blueprint import error_response
        return error_response(status, CODES.get(status, "error"), message)
    return render_template("error.html", status=status, message=message), status


def _has_nul(request) -> bool:
    """NUL characters cannot be stored (PostgreSQL refuses them) and are never legitimate input."""
    if any("\x00" in k or "\x00" in v for k, v in request.args.items(multi=True)):
        return True
    if request.mimetype == "application/x-www-form-urlencoded" or request.mimetype == "multipart/form-data":
        return any("\x00" in v for v in request.form.values())
    return b"\\u0000" in request.get_data(cache=True) if request.is_json else False


def register(app: Flask) -> None:
    """Install the handlers on the app."""

    @app.before_request
    def refuse_nul_bytes():
        if _has_nul(request):
            return _answer(400, "输入中含有不允许的控制字符")
        return None

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        status = error.code or 500
        if status == 400 and error.description and "CSRF" in str(error.description):
            return _answer(400, "页面已过期,请刷新后重新提交")
        # A service's own refusal (tracker.web.perform) is said in its words; werkzeug's English never is.
        said = getattr(error, "refusal", None)
        return _answer(status, said or MESSAGES.get(status, error.name))

    @app.errorhandler(Exception)
    def unexpected(error: Exception):
        log.exception("unhandled error on %s %s", request.method, request.path)
        db.session.rollback()
        return _answer(500, MESSAGES[500])
