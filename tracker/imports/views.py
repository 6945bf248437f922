"""Upload, review and create: nothing is created from a document until the committee has reviewed it."""
from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user

from tracker.imports.forms import ConfirmForm, ReviewForm, TableForm, UploadForm
from tracker.services.calendar.clock import today
from tracker.services.errors import NotFound
from tracker.services.importing import sessions
from tracker.services.importing.rows import check_rows
from tracker.services.plans.verbs import plan_for
from tracker.services.validation import as_int
from tracker.web import FAILED, perform, roles_required

bp = Blueprint("imports", __name__, url_prefix="/imports")


def _session_or_404(session_id: int):
    try:
        return sessions.load_session(current_user, session_id)
    except NotFound:
        abort(404)


@bp.route("/", methods=["GET", "POST"])
@roles_required("committee")
def index():
    # Refuse an oversized upload before it is read (the app-wide cap is for evidence batches).
    request.max_content_length = current_app.config["IMPORT_MAX_BYTES"] + 64 * 1024
    form = UploadForm(year=today().year)
    if form.validate_on_submit():
        upload = form.file.data
        session = perform(form, sessions.start_import, current_user, upload.filename or "", upload.read(),
                          form.year.data)
        if session is not FAILED:
            return redirect(url_for("imports.review", session_id=session.id))
    return render_template("imports/index.html", form=form, pending=sessions.pending_sessions(current_user))


def _report_form(session) -> ReviewForm:
    payload = session.payload
    data = {"themes": payload["themes"],
            "candidates": [{**c, "id": str(c["id"])} for c in payload["candidates"]]}
    form = ReviewForm(data=data) if request.method == "GET" else ReviewForm()
    choices = [(t["key"], f"{t['key']} · {t['title'][:16]}") for t in payload["themes"]]
    for entry in form.candidates:
        entry.form.theme.choices = choices
    return form


@bp.route("/<int:session_id>", methods=["GET", "POST"])
@roles_required("committee")
def review(session_id):
    session = _session_or_404(session_id)
    if session.kind == "table":
        return _review_table(session)
    form = _report_form(session)
    if request.method == "POST" and form.validate_on_submit():
        action = request.form.get("action", "save")
        themes = {t.form.key.data: t.form.title.data for t in form.themes}
        edits = {int(c.form.id.data): {"title": c.form.title.data, "description": c.form.description.data,
                                       "keep": c.form.keep.data, "theme": c.form.theme.data,
                                       "report_section": c.form.report_section.data}
                 for c in form.candidates if (c.form.id.data or "").isdecimal()}
        # The edits are kept even when creating the plan is then refused: two units of work.
        done = perform(form, sessions.edit_candidates, session, themes, edits,
                       None if action in ("save", "commit") else action)
        if done is not FAILED and action == "commit":
            plan = done = perform(form, sessions.commit, current_user, session)
            if plan is not FAILED:
                flash(f"已创建{plan.year}年计划,共{len(plan.themes)}个主题;任务为草稿,请逐项交办。", "success")
                return redirect(_after_import(plan))
        if done is FAILED:
            return render_template("imports/review.html", session=session, form=form, fields=form.refusal.fields,
                                   sources=_sources(session)), 400
        return redirect(url_for("imports.review", session_id=session.id, _anchor=_anchor(action)))
    return render_template("imports/review.html", session=session, form=form, fields={}, sources=_sources(session))


def _sources(session) -> dict:
    return {str(c["id"]): c.get("source", "") for c in session.payload["candidates"]}


def _anchor(action: str) -> str:
    ref = action.partition(":")[2]
    return f"c{ref}" if ref.isdecimal() else ""


def _after_import(plan) -> str:
    """The new plan's page, where its tasks wait to be assigned."""
    return url_for("plans.index", plan_id=plan.id)


def _review_table(session):
    org = current_user.org
    checked, new_themes = check_rows(org, session.year, session.payload["rows"], plan_for(org, session.year))
    bad = [r for r in checked if r["errors"]]
    form = TableForm(data={"rows": [{"number": str(r["number"]), **r["values"]} for r in bad]}) \
        if request.method == "GET" else TableForm()
    status = 200
    if request.method == "POST" and form.validate_on_submit():
        action = request.form.get("action", "save")
        edits = {as_int(r.form.number.data): {k: v for k, v in r.form.data.items() if k != "number"}
                 for r in form.rows if as_int(r.form.number.data) is not None}
        drop = action.partition(":")[2]
        done = perform(None, sessions.edit_rows, session, edits, as_int(drop))
        if done is not FAILED and action == "commit":
            plan = done = perform(None, sessions.commit, current_user, session)
            if plan is not FAILED:
                flash(f"已导入{len(session.payload['rows'])}项任务到{plan.year}年计划。", "success")
                return redirect(_after_import(plan))
        if done is not FAILED:
            return redirect(url_for("imports.review", session_id=session.id))
        status = 400
        checked, new_themes = check_rows(org, session.year, session.payload["rows"], plan_for(org, session.year))
        bad = [r for r in checked if r["errors"]]
    return render_template("imports/table.html", session=session, form=form, checked=checked, bad=bad,
                           new_themes=new_themes, errors={r["number"]: r["errors"] for r in bad}), status


@bp.route("/<int:session_id>/discard", methods=["POST"])
@roles_required("committee")
def discard(session_id):
    session = _session_or_404(session_id)
    if ConfirmForm().validate_on_submit() and perform(None, sessions.discard, current_user, session) is not FAILED:
        flash("已放弃这次导入,没有创建任何内容。", "info")
    return redirect(url_for("imports.index"))
