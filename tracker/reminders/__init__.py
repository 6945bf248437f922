"""The notification centre and the committee's reminder pages."""
from tracker.reminders import admin, views  # noqa: F401  (each registers on bp)
from tracker.reminders.blueprint import bp  # noqa: F401
