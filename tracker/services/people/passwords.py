"""Password hashing (Argon2id) and the strength rule."""
from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app

MIN_LENGTH = 8


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


def weakness(password, username: str = "") -> str | None:
    """A Chinese reason why the password is too weak, or None."""
    if not isinstance(password, str) or not password:
        return "密码不能为空"
    if len(password) < MIN_LENGTH:
        return f"密码至少{MIN_LENGTH}位"
    if len(password) > 128:
        return "密码不能超过128位"
    if password.isdigit() or password.isalpha():
        return "密码须同时包含字母和数字(或符号)"
    if username and password.lower() == username.lower():
        return "密码不能与用户名相同"
    return None
