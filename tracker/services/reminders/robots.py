"""Group robots: WeCom (企业微信) and DingTalk (钉钉, signed), with the reply checked and the rate kept."""
import base64
import hashlib
import hmac
import http.client
import json
import logging
import socket
import ssl
import time
import urllib.parse

from flask import current_app
from limits import RateLimitItemPerSecond
from limits.storage import storage_from_string
from limits.strategies import FixedWindowRateLimiter

from tracker.services.reminders import webhooks

log = logging.getLogger(__name__)


class RobotError(Exception):
    """The robot did not take the message. The text is ours — an HTTP status or errcode and a short Chinese
    reason — never the peer's answer, which 提醒记录 would otherwise show (issue 18.1)."""

    may_have_arrived = False  # True when the message was written whole and only the answer went missing


class LimiterDown(RobotError):
    """The rate limiter's Redis cannot be reached: the batch's other robot messages wait for a retry too."""


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


def _connection(target: webhooks.Target, timeout: float) -> http.client.HTTPConnection:
    """A connection to the address the host was checked and resolved to (TLS still verifies the host name)."""
    if target.is_https:
        conn = http.client.HTTPSConnection(target.host, target.port, timeout=timeout,
                                           context=ssl.create_default_context())
    else:
        conn = http.client.HTTPConnection(target.host, target.port, timeout=timeout)
    # http.client opens its socket through this attribute; pinning it to the checked IP leaves no second DNS
    # answer (a rebinding) between the check and the connection.
    conn._create_connection = lambda address, *args, **kwargs: socket.create_connection(
        (target.ip, target.port), *args, **kwargs)
    return conn


def _network_reason(exc: Exception) -> str:
    if isinstance(exc, (TimeoutError, socket.timeout)):
        return "连接机器人服务器超时"
    if isinstance(exc, ssl.SSLError):
        return "与机器人服务器的加密连接失败(证书或协议)"
    if isinstance(exc, ConnectionRefusedError):
        return "机器人服务器拒绝连接"
    return f"与机器人服务器的网络连接失败({type(exc).__name__})"


def post(channel: str, webhook: str, secret: str, title: str, text: str) -> None:
    """Send one markdown message; raises RobotError unless the robot says errcode 0.

    Redirects are never followed (http.client follows none): a 3xx is a failure like any other status.
    """
    try:
        target = webhooks.target(channel, webhook)
    except webhooks.AddressRefused as exc:
        raise RobotError(str(exc)) from None
    path = dingtalk_url(target.path, secret) if channel == "dingtalk" else target.path
    body = json.dumps(payload(channel, title, text), ensure_ascii=False).encode()
    conn = _connection(target, current_app.config["ROBOT_TIMEOUT"])
    try:
        try:
            conn.request("POST", path, body=body, headers={"Content-Type": "application/json; charset=utf-8"})
        except (OSError, http.client.HTTPException) as exc:
            raise RobotError(_network_reason(exc)) from None
        try:
            response = conn.getresponse()
            status, raw = response.status, response.read(65536)
        except (OSError, http.client.HTTPException) as exc:
            # The whole message was written: the robot may have posted it and only its answer was lost.
            error = RobotError(_network_reason(exc) + ",对方可能已收到")
            error.may_have_arrived = True
            raise error from None
    finally:
        conn.close()
    if 300 <= status < 400:
        raise RobotError(f"机器人服务器要求跳转(HTTP {status}),已拒绝跟随")
    if status != 200:
        raise RobotError(f"机器人服务器返回 HTTP {status}")
    try:
        answer = json.loads(raw or b"{}")
    except ValueError:
        raise RobotError("机器人的回复无法解析(HTTP 200)") from None
    # Both robots answer HTTP 200 with {"errcode": …, "errmsg": …}; only errcode 0 means delivered. The errcode,
    # a number, is kept (45009: too many messages); errmsg is the peer's text and is not.
    code = answer.get("errcode") if isinstance(answer, dict) else None
    if code == 0 and not isinstance(code, bool):
        return
    if isinstance(code, int) and not isinstance(code, bool) and abs(code) < 10**9:
        raise RobotError(f"机器人返回错误码 {code}")
    raise RobotError("机器人的回复不是约定的格式(HTTP 200)")


_limiters: dict[str, FixedWindowRateLimiter] = {}


def _limiter() -> FixedWindowRateLimiter:
    """One fixed-window limiter per broker URL, its counts in Redis so every worker shares them (the limits package).
    Timeouts bound how long a Redis that is gone can hold a batch."""
    url = current_app.config["CELERY"]["broker_url"]
    if url not in _limiters:
        timeout = min(5.0, current_app.config["ROBOT_TIMEOUT"])
        _limiters[url] = FixedWindowRateLimiter(storage_from_string(
            url, socket_timeout=timeout, socket_connect_timeout=timeout))
    return _limiters[url]


def wait_for_slot(webhook: str) -> float:
    """Take a slot in the webhook's window (about 20 a minute); returns 0, or the seconds to wait when full.

    A limiter that cannot count (Redis down) raises RobotError: an ordinary failure of this delivery, recorded
    and retried later like any other (issue 18.17: it escaped the batch, whose sends then went again).
    """
    limit, window = current_app.config["ROBOT_RATE_LIMIT"], current_app.config["ROBOT_RATE_WINDOW"]
    item = RateLimitItemPerSecond(limit, max(1, round(window)), namespace="robot-rate")
    key = hashlib.sha256(webhook.encode()).hexdigest()[:16]
    try:
        if _limiter().hit(item, key):
            return 0.0
        return max(0.05, _limiter().get_window_stats(item, key).reset_time - time.time() + 0.05)
    except Exception as exc:  # redis-py's ConnectionError, TimeoutError…: whatever the storage raises
        log.warning("robot rate limiter unavailable: %s: %s", type(exc).__name__, exc)
        raise LimiterDown("发送频率计数服务(Redis)暂时不可用,稍后重试") from None
