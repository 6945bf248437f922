"""Group robots: WeCom (企业微信) and DingTalk (钉钉, signed), with the reply checked and the rate kept."""
import base64
import hashlib
import hmac
import json
import time
import urllib.parse
import urllib.request

from flask import current_app
from limits import RateLimitItemPerSecond
from limits.storage import storage_from_string
from limits.strategies import FixedWindowRateLimiter


class RobotError(Exception):
    """The robot refused the message (a network error, an HTTP error, or errcode ≠ 0 in a 200 reply)."""


def dingtalk_url(webhook: str, secret: str, now_ms: int | None = None) -> str:
    """The webhook with DingTalk's signature: base64(HMAC-SHA256(secret, "timestamp\\nsecret")), URL-encoded."""
    if not secret:
        return webhook
    timestamp = str(now_ms if now_ms is not None else int(time.time() * 1000))
    digest = hmac.new(secret.encode(), f"{timestamp}\n{secret}".encode(), hashlib.sha256).digest()
    sign = urllib.parse.quote_plus(base64.b64encode(digest))
    joiner = "&" if "?" in webhook else "?"
    return f"{webhook}{joiner}timestamp={timestamp}&sign={sign}"


def payload(channel: str, title: str, text: str) -> dict:
    if channel == "wecom":
        return {"msgtype": "markdown", "markdown": {"content": f"**{title}**\n{text}"}}
    return {"msgtype": "markdown", "markdown": {"title": title, "text": f"#### {title}\n{text}"}}


def post(channel: str, webhook: str, secret: str, title: str, text: str) -> None:
    """Send one markdown message; raises RobotError unless the robot says errcode 0."""
    url = dingtalk_url(webhook, secret) if channel == "dingtalk" else webhook
    body = json.dumps(payload(channel, title, text), ensure_ascii=False).encode()
    request = urllib.request.Request(url, data=body, headers={"Content-Type": "application/json; charset=utf-8"})
    try:
        with urllib.request.urlopen(request, timeout=current_app.config["ROBOT_TIMEOUT"]) as response:
            raw = response.read(65536)
    except Exception as exc:
        raise RobotError(f"{type(exc).__name__}: {exc}") from None
    try:
        answer = json.loads(raw or b"{}")
    except ValueError:
        raise RobotError(f"无法解析机器人的回复:{raw[:200]!r}") from None
    # Both robots answer HTTP 200 with {"errcode": …, "errmsg": …}; only errcode 0 means delivered.
    if not isinstance(answer, dict) or answer.get("errcode") != 0:
        raise RobotError(f"机器人返回错误:{str(answer)[:300]}")


_limiters: dict[str, FixedWindowRateLimiter] = {}


def _limiter() -> FixedWindowRateLimiter:
    """One fixed-window limiter per broker URL, its counts in Redis so every worker shares them (the limits package)."""
    url = current_app.config["CELERY"]["broker_url"]
    if url not in _limiters:
        _limiters[url] = FixedWindowRateLimiter(storage_from_string(url))
    return _limiters[url]


def wait_for_slot(webhook: str) -> float:
    """Take a slot in the webhook's window (about 20 a minute); returns 0, or the seconds to wait when full."""
    limit, window = current_app.config["ROBOT_RATE_LIMIT"], current_app.config["ROBOT_RATE_WINDOW"]
    item = RateLimitItemPerSecond(limit, max(1, round(window)), namespace="robot-rate")
    key = hashlib.sha256(webhook.encode()).hexdigest()[:16]
    if _limiter().hit(item, key):
        return 0.0
    return max(0.05, _limiter().get_window_stats(item, key).reset_time - time.time() + 0.05)
