"""上级交办 pages: 下达任务 (the county's form and list) and the township's 待接收 list with 接收 / 退回."""
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from wtforms import SelectChoice

from tracker.directives.forms import AcceptForm, DeclineForm, IssueForm
from tracker.models import DIRECTIVE_LABELS
from tracker.services.calendar.clock import today
from tracker.services.directives import queries, verbs
from tracker.services.errors import ValidationFailed
from tracker.services.validation import as_id, as_int
from tracker.web import FAILED, load_or_404, page_args, pager, perform

bp = Blueprint("directives", __name__)


def _status_arg() -> str | None:
    raw = request.args.get("status", "")
    try:
        return queries.clean_status(raw)
    except ValidationFailed:
        return None  # pages forgive a bad filter and show everything


@bp.route("/assignments")
@login_required
def index():
    status = _status_arg()
    page, per_page = page_args(50)
    day = today()
    rows, total = queries.directive_page(current_user, status, day, page, per_page)
    received = [r for r in rows if r.directive.target_org_id == current_user.org_id]
    issued = [r for r in rows if r.directive.issuer_org_id == current_user.org_id]
    decides = current_user.role == "committee"
    plans = queries.plans_by_year(current_user.org_id, [r.directive.year for r in received
                                                        if r.directive.status == "pending"]) if decides else {}
    return render_template("directives/index.html", pager=pager(rows, total, page, per_page), received=received,
                           issued=issued, status=status, labels=DIRECTIVE_LABELS, decides=decides, plans=plans,
                           may_issue=bool(queries.issuable_orgs(current_user)),
                           accept_form=AcceptForm(formdata=None, prefix="a"),
                           decline_form=DeclineForm(formdata=None, prefix="d"))


@bp.route("/assignments/new", methods=["GET", "POST"])
@login_required
def new():
    """下达任务: the committee of an organisation with organisations below it issues work to one of them."""
    if current_user.role != "committee":
        abort(403)
    targets = queries.issuable_orgs(current_user)
    form = IssueForm(data={"year": str(today().year)} if request.method == "GET" else None)
    form.org.choices = [SelectChoice("", "(请选择)")] + [SelectChoice(str(o.id), o.full_name) for o in targets]
    if form.validate_on_submit():
        org = load_or_404(verbs.load_org, form.org_id())
        made = perform(form, verbs.issue, current_user, org, form.values())
        if made is not FAILED:
            flash(f"已向{org.name}下达“{made.title}”,待其接收。", "success")
            return redirect(url_for("directives.index"))
    return render_template("directives/new.html", form=form, targets=targets)


@bp.route("/assignments/<int:directive_id>/accept", methods=["POST"])
@login_required
def accept(directive_id):
    directive = load_or_404(verbs.load, current_user, directive_id)
    form = AcceptForm(prefix="a")
    if not form.validate_on_submit():
        abort(400)
    section = as_int(form.report_section.data, form.report_section.data) if form.report_section.data else None
    task = perform(None, verbs.accept, current_user, directive, as_id(form.theme.data), section)
    if task is FAILED:
        return redirect(url_for("directives.index"))
    flash(f"已接收“{task.title}”,纳入{directive.year}年度计划。请交办责任人和牵头领导。", "success")
    return redirect(url_for("task_pages.detail", task_id=task.id))


@bp.route("/assignments/<int:directive_id>/decline", methods=["POST"])
@login_required
def decline(directive_id):
    directive = load_or_404(verbs.load, current_user, directive_id)
    form = DeclineForm(prefix="d")
    if not form.validate_on_submit():
        abort(400)
    if perform(None, verbs.decline, current_user, directive, form.reason.data) is not FAILED:
        flash(f"已退回“{directive.title}”,上级将收到通知。", "success")
    return redirect(url_for("directives.index"))

