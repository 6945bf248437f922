"""Passwords: hashing (Argon2id), the one strength rule, and what a reset changes besides (issue 18.10)."""
from functools import cache, lru_cache
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from sqlalchemy import func, select

from tracker.extensions import db
from tracker.models import CalendarFeed, User

MIN_LENGTH = 8
MAX_LENGTH = 128
# Shipped with the package, so the rule holds offline; its header names the source.
COMMON_LIST = Path(__file__).with_name("common_passwords.txt")


@lru_cache(maxsize=4)
def _hasher_for(time_cost: int, memory_cost: int) -> tuple[PasswordHasher, str]:
    """A hasher with these costs and a dummy hash made with it."""
    hasher = PasswordHasher(time_cost=time_cost, memory_cost=memory_cost)
    return hasher, hasher.hash("not-a-real-password-0")


def _hasher() -> tuple[PasswordHasher, str]:
    config = current_app.config
    return _hasher_for(config["PASSWORD_HASH_TIME_COST"], config["PASSWORD_HASH_MEMORY_COST"])


def hash_password(password: str) -> str:
    return _hasher()[0].hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """True when the password matches; with no hash, a dummy one is checked so timing does not tell."""
    hasher, dummy = _hasher()
    try:
        return hasher.verify(password_hash or dummy, password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


@cache
def common_passwords() -> frozenset[str]:
    """The 10,000 most common passwords, lower-case."""
    lines = COMMON_LIST.read_text(encoding="utf-8").splitlines()
    return frozenset(line for line in lines if line and not line.startswith("# "))


def weakness(password, username: str = "") -> str | None:
    """A Chinese reason why the password is refused, or None: at least 8 characters, not among the 10,000 most
    common passwords, not containing the username (NIST SP 800-63B, section 5.1.1.2: no composition rules)."""
    if not isinstance(password, str) or not password:
        return "密码不能为空"
    if len(password) < MIN_LENGTH:
        return f"密码至少{MIN_LENGTH}位"
    if len(password) > MAX_LENGTH:
        return f"密码不能超过{MAX_LENGTH}位"
    if password.lower() in common_passwords():
        return "该密码过于常见,容易被猜中,请换一个"
    if isinstance(username, str) and username and username.lower() in password.lower():
        return "密码不能包含用户名"
    return None


def current_password_mistake(user: User, current) -> str | None:
    """A Chinese reason when `current` is not the user's password (asked before they change their own)."""
    if not isinstance(current, str) or not current:
        return "请输入当前密码"
    if not verify_password(user.password_hash, current):
        return "当前密码不正确"
    return None


def live_feeds(user: User) -> int:
    """How many calendar feed addresses the user has in use (a password change gives each a new one)."""
    return db.session.scalar(select(func.count()).select_from(CalendarFeed).where(
        CalendarFeed.user_id == user.id, CalendarFeed.revoked_at.is_(None)))


def take_feed_rotation_notice(user: User) -> str | None:
    """What to tell the user at login when a reset moved their calendar feeds (once); None when nothing moved."""
    if user.feeds_rotated_at is None:
        return None
    user.feeds_rotated_at = None
    db.session.flush()
    return "您的密码已由党政办重置,日历订阅地址也已更换:请到“导出”中的“日历订阅”页复制新地址,重新订阅。"
