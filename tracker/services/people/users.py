"""Users: accounts, roles, passwords, deactivation with handover, API tokens."""
import hashlib
import re
import secrets
from datetime import datetime, timedelta
from functools import cache

from flask import current_app
from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import joinedload

from tracker.extensions import db
from tracker.models import ROLES, ApiToken, Organisation, PlanTask, User, task_co_owner, task_is_open
from tracker.models.types import utcnow
from tracker.services import audit, events
from tracker.services.errors import NotAuthenticated, NotFound, ValidationFailed, check_fields
from tracker.services.people.contact import clean_contact
from tracker.services.people.passwords import (
    current_password_mistake,
    hash_password,
    live_feeds,
    verify_password,
    weakness,
)
from tracker.services.validation import clean_text

USERNAME_RE = re.compile(r"^[A-Za-z0-9_.-]{2,64}$")
PROFILE_MAX = 100  # the columns' width (migration 0570)


def get_user(username: str) -> User:
    """The user with this username, or NotFound."""
    user = db.session.scalar(select(User).where(User.username == username)) if isinstance(username, str) else None
    if user is None:
        raise NotFound(f"找不到用户“{username}”")
    return user


def create_user(*, username, org: Organisation, role, name, password, email=None, phone=None,
                unit=None, post=None, actor: User | None = None) -> User:
    """Add an account after checking every field."""
    errors: dict = {}
    if not isinstance(username, str) or not USERNAME_RE.match(username):
        errors["username"] = "用户名须为2–64位字母、数字、下划线、点或连字符"
    if role not in ROLES:
        errors["role"] = "角色须为 committee、leader、cadre 或 viewer"
    name = clean_text(errors, "name", "姓名", name, max_len=100, required=True)
    unit, post = clean_profile(errors, unit, post)
    email, phone = clean_contact(errors, email, phone)
    reason = weakness(password, username if isinstance(username, str) else "")
    if reason:
        errors["password"] = reason
    check_fields(errors, next(iter(errors.values()), ""))
    if db.session.scalar(select(User.id).where(User.username == username)) is not None:
        raise ValidationFailed(f"用户名“{username}”已存在", {"username": "用户名已存在"})
    user = User(username=username, org=org, role=role, name=name, email=email, phone=phone, unit=unit, post=post,
                password_hash=hash_password(password))
    db.session.add(user)
    db.session.flush()
    audit.record(actor, "user.create", obj=user, org_id=org.id,
                 changes={"username": (None, username), "role": (None, role), "name": (None, name)})
    return user


def clean_profile(errors: dict, unit, post) -> tuple[str | None, str | None]:
    """所在单位 and 职务: optional, at most 100 characters each; empty becomes None."""
    unit = clean_text(errors, "unit", "所在单位", unit, max_len=PROFILE_MAX) if unit is not None else None
    post = clean_text(errors, "post", "职务", post, max_len=PROFILE_MAX) if post is not None else None
    return unit or None, post or None


def authenticate(username, password) -> User:
    """The active user with these credentials, or NotAuthenticated with a Chinese reason."""
    user = db.session.scalar(select(User).where(User.username == username)) if isinstance(username, str) else None
    if not verify_password(user.password_hash if user else None, password if isinstance(password, str) else ""):
        raise NotAuthenticated("用户名或密码错误")
    if not user.is_active_account:
        raise NotAuthenticated("该账号已停用,请联系党政办")
    return user


def set_password(user: User, password, *, actor: User | None = None) -> int:
    """Change the password and end the user's sessions and tokens; a reset by someone else (the committee, the
    command line) also gives their calendar feeds new addresses. Returns how many feeds moved."""
    reason = weakness(password, user.username)
    if reason:
        raise ValidationFailed(reason, {"password": reason})
    user.password_hash = hash_password(password)
    user.session_epoch += 1
    revoke_all_tokens(user)
    own = actor is not None and actor.id == user.id
    moved = live_feeds(user)
    events.password_changed.send(user, actor=actor)  # calendar feeds get new addresses (exporting/calendar)
    if moved and not own:
        user.feeds_rotated_at = utcnow()  # a reset: told at their next login (auth.views)
    changes = {"password": "已修改" if own else "已重置"}
    if moved:
        changes["calendar_feeds"] = f"{moved}个订阅地址已更换"
    audit.record(actor, "user.set_password", obj=user, org_id=user.org_id, changes=changes)
    return moved


def change_own_password(user: User, current, new, confirm) -> None:
    """The user changes their own password: the current one first, the new one twice."""
    errors = {}
    mistake = current_password_mistake(user, current)
    if mistake:
        errors["current"] = mistake
    if new != confirm:
        errors["confirm"] = "两次输入的新密码不一致"
    elif isinstance(new, str) and isinstance(current, str) and new == current and not mistake:
        errors["new"] = "新密码不能与当前密码相同"
    check_fields(errors, next(iter(errors.values()), ""))
    try:
        set_password(user, new, actor=user)
    except ValidationFailed as exc:
        raise ValidationFailed(exc.message, {"new": exc.message}) from None


