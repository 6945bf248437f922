"""The plans pages: the year's plan, new plans and tasks, bulk assign, and the carry-over into next year."""
from tracker.plans import carry, views  # noqa: F401  (each registers on bp)
from tracker.plans.views import bp  # noqa: F401
