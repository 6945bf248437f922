"""The JSON API under /api/v1: bearer tokens, JSON errors, generated OpenAPI."""
from tracker.api import (  # noqa: F401  (each registers routes)
    assignments,
    auth,
    notices,
    plans,
    rankings,
    receipts,
    reports,
    submissions,
    supervision,
    tasks,
)
from tracker.api.blueprint import bp, error_response  # noqa: F401