def end_sessions(user: User) -> None:
    """End every web session of the user, on every device and every copy of its cookies (记住我 too)."""
    user.session_epoch += 1
    db.session.flush()


def deactivate_user(user: User, *, handover: User | None = None, actor: User | None = None) -> int:
    """Stop the account and hand its open tasks to `handover` in one step; returns how many moved."""
    if not user.is_active_account:
        raise ValidationFailed(f"用户“{user.username}”已停用")
    moved = 0
    if handover is not None:
        if handover.id == user.id:
            raise ValidationFailed("不能移交给本人", {"handover": "不能移交给本人"})
        if not handover.is_active_account or handover.org_id != user.org_id:
            raise ValidationFailed("接手人必须是同一单位的在岗用户", {"handover": "接手人必须是同一单位的在岗用户"})
        moved = _hand_over_tasks(user, handover, actor)
    user.is_active_account = False
    user.deactivated_at = utcnow()
    user.session_epoch += 1
    revoke_all_tokens(user)
    audit.record(actor, "user.deactivate", obj=user, org_id=user.org_id,
                 changes={"is_active": (True, False), "handover": handover.username if handover else None,
                          "tasks_moved": moved})
    return moved


def _hand_over_tasks(user: User, handover: User, actor: User | None) -> int:
    """Move ownership, co-ownership and leads of open tasks; one audit entry per task."""
    open_tasks = db.session.scalars(select(PlanTask).where(
        task_is_open(),
        (PlanTask.owner_id == user.id) | (PlanTask.lead_id == user.id)
        | PlanTask.id.in_(select(task_co_owner.c.task_id).where(task_co_owner.c.user_id == user.id)),
    ).order_by(PlanTask.id)).all()
    for task in open_tasks:
        changes = {}
        before_co = [u.username for u in task.co_owners]
        if task.owner_id == user.id:
            changes["owner"] = (user, handover)
            task.owner = handover
            if handover in task.co_owners:  # the new owner need not also help
                task.co_owners.remove(handover)
        if task.lead_id == user.id:
            if handover.role not in ("leader", "committee"):
                raise ValidationFailed(
                    f"“{user.name}”是任务“{task.title}”的牵头领导,接手人须为分管领导或党政办人员",
                    {"handover": "接手人不能担任牵头领导"})
            changes["lead"] = (user, handover)
            task.lead = handover
        if user in task.co_owners:
            task.co_owners.remove(user)
            if handover not in task.co_owners and handover.id != task.owner_id:
                task.co_owners.append(handover)
        after_co = [u.username for u in task.co_owners]
        if after_co != before_co:
            changes["co_owners"] = (before_co, after_co)
            task.updated_at = utcnow()  # a helpers-only change must still bump the version, as update_task does
        audit.record(actor, "task.handover", task=task, changes=changes)
    db.session.flush()
    return len(open_tasks)


def _hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(user: User) -> tuple[str, datetime]:
    """A new bearer token; only its hash is stored."""
    token = secrets.token_urlsafe(32)
    expires_at = utcnow() + timedelta(hours=current_app.config["API_TOKEN_HOURS"])
    db.session.add(ApiToken(user=user, token_hash=_hash_token(token), expires_at=expires_at))
    db.session.flush()
    return token, expires_at


def token_query(*columns):
    """The statement user_for_token runs, reading `columns` too; build it once (a statement built per request
    costs SQLAlchemy more to key for its cache than the database to run)."""
    # The user and the organisation come along: every API call checks which organisations the user sees.
    return (select(ApiToken, *columns).where(ApiToken.token_hash == bindparam("token_hash"))
            .options(joinedload(ApiToken.user).joinedload(User.org)))


_plain_token_query = cache(token_query)


def user_for_token(token: str, query=None) -> tuple[User, ApiToken, tuple]:
    """The active user behind a live token, the token, and the values of the other columns of `query` (made by
    token_query()); or NotAuthenticated."""
    query = _plain_token_query() if query is None else query
    found = db.session.execute(query, {"token_hash": _hash_token(token)}).first()
    row = found[0] if found else None
    if row is None or row.revoked_at is not None or row.expires_at <= utcnow():
        raise NotAuthenticated("登录已失效,请重新登录")
    if not row.user.is_active_account:
        raise NotAuthenticated("该账号已停用,请联系党政办")
    return row.user, row, tuple(found[1:])


def revoke_token(row: ApiToken) -> None:
    row.revoked_at = utcnow()
    db.session.flush()


def revoke_all_tokens(user: User) -> None:
    db.session.execute(update(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
                       .values(revoked_at=utcnow()))


def prune_expired_tokens(now: datetime | None = None) -> int:
    """Delete tokens that expired or were revoked over a day ago; returns how many."""
    from sqlalchemy import delete
    cutoff = (now or utcnow()) - timedelta(days=1)
    result = db.session.execute(delete(ApiToken).where(
        (ApiToken.expires_at < cutoff) | (ApiToken.revoked_at < cutoff)))
    return result.rowcount or 0
