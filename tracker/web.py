"""Helpers shared by the web blueprints: role checks, forms in Chinese, the unit of work, pagination."""
from dataclasses import dataclass
from functools import wraps
from math import ceil
from urllib.parse import urlencode

from flask import abort, current_app, flash, request
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from werkzeug.exceptions import Forbidden
from werkzeug.exceptions import NotFound as NotFoundPage
from wtforms.meta import DefaultMeta

from tracker.extensions import db
from tracker.services import audit
from tracker.services.errors import RACES, NotFound, PermissionDenied, ServiceError, lost_race


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


class ZhForm(FlaskForm):
    """A form whose built-in WTForms messages ("不是有效的选择。") are Chinese, without Flask-Babel."""

    class Meta:
        locales = ("zh",)

        def get_translations(self, form):
            return DefaultMeta.get_translations(self, form)


class QueryForm(ZhForm):
    """A GET form of list filters: read from the query string, no CSRF (it changes nothing)."""

    class Meta:
        csrf = False

        def wrap_formdata(self, form, formdata):
            return request.args if formdata is not None else None


def _field_for(form, name: str):
    """The form field for a service's field name; "rows.2.title" finds the title of the third row."""
    parts = name.split(".")
    field = getattr(form, parts[0], None)
    for part in parts[1:]:
        if field is None:
            return None
        if part.isdecimal() and hasattr(field, "entries"):
            index = int(part)
            field = field.entries[index] if index < len(field.entries) else None
        else:
            field = getattr(getattr(field, "form", field), part, None)
    return field


def errors_onto_form(form, error: ServiceError, rename: dict | None = None) -> None:
    """Show a service's per-field messages next to the form's fields; the rest at the top."""
    leftover = []
    for name, message in error.fields.items():
        name = (rename or {}).get(name, name)
        field = _field_for(form, name)
        if field is not None and hasattr(field, "errors") and not hasattr(field, "entries"):
            if isinstance(field.errors, tuple):
                field.errors = list(field.errors)
            field.errors.append(message)
        else:
            leftover.append(message)
    if leftover or not error.fields:
        if isinstance(form.form_errors, tuple):
            form.form_errors = list(form.form_errors)
        form.form_errors.append(error.message if not leftover else "；".join(leftover))


def refused(error: ServiceError) -> None:
    """Undo the failed change; a refusal of rights or state stays in the audit trail (audit.record_refusal)."""
    db.session.rollback()
    if current_user.is_authenticated and audit.is_kept(error):
        audit.record_refusal(current_user, error)
        db.session.commit()


def refuse_change(task, action: str, message: str) -> None:
    """A forged change to a task the user may see but not change: kept in the audit trail (issue 8).

    Only a POST is an attempt; opening the page is not.
    """
    if request.method == "POST" and current_user.is_authenticated:
        refused(PermissionDenied(message, action=action, task=task))


FAILED = object()


def _refuse_page(error: ServiceError):
    """The 403 or 404 page, with the service's reason (a 404 never says more than that nothing is there)."""
    page = NotFoundPage() if error.status == 404 else Forbidden()
    if error.status == 403:
        page.refusal = error.message
    raise page


def perform(form, verb, *args, rename: dict | None = None, **kwargs):
    """One unit of work for a page: run the service verb and commit, or roll back and say why (then FAILED).

    An input mistake or a refused state is shown on `form` (or flashed when there is none); a refusal of the
    role (403) or of an object the user may not see (404) is an error page: the pages never offer those
    actions, so only a forged request gets there. Work queued for after the commit (jobs, a Redis count)
    goes out once the commit has succeeded (tracker.services.infra.after_commit).
    """
    try:
        result = verb(*args, **kwargs)
        db.session.commit()
        return result
    except (NotFound, PermissionDenied) as exc:
        refused(exc)
        _refuse_page(exc)
    except ServiceError as exc:
        return _on_form(form, exc, rename)
    except RACES as exc:  # lost to a colleague's write at the same moment: a stale version, not a fault
        conflict = lost_race(exc)
        if conflict is None:
            raise
        return _on_form(form, conflict, rename)


def _on_form(form, error: ServiceError, rename: dict | None):
    refused(error)
    if form is None:
        flash(error.message, "error")
    else:
        errors_onto_form(form, error, rename)
        form.refusal = error  # for pages that show more than the form's own fields
    return FAILED


def failed_status(*forms) -> int:
    """The status of a page showing a refused form again: 409 for a stale version or state, else 200."""
    return 409 if any(getattr(getattr(f, "refusal", None), "status", None) == 409 for f in forms) else 200


def load_or_404(loader, *args):
    """Call an access-checked loader (access.load_task…), turning NotFound into a 404 page."""
    try:
        return loader(*args)
    except NotFound:
        abort(404)


@dataclass
class Pager:
    """One page of a list and the numbers a pagination bar needs."""

    items: list
    total: int
    page: int
    per_page: int
    more: bool = False  # counting stopped at `total` (LIST_COUNT_CAP): there are more

    @property
    def pages(self) -> int:
        return max(1, ceil(self.total / self.per_page), self.page + self.more)

    @property
    def total_label(self) -> str:
        """The total as the page says it: 128, or 10000余 past the count's cap."""
        return f"{self.total}余" if self.more else str(self.total)

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        # Past the cap the number of pages is unknown: a full page may have a next one.
        return len(self.items) == self.per_page if self.more else self.page < self.pages

    def url(self, page: int) -> str:
        """This address with another page number, the rest of the query string kept as sent.

        Not url_for: it takes a query parameter named `endpoint` or `_method` as its own argument (a 500).
        """
        args = [(k, v) for k, v in request.args.items(multi=True) if k != "page"] + [("page", str(page))]
        return f"{request.script_root}{request.path}?{urlencode(args)}"


def page_args(default_per_page: int = 20) -> tuple[int, int]:
    """page and per_page from the query string, forgiving bad values (pages are for people)."""
    def number(name, default, high):
        raw = request.args.get(name, "")
        return min(max(int(raw), 1), high) if raw.isdecimal() and len(raw) < 7 else default
    return number("page", 1, 10**6), number("per_page", default_per_page, 100)


def pager(rows: list, total: int, page: int, per_page: int, capped: bool = False) -> Pager:
    """A Pager; for a `capped` count (lists.task_list counts one past LIST_COUNT_CAP) more is shown as "10000余"."""
    cap = current_app.config["LIST_COUNT_CAP"]
    if capped and total > cap:
        return Pager(rows, cap, page, per_page, more=True)
    return Pager(rows, total, page, per_page)
