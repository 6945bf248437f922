"""The 通报 page: rankings by 按期办结率, 红榜 and 黑榜, and the monthly or quarterly 通报 as a Word file."""
from tracker.bulletins import views  # noqa: F401  (registers the routes on bp)
from tracker.bulletins.blueprint import bp  # noqa: F401
