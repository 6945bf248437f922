"""The words of a reminder: in the app, by email, and for a group robot (titles, dates, names and links only)."""
from flask import current_app

from tracker.models import Notification
from tracker.models.reminders import KIND_LABELS
from tracker.services.tasks.deadlines import workdays_late
from tracker.services.tasks.thresholds import rules_for


def _due(n: Notification) -> str:
    return n.due_date.isoformat() if n.due_date else "未定"


def _late(n: Notification) -> int:
    return workdays_late(n.due_date, n.for_date)


def message(n: Notification) -> str:
    """The in-app sentence for a notice."""
    title = f"《{subject(n)}》"
    # Only the sentence of this kind is built: counting working days late costs a walk over the calendar, and a
    # digest of a few hundred items was spending most of its time on sentences it threw away (profiled).
    texts = {
        "due_soon": lambda: f"{title}即将到期,完成时限{_due(n)}。",
        "due_today": lambda: f"{title}今天到期(完成时限{_due(n)})。",
        "overdue": lambda: f"{title}已逾期{_late(n)}个工作日(完成时限{_due(n)})。",
        "escalation": lambda: f"督办:{title}已逾期{_late(n)}个工作日,责任人{_owner(n)}(完成时限{_due(n)})。",
        "stalled": lambda: f"{title}已超过{rules_for(n.task.org_id).stalled_days}天没有反馈进展,请及时更新。",
        "review_waiting": lambda: f"{title}有待审核的申请已超过规定时间,请尽快审核。",
        "unacknowledged": lambda: f"{title}已交办,请及时签收。" if n.recipient_id == n.task.owner_id
        else f"督办:{title}交办后责任人{_owner(n)}尚未签收。",
        "assigned": lambda: f"{_actor(n)}交办任务{title},完成时限{_due(n)}。",
        "decision": lambda: f"{_actor(n)}审核了{title}:{n.note}",
        "urge": lambda: f"{_actor(n)}催办{title}" + (f":{n.note}" if n.note else "。"),
        "due_recomputed": lambda: f"{title}的完成时限已按正式节假日安排调整为{_due(n)}。",
        "supervision": lambda: f"{_actor(n)}对{title}下发督办单{n.note}",
        "supervision_overdue": lambda: f"督办单{n.note}({title})已过答复时限{n.key_date.isoformat()}仍未答复,"
                                       f"责任人{_owner(n)}。",
        "report_returned": lambda: f"{_actor(n)}退回了{n.note}",
        "carried_over": lambda: f"{_actor(n)}将{title}{n.note}," + (f"完成时限{_due(n)}。" if n.due_date
                                                                  else "完成时限待定。"),
        "directive_issued": lambda: f"{_actor(n)}向本单位交办{title},完成时限{_due(n)},请接收或退回。",
        "directive_accepted": lambda: f"{_actor(n)}已接收上级交办{title},纳入本单位年度计划。",
        "directive_declined": lambda: f"{_actor(n)}退回了上级交办{title}:{n.note}",
    }
    text = texts.get(n.kind)
    return text() if text else f"{title}{KIND_LABELS.get(n.kind, n.kind)}"


def subject(n: Notification) -> str:
    """What the notice is about: its task, issued work not yet in a plan (上级交办), or the annual report."""
    if n.task is not None:
        return n.task.title
    return n.directive.title if n.directive_id is not None else "年度报告"


def _owner(n: Notification) -> str:
    return n.task.owner.name if n.task is not None and n.task.owner else "未指定"


def _actor(n: Notification) -> str:
    return n.actor.name if n.actor else "系统"


def notice_path(task_id: int | None, directive_id: int | None = None) -> str:
    """Where a notice opens: its task, the list of issued work (上级交办), or the report page (a returned report)."""
    if task_id is not None:
        return f"/tasks/{task_id}"
    return "/assignments" if directive_id is not None else "/reports"


def link(n: Notification) -> str:
    """The full address of where the notice opens, for e-mail and robots."""
    return current_app.config["PUBLIC_BASE_URL"] + notice_path(n.task_id, n.directive_id)


def robot_line(n: Notification) -> str:
    """One line for a group chat: kind, title, due date, owner and a link; never narratives or figures."""
    return (f"- 【{KIND_LABELS.get(n.kind, n.kind)}】[{subject(n)}]({link(n)}) "
            f"完成时限 {_due(n)} 责任人 {_owner(n)}")


def email_line(n: Notification) -> str:
    return f"【{KIND_LABELS.get(n.kind, n.kind)}】{message(n)}\n    {link(n)}"


def digest_title(name: str, day, count: int) -> str:
    return f"{name}:{day.isoformat()} 督办提醒汇总({count}项)"


def immediate_title(n: Notification) -> str:
    about = f"《{subject(n)}》" if n.task is not None or n.directive_id is not None else subject(n)
    return f"【{KIND_LABELS.get(n.kind, n.kind)}】{about}"
