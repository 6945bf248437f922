"""Helpers shared by the web blueprints: role checks, service errors onto forms, pagination."""
from dataclasses import dataclass
from functools import wraps
from math import ceil

from flask import abort, request
from flask_login import current_user, login_required

from tracker.services.errors import ServiceError


def roles_required(*roles: str):
    """Login required, and one of these roles; others get 403."""
    def decorate(view):
        @wraps(view)
        @login_required
        def wrapper(*args, **kwargs):
            if current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)
        return wrapper
    return decorate


def errors_onto_form(form, error: ServiceError) -> None:
    """Show a service's per-field messages next to the form's fields; the rest at the top."""
    leftover = []
    for name, message in error.fields.items():
        field = getattr(form, name.split(".")[0], None)
        if field is not None and hasattr(field, "errors"):
            if isinstance(field.errors, tuple):
                field.errors = list(field.errors)
            field.errors.append(message)
        else:
            leftover.append(message)
    if leftover or not error.fields:
        form.form_errors.append(error.message if not leftover else "；".join(leftover))


@dataclass
class Pager:
    """One page of a list and the numbers a pagination bar needs."""

    items: list
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, ceil(self.total / self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages


def page_args(default_per_page: int = 20) -> tuple[int, int]:
    """page and per_page from the query string, forgiving bad values (pages are for people)."""
    def number(name, default, high):
        raw = request.args.get(name, "")
        return min(max(int(raw), 1), high) if raw.isdigit() and len(raw) < 7 else default
    return number("page", 1, 10**6), number("per_page", default_per_page, 100)
