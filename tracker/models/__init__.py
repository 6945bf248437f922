"""All models, importable from one place."""
from tracker.models.audit import AuditEntry
from tracker.models.calendar import CalendarOverride, CalendarYear
from tracker.models.directive import DIRECTIVE_LABELS, DIRECTIVE_STATUSES, Directive, DirectiveStatus
from tracker.models.org import Organisation
from tracker.models.plan import CarryOver, Plan, PlanTheme
from tracker.models.progress import Evidence, ProgressUpdate, UpdateMetric
from tracker.models.reminders import (
                                     NOTICE_KINDS,
                                     Delivery,
                                     NoticeKind,
                                     Notification,
                                     OrgChannels,
                                     RecurringInstance,
                                     RecurringTask,
                                     ReminderRule,
                                     ReminderSweep,
                                     UserChannels,
                                     delivery_item,
)
from tracker.models.report import (
                                     FIGURE_KINDS,
                                     BaselineFigure,
                                     MetricDefinition,
                                     ReportDraft,
                                     ReportSection,
                                     ReportSectionVersion,
                                     ReportTemplate,
                                     TaskTarget,
)
from tracker.models.submission import SUBMISSION_STATUSES, ReportSubmission
from tracker.models.supervision import Supervision, SupervisionCounter
from tracker.models.task import (
                                     CLOSED_STATUSES,
                                     STATUS_LABELS,
                                     STATUSES,
                                     PlanTask,
                                     RequestKind,
                                     RequestStatus,
                                     TaskRequest,
                                     TaskStatus,
                                     task_co_owner,
                                     task_is_closed,
                                     task_is_open,
)
from tracker.models.transfer import CalendarFeed, ExportJob, ImportSession
from tracker.models.user import ROLE_LABELS, ROLES, ApiToken, Role, User

__all__ = [
    "FIGURE_KINDS",
    "AuditEntry", "Organisation", "CarryOver", "Plan", "PlanTheme", "Evidence", "ProgressUpdate", "UpdateMetric",
    "CLOSED_STATUSES", "STATUS_LABELS", "STATUSES", "PlanTask", "RequestKind", "RequestStatus", "TaskRequest",
    "TaskStatus", "task_co_owner", "task_is_closed", "task_is_open",
    "ROLE_LABELS", "ROLES", "ApiToken", "Role", "User",
    "BaselineFigure", "MetricDefinition", "ReportDraft", "ReportSection", "ReportSectionVersion",
    "ReportTemplate", "TaskTarget",
    "CalendarFeed", "ExportJob", "ImportSession",
    "SUBMISSION_STATUSES", "ReportSubmission",
    "NOTICE_KINDS", "Delivery", "NoticeKind", "Notification", "ReminderSweep", "delivery_item", "CalendarOverride",
    "CalendarYear", "OrgChannels", "RecurringInstance", "RecurringTask", "ReminderRule", "UserChannels",
    "Supervision", "SupervisionCounter",
    "DIRECTIVE_LABELS", "DIRECTIVE_STATUSES", "Directive", "DirectiveStatus",
]
