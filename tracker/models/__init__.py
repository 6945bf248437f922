"""All models, importable from one place."""
from tracker.models.audit import AuditEntry
from tracker.models.org import Organisation
from tracker.models.plan import Plan, PlanTheme
from tracker.models.progress import Evidence, ProgressUpdate, UpdateMetric
from tracker.models.task import CLOSED_STATUSES, STATUS_LABELS, STATUSES, PlanTask, TaskRequest, task_co_owner
from tracker.models.user import ROLE_LABELS, ROLES, ApiToken, User

__all__ = [
    "AuditEntry", "Organisation", "Plan", "PlanTheme", "Evidence", "ProgressUpdate", "UpdateMetric",
    "CLOSED_STATUSES", "STATUS_LABELS", "STATUSES", "PlanTask", "TaskRequest", "task_co_owner",
    "ROLE_LABELS", "ROLES", "ApiToken", "User",
]
