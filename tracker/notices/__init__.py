"""The notification centre and the committee's reminder pages."""
from tracker.notices import admin, views  # noqa: F401  (each registers on bp)
from tracker.notices.blueprint import bp  # noqa: F401
