"""Security headers and login throttling."""
from flask import Flask, current_app, request
from flask_limiter.util import get_remote_address
from flask_login import current_user

# No inline or external script; inline style attributes stay allowed (progress bar widths).
CSP = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
       "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'")


def register(app: Flask) -> None:
    """Add the headers every answer carries."""

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


def login_key() -> str:
    """Failures count per username and address, so one office behind one address is not locked out together."""
    username = request.form.get("username")
    if username is None:
        body = request.get_json(silent=True)
        username = body.get("username") if isinstance(body, dict) else None
    name = username.strip().lower()[:64] if isinstance(username, str) else ""
    return f"login:{name}:{get_remote_address()}"


def login_limit() -> str:
    return current_app.config["LOGIN_FAILURE_LIMIT"]
