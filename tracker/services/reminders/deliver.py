"""Building and sending messages: every delivery composed up front as plain values, then sent one by one."""
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from tracker.extensions import db
from tracker.models import Delivery, Notification, OrgChannels, PlanTask
from tracker.models.notice import KIND_LABELS
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


def _compose(d: Delivery, hooks: dict) -> Outgoing:
    items = ordered_items(list(d.items))
    person = d.recipient
    org = hooks.get(d.org_id)
    webhook = {"wecom": org.wecom_webhook, "dingtalk": org.dingtalk_webhook}.get(d.channel, "") if org else ""
    secret = org.dingtalk_secret if org and d.channel == "dingtalk" else ""
    if d.channel == "email":
        if d.kind == "digest":
            title = compose.digest_title(person.name, d.key_date, len(items))
        else:
            title = compose.immediate_title(items[0]) if items else KIND_LABELS.get(d.kind, d.kind)
        body = "\n".join(compose.email_line(n) for n in items)
        body = f"{person.name}:\n\n{body}\n\n(法治建设任务督办系统自动发送,请勿直接回复)"
    else:
        # Group chats see titles, due dates, names and links only: never notes, narratives or figures.
        label = "督办提醒汇总" if d.kind == "digest" else KIND_LABELS.get(d.kind, d.kind)
        title = f"{person.name} · {label}({d.key_date.isoformat()})"
        body = "\n".join(compose.robot_line(n) for n in items)
    return Outgoing(d.id, d.channel, d.attempts, person.name, person.email or "", webhook, secret, title, body)


def load_outgoing(ids: list[int]) -> list[Outgoing]:
    rows = db.session.scalars(select(Delivery).where(Delivery.id.in_(ids)).options(
        joinedload(Delivery.recipient),
        selectinload(Delivery.items).joinedload(Notification.task).joinedload(PlanTask.owner),
        selectinload(Delivery.items).joinedload(Notification.actor),
    ).order_by(Delivery.id)).unique().all()
    org_ids = {d.org_id for d in rows if d.channel != "email"}
    hooks = {o.org_id: o for o in db.session.scalars(select(OrgChannels).where(OrgChannels.org_id.in_(org_ids)))} \
        if org_ids else {}
    return [_compose(d, hooks) for d in rows]


def send_one(out: Outgoing, mailer: Mailer) -> None:
    if out.channel == "email":
        if not out.to_addr:
            raise ValueError("收件人没有邮箱地址")
        mailer.send(out.to_name, out.to_addr, out.title, out.body)
    else:
        if not out.webhook:
            raise robots.RobotError("本单位未配置该机器人")
        robots.post(out.channel, out.webhook, out.secret, out.title, out.body)
