"""The ledger as Excel/CSV, evidence packs built in the background, and secret calendar feeds."""
from flask import Blueprint, Response, abort, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user, login_required
from markupsafe import Markup

from tracker.exports.forms import FeedForm, PackForm
from tracker.services.calendar.clock import today
from tracker.services.errors import NotFound
from tracker.services.exporting import calendar, evidence_pack, ledger
from tracker.services.exporting.data import plan_tasks
from tracker.services.people.access import load_plan
from tracker.services.tasks.queries import visible_plans
from tracker.web import FAILED, perform

bp = Blueprint("exports", __name__, url_prefix="/exports")
feeds = Blueprint("calendar_feeds", __name__)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _plan_or_404(plan_id: int):
    try:
        return load_plan(current_user, plan_id)
    except NotFound:
        abort(404)


@bp.route("/")
@login_required
def index():
    plans, _ = visible_plans(current_user, 1, 50)
    return render_template("exports/index.html", plans=plans)


@bp.route("/plans/<int:plan_id>")
@login_required
def plan(plan_id):
    plan = _plan_or_404(plan_id)
    form = PackForm()
    _pack_choices(form, plan)
    jobs = evidence_pack.recent_jobs(current_user, plan)
    return render_template("exports/plan.html", plan=plan, form=form, jobs=jobs)


def _pack_choices(form: PackForm, plan) -> None:
    form.theme.choices = [(t.key, f"{t.key} · {t.title}") for t in plan.themes]
    form.task.choices = [(str(t.id), f"[{t.theme.key}] {t.title[:40]}") for t in plan_tasks(plan)]


def _filename(plan, ext: str) -> str:
    return f"{plan.org.name}{plan.year}年任务台账_{today():%Y%m%d}.{ext}"


@bp.route("/plans/<int:plan_id>/ledger.xlsx")
@login_required
def ledger_xlsx(plan_id):
    plan = _plan_or_404(plan_id)
    data = ledger.ledger_workbook(plan, today())
    return Response(data, mimetype=XLSX, headers=_attachment(_filename(plan, "xlsx")))


@bp.route("/plans/<int:plan_id>/ledger.csv")
@login_required
def ledger_csv(plan_id):
    plan = _plan_or_404(plan_id)
    data = ledger.ledger_csv(plan, today())
    return Response(data, mimetype="text/csv", headers=_attachment(_filename(plan, "csv")))


def _attachment(name: str) -> dict:
    from urllib.parse import quote
    return {"Content-Disposition": f"attachment; filename=ledger; filename*=UTF-8''{quote(name)}"}


@bp.route("/plans/<int:plan_id>/evidence", methods=["POST"])
@login_required
def request_pack(plan_id):
    plan = _plan_or_404(plan_id)
    form = PackForm()
    _pack_choices(form, plan)
    if not form.validate_on_submit():
        flash("请选择打包范围。", "error")
        return redirect(url_for("exports.plan", plan_id=plan.id))
    ref = {"theme": form.theme.data, "task": form.task.data}.get(form.scope.data, "")
    job = perform(None, evidence_pack.request_pack, current_user, plan, form.scope.data, ref or "")
    if job is FAILED:
        return redirect(url_for("exports.plan", plan_id=plan.id))
    return redirect(url_for("exports.pack", job_id=job.id))


def _job_or_404(job_id: int):
    try:
        return evidence_pack.load_job(current_user, job_id)
    except NotFound:
        abort(404)


@bp.route("/packs/<int:job_id>")
@login_required
def pack(job_id):
    job = _job_or_404(job_id)
    return render_template("exports/pack.html", job=job)


@bp.route("/packs/<int:job_id>/download")
@login_required
def pack_download(job_id):
    job = _job_or_404(job_id)
    path = evidence_pack.pack_path(job)
    if path is None:
        abort(404)
    return send_file(path, mimetype="application/zip", as_attachment=True,
                     download_name=evidence_pack.download_name(job))


@bp.route("/calendar")
@login_required
def calendar_page():
    links, rotated, webcal, qr = {}, {}, {}, {}
    for kind in calendar.KINDS:
        feed = calendar.feed_of(current_user, kind)
        links[kind] = url_for("calendar_feeds.feed", token=feed.token, _external=True) if feed else None
        rotated[kind] = feed.created_at if feed and feed.renewed_because == "password" else None
        if links[kind]:
            webcal[kind] = calendar.webcal_url(links[kind])
            # segno writes the SVG itself from the address, which is our own url_for output: nothing to escape.
            qr[kind] = Markup(calendar.qr_svg(links[kind]))
    return render_template("exports/calendar.html", links=links, rotated=rotated, form=FeedForm(),
                           webcal=webcal, qr=qr,
                           may_org=current_user.role in calendar.ORG_FEED_ROLES)


@bp.route("/calendar/<kind>/<verb>", methods=["POST"])
@login_required
def calendar_change(kind, verb):
    if verb not in ("renew", "revoke") or kind not in calendar.KINDS:
        abort(404)
    if not FeedForm().validate_on_submit():
        abort(400)
    if verb == "renew":
        if perform(None, calendar.renew_feed, current_user, kind) is not FAILED:
            flash("已生成新的订阅地址,旧地址随即失效。", "success")
    elif perform(None, calendar.revoke_feed, current_user, kind) is True:
        flash("已停用订阅地址。", "info")
    return redirect(url_for("exports.calendar_page"))


@feeds.route("/calendar/<token>.ics")
def feed(token):
    """Phones fetch this without a login: the secret address is the credential."""
    try:
        found = calendar.feed_by_token(token)
    except NotFound:
        abort(404)
    body = calendar.render_ics(found, request.host.split(":")[0] or "tracker", today())
    return Response(body, mimetype="text/calendar", headers={"Cache-Control": "private, max-age=300",
                                                             "Content-Disposition": "inline; filename=tasks.ics"})
