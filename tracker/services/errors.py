"""Errors the services raise; each interface turns them into its own answer."""
from contextlib import contextmanager

from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm.exc import StaleDataError

STALE = "任务已被他人修改,请刷新后重试"
DUPLICATE = "刚有他人提交了相同的内容,请刷新后查看"
# A serialization failure or a deadlock: PostgreSQL chose this transaction to lose.
LOST_SQLSTATES = frozenset({"40001", "40P01"})


class ServiceError(Exception):
    """A refused request with a Chinese message and optional per-field messages."""

    status = 400
    code = "invalid"

    def __init__(self, message: str, fields: dict | None = None, *, action: str | None = None,
                 task=None):
        super().__init__(message)
        self.message = message
        self.fields = fields or {}
        # What was attempted, so the refusal can be written to the audit trail after rollback.
        self.action = action
        self.task_id = getattr(task, "id", None)
        self.org_id = getattr(task, "org_id", None)


class ValidationFailed(ServiceError):
    """Input that is malformed or breaks a rule of the domain."""

    status = 400
    code = "invalid"


class NotAuthenticated(ServiceError):
    """No or a bad login."""

    status = 401
    code = "unauthenticated"


class PermissionDenied(ServiceError):
    """The role may not do this here."""

    status = 403
    code = "forbidden"


class NotFound(ServiceError):
    """Missing, or not visible to this user (never revealing which)."""

    status = 404
    code = "not_found"


class Conflict(ServiceError):
    """A stale version, or a state that does not allow the action."""

    status = 409
    code = "conflict"


class TooManyAttempts(ServiceError):
    """Too many failed logins for this account or from this address; try again after `retry_after` seconds."""

    status = 429
    code = "too_many_requests"

    def __init__(self, message: str, retry_after: int):
        super().__init__(message)
        self.retry_after = retry_after


class TooLarge(ServiceError):
    """An upload over its size cap."""

    status = 413
    code = "too_large"


def check_fields(errors: dict, message: str = "提交的内容有误,请检查标出的字段。") -> None:
    """Raise ValidationFailed when any field message was collected."""
    if errors:
        raise ValidationFailed(message, errors)


def lost_race(exc: Exception, *, action: str | None = None, task=None) -> "Conflict | None":
    """The 409 for a write that lost a race the database decided (a stale version, a duplicate key, a deadlock).

    None when `exc` is not such a race (a real fault, to be answered 500). Each unit of work (the pages'
    perform, the API's operation, the services' own flushes) turns these into the answer of a stale version.
    """
    if isinstance(exc, StaleDataError):
        return Conflict(STALE, action=action, task=task)
    if isinstance(exc, IntegrityError):
        return Conflict(DUPLICATE, action=action, task=task)
    if isinstance(exc, DBAPIError) and getattr(exc.orig, "sqlstate", None) in LOST_SQLSTATES:
        return Conflict(STALE, action=action, task=task)
    return None


RACES = (StaleDataError, DBAPIError)  # what lost_race may answer for; IntegrityError is a DBAPIError


@contextmanager
def refusing_lost_races(action: str, task):
    """Inside a verb: a flush that loses a race is refused as a stale version, named for the audit trail."""
    ids = getattr(task, "id", None), getattr(task, "org_id", None)  # read now: a failed flush spoils the session
    try:
        yield
    except RACES as exc:
        conflict = lost_race(exc, action=action)
        if conflict is None:
            raise
        conflict.task_id, conflict.org_id = ids
        raise conflict from exc
