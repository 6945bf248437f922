"""The report page: generate, preview, edit section by section with versions, download, carry over."""
from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from tracker.models import STATUS_LABELS
from tracker.reports.blueprint import READERS, bp, readable_org
from tracker.reports.forms import ActionForm, CauseForm, SectionForm, SummaryForm
from tracker.services.calendar.clock import today
from tracker.services.people.access import is_committee_of
from tracker.services.plans.verbs import plan_for
from tracker.services.reporting import choices, closing, page
from tracker.services.reporting import draft as drafts
from tracker.services.reporting import submission as submissions
from tracker.services.reporting.render import to_docx, to_markdown
from tracker.services.validation import as_int, as_year
from tracker.web import FAILED, perform, roles_required


def _draft_or_404(org, year):
    draft = drafts.load_draft(org, year)
    if draft is None:
        abort(404)
    return draft


@bp.route("")
@roles_required(*READERS)
def index():
    orgs = page.report_orgs(current_user)
    raw_org = request.args.get("org", "")
    org = next((o for o in orgs if str(o.id) == raw_org), orgs[0] if orgs else None)
    years = page.plan_years(org) if org else []
    year = as_year(request.args.get("year"))
    year = year if year in years else page.default_year(years, today())
    draft = drafts.load_draft(org, year) if org and year else None
    ids = {i for s in draft.sections for i in s.sources.get("tasks", [])} if draft else set()
    for f in draft.figures if draft else []:
        ids |= {s["task_id"] for s in f["sources"]}
    return render_template(
        "reports/index.html", orgs=orgs, org=org, years=years, year=year, draft=draft,
        stale=bool(draft) and drafts.is_stale(draft), tasks=page.task_titles(ids), status_labels=STATUS_LABELS,
        deadline=page.deadline(year) if year else None, days_left=page.days_left(year, today()) if year else None,
        can_edit=bool(org) and is_committee_of(current_user, org.id),
        plan=plan_for(org, year) if org and year else None, action=ActionForm(),
        submissions=submissions.history(org, year) if org and year else [],
        can_submit=bool(org and year) and submissions.may_submit(current_user, org))


@bp.route("/<int:org_id>/<int:year>/generate", methods=["POST"])
@roles_required("committee")
def generate(org_id, year):
    org = readable_org(org_id)
    form = ActionForm()
    if not form.validate_on_submit():
        flash("页面已过期,请刷新后重试", "error")
    elif perform(form, drafts.generate, current_user, org, year, today()) is not FAILED:
        flash("报告初稿已生成;人工修改过的部分已保留。", "success")
    else:
        flash(form.form_errors[0] if form.form_errors else "生成失败", "error")
    return redirect(url_for("reports.index", org=org.id, year=year))


@bp.route("/<int:org_id>/<int:year>/download")
@roles_required(*READERS)
def download(org_id, year):
    org = readable_org(org_id)
    draft = _draft_or_404(org, year)
    fmt, part = request.args.get("format", "docx"), request.args.get("part", "all")
    if fmt not in ("docx", "md") or part not in ("all", "1"):
        abort(400)
    only = part == "1"
    name = f"{org.name}{year}年度法治政府建设工作报告{'(第一部分)' if only else ''}.{fmt}"
    if fmt == "docx":
        body, mime = to_docx(draft, achievements_only=only), \
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    else:
        body, mime = to_markdown(draft, achievements_only=only).encode("utf-8"), "text/markdown; charset=utf-8"
    response = Response(body, mimetype=mime)
    from urllib.parse import quote
    response.headers["Content-Disposition"] = f"attachment; filename=report.{fmt}; filename*=UTF-8''{quote(name)}"
    return response


