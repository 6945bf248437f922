"""Errors the services raise; each interface turns them into its own answer."""


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
