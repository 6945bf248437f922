"""The JSON API under /api/v1: bearer tokens, JSON errors, generated OpenAPI."""
# Each module registers its routes on bp.
from tracker.api import auth, notices, plans, reports, submissions, tasks  # noqa: F401
from tracker.api.blueprint import bp, error_response  # noqa: F401