@bp.route("/<int:org_id>/<int:year>/sections/<key>", methods=["GET", "POST"])
@roles_required(*READERS)
def section(org_id, year, key):
    org = readable_org(org_id)
    draft = _draft_or_404(org, year)
    item = draft.section(key) or abort(404)
    form = SectionForm()
    if request.method == "GET":
        form.text.data = item.text
        form.base_version.data = str(item.versions[-1].number if item.versions else 0)
    elif form.validate_on_submit():
        if current_user.role != "committee":
            abort(403)
        base = form.base_version.data
        done = perform(form, drafts.edit_section, current_user, draft, key, form.text.data,
                       base_version=as_int(base))
        if done is not FAILED:
            flash("已保存为新版本。", "success")
            return redirect(url_for("reports.index", org=org.id, year=year) + f"#s-{key}")
        draft = _draft_or_404(org, year)
        item = draft.section(key)
    return render_template("reports/section.html", org=org, year=year, draft=draft, item=item, form=form,
                           can_edit=is_committee_of(current_user, org.id),
                           action=ActionForm())


@bp.route("/<int:org_id>/<int:year>/sections/<key>/revert", methods=["POST"])
@roles_required("committee")
def revert(org_id, year, key):
    org = readable_org(org_id)
    draft = _draft_or_404(org, year)
    form = ActionForm()
    if form.validate_on_submit() and perform(form, drafts.revert_section, current_user, draft, key) is not FAILED:
        flash("已改用最新生成的内容;原修改保留在版本记录中。", "success")
    return redirect(url_for("reports.index", org=org.id, year=year) + f"#s-{key}")


@bp.route("/<int:org_id>/<int:year>/choices")
@roles_required(*READERS)
def choices_page(org_id, year):
    """报告摘要 of unfinished tasks and the 原因 of each shortcoming, written into the draft on saving."""
    org = readable_org(org_id)
    draft = _draft_or_404(org, year)
    offered = choices.choices_for(draft, today())
    summaries = {t.id: SummaryForm(prefix=f"t{t.id}", formdata=None, text=t.report_summary,
                                   base_generation=draft.generation) for t in offered.tasks}
    causes = {}
    for item in offered.shortcomings:
        known = next((k for k, v in closing.CAUSES.items() if v == item.cause), "own")
        causes[item.kind] = _cause_form(item.kind, formdata=None, choice=known, base_generation=draft.generation,
                                        text=item.cause if known == "own" else "")
    return render_template("reports/choices.html", org=org, year=year, draft=draft, offered=offered,
                           summaries=summaries, causes=causes, labels=closing.SHORTCOMING_LABELS,
                           status_labels=STATUS_LABELS, can_edit=is_committee_of(current_user, org.id))



def _cause_form(kind: str, **data) -> CauseForm:
    form = CauseForm(prefix=kind, **data)
    form.choice.choices = list(closing.CAUSES.items()) + [("own", "自行填写（写在下面）")]
    return form


@bp.route("/<int:org_id>/<int:year>/summaries/<int:task_id>", methods=["POST"])
@roles_required(*READERS, "cadre")  # the service refuses all but the committee, keeping the refusal with the task
def summary(org_id, year, task_id):
    org = readable_org(org_id)
    draft = _draft_or_404(org, year)
    form = SummaryForm(prefix=f"t{task_id}")
    if not form.validate_on_submit():
        flash(next(iter(form.errors.values()))[0] if form.errors else "页面已过期，请刷新后重试", "error")
    elif perform(None, choices.set_summary, current_user, draft, task_id, form.text.data,
                 base_generation=form.base_generation.data, today=today()) is not FAILED:
        flash("报告摘要已保存，初稿已按新的摘要重新生成。", "success")
    return redirect(url_for("reports.choices_page", org_id=org.id, year=year) + f"#t-{task_id}")


@bp.route("/<int:org_id>/<int:year>/causes/<kind>", methods=["POST"])
@roles_required("committee")
def cause(org_id, year, kind):
    org = readable_org(org_id)
    draft = _draft_or_404(org, year)
    if kind not in closing.DEFAULT_CAUSE:
        abort(404)
    form = _cause_form(kind)
    if not form.validate_on_submit():
        flash(next(iter(form.errors.values()))[0] if form.errors else "页面已过期，请刷新后重试", "error")
    elif perform(None, choices.set_cause, current_user, draft, kind, form.choice.data, form.text.data,
                 base_generation=form.base_generation.data, today=today()) is not FAILED:
        flash("原因已保存，初稿第二部分已重新生成。", "success")
    return redirect(url_for("reports.choices_page", org_id=org.id, year=year) + "#causes")
