"""Task pages: the task list, a task's page and what one does there."""
# each registers its routes on bp
from tracker.task_pages import actions, corrections, history, receipts, targets, views  # noqa: F401
from tracker.task_pages.blueprint import bp  # noqa: F401
