"""督办单 pages: issue from a task, the list, the detail with the answer form and the Word notice."""
from tracker.supervision import views  # noqa: F401  (registers on bp)
from tracker.supervision.blueprint import bp  # noqa: F401
