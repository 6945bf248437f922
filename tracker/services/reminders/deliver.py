"""Building and sending messages: every delivery composed up front as plain values, then sent in turn."""
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import aliased

from tracker.extensions import db
from tracker.models import Delivery, Directive, Notification, OrgChannels, PlanTask, User, delivery_item
from tracker.models.reminders import KIND_LABELS
from tracker.services.reminders import compose, robots
from tracker.services.reminders.digest import ordered_items
from tracker.services.reminders.email import Mailer


@dataclass
class Outgoing:
    """One message ready to go: plain values, so nothing is reloaded between sends."""

    id: int
    channel: str
    attempts: int
    to_name: str
    to_addr: str
    webhook: str
    secret: str
    title: str
    body: str


@dataclass
class _Person:
    name: str


@dataclass
class _Task:
    title: str
    org_id: int
    owner: _Person | None
    owner_id: int | None = None  # the 待签收 sentence differs for the owner and the lead (compose.message)


@dataclass
class _Item:
    """A notice as the compose functions read it (kind, dates, note, task, actor), from one plain row."""

    id: int
    kind: str
    task_id: int | None  # None: issued work not yet in a plan (上级交办), named by its directive
    due_date: date | None
    for_date: date
    note: str
    task: _Task | None  # for issued work not yet in a plan, its title and township; None for a returned report
    actor: _Person | None
    directive_id: int | None = None
    recipient_id: int | None = None


def _compose(d, items: list[_Item], hooks: dict) -> Outgoing:
    items = ordered_items(items)
    org = hooks.get(d.org_id)
    webhook = {"wecom": org.wecom_webhook, "dingtalk": org.dingtalk_webhook}.get(d.channel, "") if org else ""
    secret = org.dingtalk_secret if org and d.channel == "dingtalk" else ""
    if d.channel == "email":
        if d.kind == "digest":
            title = compose.digest_title(d.name, d.key_date, len(items))
        else:
            title = compose.immediate_title(items[0]) if items else KIND_LABELS.get(d.kind, d.kind)
        body = "\n".join(compose.email_line(n) for n in items)
        body = f"{d.name}:\n\n{body}\n\n(法治建设任务督办系统自动发送,请勿直接回复)"
    else:
        # Group chats see titles, due dates, names and links only: never notes, narratives or figures.
        label = "督办提醒汇总" if d.kind == "digest" else KIND_LABELS.get(d.kind, d.kind)
        title = f"{d.name} · {label}({d.key_date.isoformat()})"
        body = "\n".join(compose.robot_line(n) for n in items)
    return Outgoing(d.id, d.channel, d.attempts, d.name, d.email or "", webhook, secret, title, body)


def load_outgoing(ids: list[int]) -> list[Outgoing]:
    """Compose the deliveries in three plain-row statements (the ORM's object graph cost ~0.7 ms a message)."""
    rows = db.session.execute(
        select(Delivery.id, Delivery.channel, Delivery.kind, Delivery.key_date, Delivery.attempts, Delivery.org_id,
               User.name, User.email).join(User, User.id == Delivery.recipient_id)
        .where(Delivery.id.in_(ids)).order_by(Delivery.id)).all()
    if not rows:
        return []
    owner, actor = aliased(User), aliased(User)
    items: dict[int, list[_Item]] = {}
    for r in db.session.execute(
            select(delivery_item.c.delivery_id, Notification.id, Notification.kind, Notification.task_id,
                   Notification.due_date, Notification.for_date, Notification.note,
                   func.coalesce(PlanTask.title, Directive.title),
                   func.coalesce(PlanTask.org_id, Directive.target_org_id),
                   owner.name, actor.name, Notification.directive_id, Notification.recipient_id, PlanTask.owner_id)
            .join(Notification, Notification.id == delivery_item.c.notification_id)
            .outerjoin(PlanTask, PlanTask.id == Notification.task_id)
            .outerjoin(Directive, Directive.id == Notification.directive_id)
            .outerjoin(owner, owner.id == PlanTask.owner_id).outerjoin(actor, actor.id == Notification.actor_id)
            .where(delivery_item.c.delivery_id.in_(ids)).order_by(Notification.id)):
        task = _Task(r[7], r[8], _Person(r[9]) if r[9] is not None else None, r[13]) if r[7] is not None else None
        items.setdefault(r[0], []).append(
            _Item(r[1], r[2], r[3], r[4], r[5], r[6] or "", task, _Person(r[10]) if r[10] is not None else None,
                  r[11], r[12]))
    org_ids = {d.org_id for d in rows if d.channel != "email"}
    hooks = {o.org_id: o for o in db.session.scalars(select(OrgChannels).where(OrgChannels.org_id.in_(org_ids)))} \
        if org_ids else {}
    return [_compose(d, items.get(d.id, []), hooks) for d in rows]


def send_one(out: Outgoing, mailer: Mailer) -> bool:
    """Send one message; True when it went only after a try that may have arrived as well (a resend)."""
    if out.channel == "email":
        if not out.to_addr:
            raise ValueError("收件人没有邮箱地址")
        return mailer.send(out.to_name, out.to_addr, out.title, out.body)
    if not out.webhook:
        raise robots.RobotError("本单位未配置该机器人")
    robots.post(out.channel, out.webhook, out.secret, out.title, out.body)
    return False
