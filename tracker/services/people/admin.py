"""The committee's user management (用户管理): list, create, change role, deactivate with handover, reset password."""
from dataclasses import dataclass

from sqlalchemy import func, or_, select

from tracker.extensions import db
from tracker.models import ROLES, PlanTask, User, task_is_open
from tracker.services import audit
from tracker.services.errors import NotFound, ValidationFailed, check_fields
from tracker.services.people import contact, throttle, users
from tracker.services.people.access import require_committee
from tracker.services.tasks.lists import led_open_count
from tracker.services.validation import is_id

USER_SORTS = {"name": "按姓名", "username": "按用户名", "role": "按角色", "-created": "最近创建在前"}


@dataclass
class UserFilters:
    q: str | None = None
    role: str | None = None
    active: str | None = None  # "yes" | "no" | None for all
    sort: str = "name"


def load_managed_user(actor: User, user_id) -> User:
    """A user of the actor's own organisation (the only ones the committee manages); else NotFound."""
    user = db.session.get(User, user_id) if is_id(user_id) else None
    if user is None or user.org_id != actor.org_id:
        raise NotFound("用户不存在")
    return user


def user_page(actor: User, f: UserFilters, page: int, per_page: int) -> tuple[list[User], int]:
    """One page of the organisation's users, filtered and sorted."""
    require_committee(actor, actor.org_id, "user.list")
    query = select(User).where(User.org_id == actor.org_id)
    if f.q:
        pattern = f"%{f.q.replace('%', '').replace('_', '')}%"
        query = query.where(or_(User.username.ilike(pattern), User.name.ilike(pattern)))
    if f.role:
        query = query.where(User.role == f.role)
    if f.active in ("yes", "no"):
        query = query.where(User.is_active_account.is_(f.active == "yes"))
    total = db.session.scalar(select(func.count()).select_from(query.subquery()))
    order = {"username": (User.username,), "role": (User.role, User.name),
             "-created": (User.created_at.desc(), User.id.desc())}.get(f.sort, (User.name, User.username))
    rows = db.session.scalars(query.order_by(*order, User.id).limit(per_page).offset((page - 1) * per_page)).all()
    return rows, total


def create_member(actor: User, **fields) -> User:
    """A new account in the actor's organisation."""
    require_committee(actor, actor.org_id, "user.create")
    return users.create_user(org=actor.org, actor=actor, **fields)


def change_role(actor: User, user: User, role) -> None:
    """Give a member another role; a lead of open tasks keeps a role that may lead them."""
    require_committee(actor, user.org_id, "user.role")
    if role not in ROLES:
        raise ValidationFailed("请选择角色", {"role": "请选择角色"})
    if role == user.role:
        return
    if user.id == actor.id:
        raise ValidationFailed("不能修改自己的角色", {"role": "不能修改自己的角色,请让其他党政办人员操作"})
    led = led_open_count(user)
    if led and role not in ("leader", "committee"):
        raise ValidationFailed(f"该用户牵头{led}项未办结任务,请先把牵头领导改为他人",
                               {"role": f"该用户牵头{led}项未办结任务,不能改为此角色"})
    before, user.role = user.role, role
    db.session.flush()
    audit.record(actor, "user.role", obj=user, org_id=user.org_id, changes={"role": (before, role)})


def set_profile(actor: User, user: User, unit, post) -> None:
    """Record a member's 所在单位 and 职务 (shown beside their name in the 留痕 trail)."""
    require_committee(actor, user.org_id, "user.profile")
    errors: dict = {}
    unit, post = users.clean_profile(errors, unit or "", post or "")
    check_fields(errors, next(iter(errors.values()), ""))
    before = (user.unit, user.post)
    if before == (unit, post):
        return
    user.unit, user.post = unit, post
    db.session.flush()
    audit.record(actor, "user.profile", obj=user, org_id=user.org_id,
                 changes={"unit": (before[0], unit), "post": (before[1], post)})


def deactivate_member(actor: User, user: User, handover_username) -> int:
    """Stop a member's login and hand their open tasks to a colleague; returns how many moved."""
    require_committee(actor, user.org_id, "user.deactivate")
    if user.id == actor.id:
        raise ValidationFailed("不能停用自己的账号", {"handover": "不能停用自己的账号"})
    handover = None
    if handover_username:
        handover = db.session.scalar(select(User).where(User.username == handover_username))
        if handover is None or handover.org_id != user.org_id:
            raise ValidationFailed("接手人必须是同一单位的在岗用户", {"handover": "接手人必须是同一单位的在岗用户"})
    elif _open_work(user):
        raise ValidationFailed("该用户还有未办结的任务,请选择接手人", {"handover": "该用户还有未办结的任务,请选择接手人"})
    return users.deactivate_user(user, handover=handover, actor=actor)


def _open_work(user: User) -> bool:
    from tracker.models import task_co_owner
    return db.session.scalar(select(func.count()).select_from(PlanTask).where(
        task_is_open(),
        (PlanTask.owner_id == user.id) | (PlanTask.lead_id == user.id)
        | PlanTask.id.in_(select(task_co_owner.c.task_id).where(task_co_owner.c.user_id == user.id)))) > 0


def reset_password(actor: User, user: User, password) -> int:
    """Set a new password for a member; their sessions and tokens end and their calendar feeds get new
    addresses (how many is returned)."""
    require_committee(actor, user.org_id, "user.set_password")
    return users.set_password(user, password, actor=actor)


def edit_member_contact(actor: User, user: User, email, phone, seen=None) -> bool:
    """The committee corrects a member's e-mail or phone (so their reminders reach them)."""
    require_committee(actor, user.org_id, "user.contact")
    return contact.update_contact(user, email, phone, actor=actor, seen=seen)


def end_member_sessions(actor: User, user: User) -> None:
    """End every session and API token of a member (a lost phone, a shared computer)."""
    require_committee(actor, user.org_id, "user.end_sessions")
    users.end_sessions(user)
    users.revoke_all_tokens(user)
    audit.record(actor, "user.end_sessions", obj=user, org_id=user.org_id, changes={"sessions": "已全部结束"})


def unlock_member(actor: User, user: User) -> None:
    """Lift the login delay that failed tries put on a member's account."""
    require_committee(actor, user.org_id, "user.unlock")
    throttle.forget_account(user.username)
    audit.record(actor, "user.unlock", obj=user, org_id=user.org_id, changes={"login_delay": "已解除"})


def colleagues(actor: User) -> list[tuple[str, str, str]]:
    """Active users of the actor's organisation as (username, name, role), for choosing people."""
    return [tuple(r) for r in db.session.execute(select(User.username, User.name, User.role).where(
        User.org_id == actor.org_id, User.is_active_account.is_(True)).order_by(User.name, User.username))]
