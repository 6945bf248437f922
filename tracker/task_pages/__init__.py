"""Task pages: the task list, a task's page and what one does there."""
from tracker.task_pages import actions, corrections, history, targets, views  # noqa: F401  (each registers on bp)
from tracker.task_pages.blueprint import bp  # noqa: F401
