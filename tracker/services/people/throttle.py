"""Login throttling (issue 18.9), one count for the web login and the API's token login.

Each failure makes the account wait longer before the next try (doubling, up to LOGIN_DELAY_MAX_SECONDS), but the
right password from a known device (one this account signed in on before) always gets in, so a guesser cannot
lock the owner out. An address has a budget of failures across all accounts (spraying one password over many
names). The counts live in Redis, shared by every web worker; without Redis logins are not throttled at all
rather than refused.
"""
import logging
from dataclasses import dataclass

import redis
from flask import current_app

from tracker.models import User
from tracker.services.errors import NotAuthenticated, TooManyAttempts
from tracker.services.infra.shared_cache import redis_client
from tracker.services.people.users import authenticate

log = logging.getLogger(__name__)
PREFIX = "tracker:login:"


@dataclass(frozen=True)
class AccountState:
    """What the committee sees of an account's recent failed logins."""

    failures: int
    wait_seconds: int


def account_name(username) -> str:
    """The key an account's failures count under: the typed name, trimmed and lower-case (unknown names too)."""
    return username.strip().lower()[:64] if isinstance(username, str) else ""


def _redis() -> redis.Redis:
    config = current_app.config
    return redis_client(config.get("RATELIMIT_STORAGE_URI") or config["REDIS_URL"], 2)


def _delay(failures: int) -> int:
    """Seconds the account waits after this many failures in a row: none at first, then doubling."""
    config = current_app.config
    over = failures - config["LOGIN_FREE_FAILURES"]
    if over < 0:
        return 0
    return int(min(config["LOGIN_DELAY_MAX_SECONDS"], config["LOGIN_DELAY_BASE_SECONDS"] * 2 ** min(over, 30)))


def _wait_message(seconds: int, whose: str) -> str:
    when = f"{seconds}秒" if seconds < 60 else f"{-(-seconds // 60)}分钟"
    return f"{whose}登录失败次数过多,请{when}后再试"


def _refusal(name: str, address: str) -> TooManyAttempts | None:
    """Why a try must wait now, or None."""
    client = _redis()
    wait_ms, spent = client.pttl(PREFIX + "wait:" + name), client.get(PREFIX + "addr:" + address)
    if wait_ms and wait_ms > 0:
        seconds = max(1, -(-wait_ms // 1000))
        return TooManyAttempts(_wait_message(seconds, "该账号"), seconds)
    if spent is not None and int(spent) >= current_app.config["LOGIN_ADDRESS_FAILURES"]:
        seconds = max(1, client.ttl(PREFIX + "addr:" + address))
        return TooManyAttempts(_wait_message(seconds, "本网络"), seconds)
    return None


def _count_failure(name: str, address: str) -> None:
    config = current_app.config
    client = _redis()
    failures = client.incr(PREFIX + "fail:" + name)
    client.expire(PREFIX + "fail:" + name, int(config["LOGIN_FAILURE_MEMORY_SECONDS"]))
    delay = _delay(failures)
    if delay:
        client.set(PREFIX + "wait:" + name, 1, ex=delay)
    if client.incr(PREFIX + "addr:" + address) == 1:  # a fixed window from the address's first failure
        client.expire(PREFIX + "addr:" + address, int(config["LOGIN_ADDRESS_WINDOW_SECONDS"]))


def sign_in(username, password, *, address: str, known_device: str | None) -> User:
    """The user these credentials name, under the throttle; TooManyAttempts or NotAuthenticated otherwise.

    `known_device` is the account name a valid device cookie carries: that account's right password passes.
    """
    name = account_name(username)
    address = (address or "unknown")[:64]
    try:
        refusal = None if known_device == name and name else _refusal(name, address)
    except redis.RedisError as exc:
        log.warning("login throttle unavailable (%s); not throttling", exc)
        return authenticate(username, password)
    if refusal is not None:
        raise refusal  # the password is not even checked: a guess while waiting learns nothing
    try:
        user = authenticate(username, password)
    except NotAuthenticated:
        try:
            _count_failure(name, address)
        except redis.RedisError as exc:
            log.warning("login throttle unavailable (%s); failure not counted", exc)
        raise
    forget_account(name)
    return user


def refusal_for(username, address: str) -> TooManyAttempts | None:
    """Why a password check for this account from this address must wait now (None without Redis)."""
    try:
        return _refusal(account_name(username), (address or "unknown")[:64])
    except redis.RedisError as exc:
        log.warning("login throttle unavailable (%s); not throttling", exc)
        return None


def count_failure(username, address: str) -> None:
    """A wrong password given elsewhere than the login (the current one, when changing it) counts the same."""
    try:
        _count_failure(account_name(username), (address or "unknown")[:64])
    except redis.RedisError as exc:
        log.warning("login throttle unavailable (%s); failure not counted", exc)


def forget_account(username) -> None:
    """Clear an account's failures and wait (a successful login, or the committee's 解除登录限制)."""
    name = account_name(username)
    try:
        _redis().delete(PREFIX + "fail:" + name, PREFIX + "wait:" + name)
    except redis.RedisError as exc:
        log.warning("login throttle unavailable (%s); nothing to clear", exc)


def account_state(username) -> AccountState:
    """The account's failures in a row and the seconds it still waits (zeros without Redis)."""
    name = account_name(username)
    try:
        client = _redis()
        failures, wait_ms = client.get(PREFIX + "fail:" + name), client.pttl(PREFIX + "wait:" + name)
    except redis.RedisError:
        return AccountState(0, 0)
    return AccountState(int(failures or 0), max(0, -(-wait_ms // 1000)) if wait_ms and wait_ms > 0 else 0)


def forget_all() -> int:
    """Clear every account's and address's count (between tests; an operator after an attack); how many keys."""
    client = _redis()
    keys = list(client.scan_iter(PREFIX + "*", count=500))
    return client.delete(*keys) if keys else 0
