"""Password hashing (Argon2id) and the strength rule."""
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()
# Verifying against this when the user does not exist keeps the timing of a wrong username the same.
_DUMMY_HASH = _hasher.hash("not-a-real-password-0")

MIN_LENGTH = 8


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """True when the password matches; compares against a dummy hash when there is none."""
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
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
