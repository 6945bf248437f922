""""Today" and "now" in the installation's time zone."""
from datetime import date, datetime, time, timezone
from zoneinfo import ZoneInfo

from flask import current_app


def local_zone() -> ZoneInfo:
    """The configured zone, Asia/Shanghai by default."""
    return ZoneInfo(current_app.config["TIMEZONE"])


def today() -> date:
    """Today's date where the users are, not on the server's clock."""
    override = current_app.config.get("FIXED_TODAY")  # tests and catch-up runs
    if override:
        return override
    return datetime.now(timezone.utc).astimezone(local_zone()).date()


def to_local(moment: datetime | None) -> datetime | None:
    """A stored UTC timestamp in the users' zone."""
    return moment.astimezone(local_zone()) if moment else None


def local_midnight(day: date) -> datetime:
    """The start of a local day as a UTC instant (timestamps are stored in UTC)."""
    return datetime.combine(day, time(0), tzinfo=local_zone()).astimezone(timezone.utc)
