"""Security headers, the client's address behind a proxy, and the login throttle's device cookie."""
from flask import Flask, current_app, request
from flask_login import current_user
from itsdangerous import BadSignature, URLSafeTimedSerializer
from werkzeug.middleware.proxy_fix import ProxyFix

from tracker.models import User
from tracker.services.people import throttle
from tracker.services.people.throttle import account_name

# No inline or external script; inline style attributes stay allowed (progress bar widths).
CSP = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
       "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'")


def register(app: Flask) -> None:
    """Trust the configured proxies' X-Forwarded-For (and -Proto); add the headers every answer carries."""
    x_for, x_proto = app.config.get("PROXY_FIX_X_FOR", 0), app.config.get("PROXY_FIX_X_PROTO", 0)
    if x_for or x_proto:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=x_for, x_proto=x_proto)

    @app.after_request
    def security_headers(response):
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        # Nothing a signed-in person sees (pages, downloads, previews) stays in a browser's or a proxy's cache
        # for the next person at a shared office computer (issue 18.14); static files keep their caching.
        if request.path.startswith("/api/") or (request.endpoint != "static" and current_user.is_authenticated):
            response.headers["Cache-Control"] = "no-store"
        if current_app.config["HSTS_SECONDS"]:  # production: browsers then refuse plain HTTP to this host
            response.headers.setdefault("Strict-Transport-Security",
                                        f"max-age={current_app.config['HSTS_SECONDS']}; includeSubDomains")
        return response


DEVICE_COOKIE = "known_device"


def _device_signer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="known-device")


def known_device() -> str | None:
    """The account name this browser's device cookie vouches for (it signed in there before), or None."""
    raw = request.cookies.get(DEVICE_COOKIE)
    if not raw or len(raw) > 500:
        return None
    try:
        name = _device_signer().loads(raw, max_age=current_app.config["LOGIN_DEVICE_DAYS"] * 86400)
    except BadSignature:
        return None
    return name if isinstance(name, str) else None


def remember_device(response, username: str):
    """Mark this browser as one the account signed in on, so a guesser's failures never lock it out."""
    config = current_app.config
    response.set_cookie(DEVICE_COOKIE, _device_signer().dumps(account_name(username)),
                        max_age=config["LOGIN_DEVICE_DAYS"] * 86400, httponly=True, samesite="Lax",
                        secure=config["SESSION_COOKIE_SECURE"])
    return response


def client_address() -> str:
    """The client's address: the peer's, or the one a trusted proxy forwarded (PROXY_FIX_X_FOR, see register)."""
    return request.remote_addr or "unknown"


def sign_in(username, password) -> User:
    """The throttled login shared by the web form and the API's token login."""
    return throttle.sign_in(username, password, address=client_address(), known_device=known_device())
