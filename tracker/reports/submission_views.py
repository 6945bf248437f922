"""报送 and 退回 pages: a township sends its report up; the county reads, returns or accepts each version."""
from io import BytesIO

from flask import abort, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user

from tracker.reports.blueprint import READERS, bp, readable_org
from tracker.reports.forms import ActionForm, ReturnForm
from tracker.services.calendar.clock import today
from tracker.services.errors import NotFound
from tracker.services.infra.safe_text import file_name
from tracker.services.reporting import page
from tracker.services.reporting import submission as submissions
from tracker.services.validation import as_year
from tracker.web import FAILED, failed_status, perform, roles_required

COUNTY = ("committee", "viewer")
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _year() -> int:
    year = as_year(request.args.get("year"))
    return year if year is not None else page.due_year(today())


def _version_or_404(submission_id):
    try:
        return submissions.load(current_user, submission_id)
    except NotFound:
        abort(404)


@bp.route("/<int:org_id>/<int:year>/submit", methods=["POST"])
@roles_required("committee")
def submit(org_id, year):
    org = readable_org(org_id)
    form = ActionForm()
    if not form.validate_on_submit():
        flash("页面已过期,请刷新后重试", "error")
    else:
        row = perform(form, submissions.submit, current_user, org, year, today())
        if row is not FAILED:
            late = "(逾期报送)" if row.is_late else ""
            flash(f"已报送{year}年度报告第{row.version}版{late};报送后的修改不影响已报送的版本。", "success")
        else:
            flash(form.form_errors[0] if form.form_errors else "报送失败", "error")
    return redirect(url_for("reports.index", org=org.id, year=year) + "#submissions")


@bp.route("/submissions")
@roles_required(*COUNTY)
def submissions_page():
    view = submissions.overview(current_user, _year())
    return render_template("reports/submissions.html", view=view, year=view.year,
                           can_decide=current_user.role == "committee", labels=page_labels())


@bp.route("/submissions/figures")
@roles_required(*COUNTY)
def submission_figures():
    view = submissions.overview(current_user, _year())
    return render_template("reports/submission_figures.html", view=view, year=view.year,
                           table=submissions.figure_table(view))


@bp.route("/submissions/<int:submission_id>")
@roles_required(*READERS)
def submission_detail(submission_id):
    row = _version_or_404(submission_id)
    return _detail(row, ReturnForm())


def _detail(row, form, status: int = 200):
    return render_template("reports/submission.html", row=row, form=form, action=ActionForm(),
                           versions=submissions.history(row.org, row.year),
                           can_decide=submissions.may_decide(current_user, row.org)), status


@bp.route("/submissions/<int:submission_id>/docx")
@roles_required(*READERS)
def submission_docx(submission_id):
    row = _version_or_404(submission_id)
    name = file_name(f"{row.title}(第{row.version}版).docx")
    return send_file(BytesIO(row.docx), mimetype=DOCX, as_attachment=True, download_name=name)


@bp.route("/submissions/<int:submission_id>/return", methods=["POST"])
@roles_required("committee")
def return_submission(submission_id):
    row = _version_or_404(submission_id)
    form = ReturnForm()
    if form.validate_on_submit():
        if perform(form, submissions.decide, current_user, row, "return", form.comment.data) is not FAILED:
            flash(f"已退回{row.org.name}{row.year}年度报告第{row.version}版,已通知该单位党政办。", "success")
            return redirect(url_for("reports.submissions_page", year=row.year))
        row = _version_or_404(submission_id)
    elif not submissions.may_decide(current_user, row.org):
        perform(form, submissions.require_decider, current_user, row, "return")  # a forged request: 403, audited
    return _detail(row, form, failed_status(form))


@bp.route("/submissions/<int:submission_id>/accept", methods=["POST"])
@roles_required("committee")
def accept_submission(submission_id):
    row = _version_or_404(submission_id)
    form = ActionForm()
    if not form.validate_on_submit():
        flash("页面已过期,请刷新后重试", "error")
    elif perform(form, submissions.decide, current_user, row, "accept", "") is not FAILED:
        flash(f"已采纳{row.org.name}{row.year}年度报告第{row.version}版。", "success")
        return redirect(url_for("reports.submissions_page", year=row.year))
    else:
        flash(form.form_errors[0] if form.form_errors else "操作失败", "error")
    return redirect(url_for("reports.submission_detail", submission_id=row.id))


def page_labels() -> dict:
    from tracker.models.submission import SUBMISSION_LABELS
    return {**SUBMISSION_LABELS, "missing": "未报送"}
