"""Calendar feeds (.ics, RFC 5545): a secret address per user for their own due dates, and the committee's for all."""
import re
import secrets
from datetime import date, datetime, timedelta, timezone

from sqlalchemy import or_, select
from sqlalchemy.orm import joinedload

from tracker.extensions import db
from tracker.models import CalendarFeed, PlanTask, User, task_co_owner, task_is_open
from tracker.models.types import utcnow
from tracker.services import events
from tracker.services.errors import NotFound, PermissionDenied
from tracker.services.infra.safe_text import one_line  # RFC 5545 refuses controls in TEXT (§3.3.11)
from tracker.services.people.orgs import visible_org_ids
from tracker.services.tasks.deadlines import is_past_due
from tracker.services.validation import YEAR_MAX, YEAR_MIN

KINDS = ("personal", "org")
ORG_FEED_ROLES = ("committee", "viewer")
MAX_EVENTS = 5000
# What secrets.token_urlsafe writes: anything else (NUL bytes, which PostgreSQL refuses) is never looked up.
TOKEN_RE = re.compile(r"[A-Za-z0-9_-]{20,64}")


# Module size and quiet zone of the feed address's QR code: big enough for a phone camera off a screen or a printout.
QR_SCALE, QR_BORDER = 4, 4


def webcal_url(url: str) -> str:
    """The feed address with its scheme replaced by webcal://, which phones open in their calendar app on a tap."""
    return "webcal://" + url.split("://", 1)[-1]


def qr_svg(url: str) -> str:
    """The address as a QR code in inline SVG, drawn on the server so the page needs no script or outside service."""
    import segno  # imported where a code is drawn (tests/test_startup.py)
    return segno.make_qr(url, error="m").svg_inline(scale=QR_SCALE, border=QR_BORDER, title="订阅地址二维码")


def feed_of(user: User, kind: str) -> CalendarFeed | None:
    """The user's live feed of that kind, if one was made."""
    return db.session.scalar(select(CalendarFeed).where(
        CalendarFeed.user_id == user.id, CalendarFeed.kind == kind, CalendarFeed.revoked_at.is_(None)))


def renew_feed(user: User, kind: str, *, because: str | None = None) -> CalendarFeed:
    """A new secret address; the old one (if any) stops working at once."""
    if kind not in KINDS:
        raise NotFound("订阅类型不存在")
    if kind == "org" and user.role not in ORG_FEED_ROLES:
        raise PermissionDenied("只有党政办和督查人员可以订阅全部任务的日历")
    revoke_feed(user, kind)
    feed = CalendarFeed(user_id=user.id, kind=kind, token=secrets.token_urlsafe(32), renewed_because=because)
    db.session.add(feed)
    db.session.flush()
    return feed


@events.password_changed.connect
def _rotate_after_password_change(user: User, actor=None, **_) -> None:
    """Whoever knew the old password may have copied the feed addresses: each live one is replaced (issue 18.12),
    and the calendar page tells the user to subscribe again."""
    for kind in KINDS:
        if feed_of(user, kind) is not None:
            if kind == "org" and user.role not in ORG_FEED_ROLES:
                revoke_feed(user, kind)
            else:
                renew_feed(user, kind, because="password")


def revoke_feed(user: User, kind: str) -> bool:
    feed = feed_of(user, kind)
    if feed is None:
        return False
    feed.revoked_at = utcnow()
    db.session.flush()
    return True


def feed_by_token(token: str) -> CalendarFeed:
    """The live feed with this secret, for an active user; NotFound otherwise (never saying which)."""
    feed = None
    if isinstance(token, str) and TOKEN_RE.fullmatch(token):
        feed = db.session.scalar(select(CalendarFeed).where(CalendarFeed.token == token)
                                 .options(joinedload(CalendarFeed.user)))
    if feed is None or feed.revoked_at is not None or not feed.user.is_active_account:
        raise NotFound("日历订阅地址无效或已停用")
    if feed.kind == "org" and feed.user.role not in ORG_FEED_ROLES:
        raise NotFound("日历订阅地址无效或已停用")
    return feed


def feed_tasks(feed: CalendarFeed) -> list[PlanTask]:
    """Open tasks with a due date: the user's own (owner, co-owner, lead), or all they may read."""
    user = feed.user
    # Only dates the product accepts: a far one stored before that rule (9999-12-31) has no day after it to end on.
    query = select(PlanTask).where(PlanTask.due_date.between(date(YEAR_MIN, 1, 1), date(YEAR_MAX, 12, 31)),
                                   task_is_open())
    if feed.kind == "personal":
        query = query.where(or_(PlanTask.owner_id == user.id, PlanTask.lead_id == user.id, PlanTask.id.in_(
            select(task_co_owner.c.task_id).where(task_co_owner.c.user_id == user.id))))
    else:
        query = query.where(PlanTask.org_id.in_(visible_org_ids(user)))
    query = query.options(joinedload(PlanTask.owner), joinedload(PlanTask.theme), joinedload(PlanTask.org))
    return db.session.scalars(query.order_by(PlanTask.due_date, PlanTask.id).limit(MAX_EVENTS)).all()


def render_ics(feed: CalendarFeed, host: str, today: date) -> bytes:
    """The calendar (RFC 5545, written by icalendar): an all-day event per due date, reminded the afternoon before."""
    from icalendar import Alarm, Calendar, Event  # imported where a feed is written, not at start-up
    user = feed.user
    calendar = Calendar()
    for name, value in (("prodid", "-//rule-of-law-tracker//zh-CN"), ("version", "2.0"), ("calscale", "GREGORIAN"),
                        ("method", "PUBLISH"), ("x-wr-timezone", "Asia/Shanghai"), ("x-published-ttl", "PT6H"),
                        ("x-wr-calname", one_line(f"{user.name}的任务到期" if feed.kind == "personal"
                                               else f"{user.org.name}全部任务到期"))):
        calendar.add(name, value)
    calendar.add("refresh-interval", timedelta(hours=6), parameters={"VALUE": "DURATION"})
    stamp = datetime.now(timezone.utc).replace(microsecond=0)
    for task in feed_tasks(feed):
        overdue = is_past_due(task.due_date, today)
        summary = one_line(f"{'【已逾期】' if overdue else '【到期】'}{task.title}")
        details = [f"单位:{task.org.name}", f"主题:{task.theme.key} {task.theme.title}",
                   f"责任人:{task.owner.name if task.owner else '未交办'}", f"责任单位:{task.unit or '—'}",
                   f"状态:{task.status_label},进度{task.progress}%"]
        event = Event()
        for name, value in (("uid", f"task-{task.id}@{host}"), ("dtstamp", stamp), ("dtstart", task.due_date),
                            ("dtend", task.due_date + timedelta(days=1)), ("summary", summary),
                            ("description", "\n".join(one_line(d) for d in details)), ("transp", "TRANSPARENT")):
            event.add(name, value)
        alarm = Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("description", summary)
        alarm.add("trigger", timedelta(hours=-15))
        event.add_component(alarm)
        calendar.add_component(event)
    return calendar.to_ical()
