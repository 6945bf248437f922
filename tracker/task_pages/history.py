"""Template helpers of the task page's trail and figures; the trail's words live in services/tasks/history.py."""
from tracker.services.plans.sections import section_title
from tracker.task_pages.blueprint import bp


@bp.app_template_filter("figure")
def figure(value) -> str:
    """3.00 → 3, 2.50 → 2.5: figures as people write them."""
    text = f"{value:f}" if value is not None else ""
    return text.rstrip("0").rstrip(".") if "." in text else text


@bp.app_template_global("section_label")
def section_name(ordinal, titles=None) -> str:
    """(五)依法处置… from the organisation's template titles when given, else the standard seven."""
    return section_title(ordinal, titles)
