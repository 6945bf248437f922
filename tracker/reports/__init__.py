"""The annual report pages: the draft, its edits, the baseline, the catalogue and the template."""
from tracker.reports import admin_views, submission_views, views  # noqa: F401  (each registers on bp)
from tracker.reports.blueprint import bp  # noqa: F401
