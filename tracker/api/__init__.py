"""The JSON API under /api/v1: bearer tokens, JSON errors, generated OpenAPI."""
from tracker.api import auth, notices, plans, receipts, reports, tasks  # noqa: F401  (each registers its routes on bp)
from tracker.api.blueprint import bp, error_response  # noqa: F401
