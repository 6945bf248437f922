"""The installation-wide working-day override table, kept by the committee of the top organisation."""
from datetime import date

from sqlalchemy import select

from tracker.extensions import db
from tracker.models import CalendarOverride, CalendarYear, User
from tracker.services import audit, events
from tracker.services.calendar import workdays
from tracker.services.errors import NotFound, PermissionDenied, ValidationFailed
from tracker.services.people.access import is_calendar_keeper
from tracker.services.validation import YEAR_MAX, YEAR_MESSAGE, YEAR_MIN, clean_date, clean_text, is_year


def require_calendar_keeper(user: User, action: str) -> None:
    """Only the committee of a top-level organisation (no parent) keeps the calendar."""
    if not is_calendar_keeper(user):
        raise PermissionDenied("只有最上级单位的党委/政府办公室可以维护工作日历", action=action)


def set_override(actor: User, day, is_workday, note) -> CalendarOverride:
    """Make a day a working day or a day off, whatever the package says."""
    require_calendar_keeper(actor, "calendar.override")
    errors: dict = {}
    day = clean_date(errors, "day", "日期", day, required=True)
    note = clean_text(errors, "note", "说明", note, max_len=100)
    if not isinstance(is_workday, bool):
        errors["is_workday"] = "须选择上班或放假"
    if day and not is_year(day.year):
        errors["day"] = f"日期须在{YEAR_MIN}年到{YEAR_MAX}年之间"
    if errors:
        raise ValidationFailed("提交的内容有误,请检查标出的字段。", errors)
    row = db.session.scalar(select(CalendarOverride).where(CalendarOverride.day == day))
    before = row.is_workday if row else None
    if row is None:
        row = CalendarOverride(day=day, is_workday=is_workday, note=note, created_by_id=actor.id)
        db.session.add(row)
    else:
        row.is_workday, row.note = is_workday, note
    db.session.flush()
    audit.record(actor, "calendar.override", obj=row, org_id=actor.org_id,
                 changes={"day": day, "is_workday": (before, is_workday), "note": note})
    workdays.invalidate()
    return row


def delete_override(actor: User, override_id) -> None:
    require_calendar_keeper(actor, "calendar.override_delete")
    row = db.session.get(CalendarOverride, override_id) if isinstance(override_id, int) else None
    if row is None:
        raise NotFound("该调整不存在")
    audit.record(actor, "calendar.override_delete", obj=row, org_id=actor.org_id,
                 changes={"day": row.day, "is_workday": (row.is_workday, None)})
    db.session.delete(row)
    db.session.flush()
    workdays.invalidate()


def confirm_year(actor: User, year) -> CalendarYear:
    """The State Council's schedule for the year is entered: the year is no longer provisional."""
    require_calendar_keeper(actor, "calendar.confirm")
    if not is_year(year):
        raise ValidationFailed("年份不正确", {"year": YEAR_MESSAGE})
    row = db.session.get(CalendarYear, year)
    if row is None:
        row = CalendarYear(year=year, confirmed_by_id=actor.id)
        db.session.add(row)
        db.session.flush()
        audit.record(actor, "calendar.confirm", obj=None, org_id=actor.org_id, changes={"year": year})
    workdays.invalidate()
    events.calendar_confirmed.send(year, actor=actor)  # recurring tasks work their due dates out again
    return row


def overrides(year: int | None = None) -> list[CalendarOverride]:
    query = select(CalendarOverride).order_by(CalendarOverride.day)
    if year is not None:
        query = query.where(CalendarOverride.day >= date(year, 1, 1), CalendarOverride.day <= date(year, 12, 31))
    return list(db.session.scalars(query))


def year_status(years: list[int]) -> list[dict]:
    """For each year: known to the package, confirmed by hand, provisional, and how many overrides."""
    counts: dict = {}
    for day in db.session.scalars(select(CalendarOverride.day)):
        counts[day.year] = counts.get(day.year, 0) + 1
    return [{"year": y, "known": workdays.is_known_year(y), "provisional": workdays.is_provisional(date(y, 1, 1)),
             "overrides": counts.get(y, 0)} for y in years]
