"""The plan page (年度计划): the year's plan by theme with progress bars; create, split and bulk-assign tasks."""
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from tracker.plans.forms import PlanForm
from tracker.services.calendar.clock import today
from tracker.services.people.access import is_committee_of, load_task
from tracker.services.people.admin import colleagues
from tracker.services.plans import overview as plan_overview
from tracker.services.plans import verbs as plans
from tracker.services.plans.sections import sections_for
from tracker.services.tasks import batches as task_batches
from tracker.services.tasks import lists as task_lists
from tracker.services.tasks import verbs as tasks
from tracker.services.tasks.lights import LIGHT_LABELS
from tracker.services.validation import as_id
from tracker.task_pages.forms import BulkAssignForm, SplitForm, TaskForm
from tracker.task_pages.listing import TaskFilterForm
from tracker.web import FAILED, load_or_404, page_args, pager, perform, refuse_change

bp = Blueprint("plans", __name__)

FILTERS = ["q", "theme", "status", "light", "owner", "lead", "section", "unit", "overdue", "sort"]


def _plan_arg() -> int | None:
    raw = request.args.get("plan_id", "")
    return as_id(raw)


def _render(plan_id: int | None, bulk: BulkAssignForm | None = None, status: int = 200):
    plans = plan_overview.visible_plans(current_user)
    day = today()
    plan = plan_overview.pick(plans, current_user, plan_id, day.year)
    if plan is None and plan_id is not None:
        abort(404)
    context = {"plans": plans, "plan": plan, "light_labels": LIGHT_LABELS}
    if plan is not None:
        form = TaskFilterForm().fill(task_lists.filter_choices(current_user), default_sort="theme") \
            .sections(sections_for(plan.org, plan.year))
        page, per_page = page_args(50)
        rows, total = task_lists.task_list(current_user, form.filters(plan_id=plan.id), day, page, per_page)
        manage = is_committee_of(current_user, plan.org_id)
        if manage and bulk is None:
            bulk = BulkAssignForm(formdata=None, prefix="b")
        if bulk is not None:
            bulk.people(colleagues(current_user))
        context.update(form=form, pager=pager(rows, total, page, per_page, capped=True), manage=manage, bulk=bulk,
                       themes=plan_overview.theme_figures(plan, day), filters=FILTERS,
                       checked=set(bulk.task_ids.data or []) if bulk is not None else set())
    return render_template("plans/index.html", **context), status


@bp.route("/plans")
@login_required
def index():
    return _render(_plan_arg())


@bp.route("/plans/new", methods=["GET", "POST"])
@login_required
def new_plan():
    """新建年度计划: the committee adds its organisation's plan for a year; others are refused."""
    if current_user.role != "committee":
        abort(403)
    org = current_user.org
    latest = plans.latest_plan(org)
    form = PlanForm(data={"year": str(max(today().year, latest.year + 1 if latest else 0))}
                    if request.method == "GET" else None)
    if form.validate_on_submit():
        # The same year saved by a colleague a moment ago (unique org + year) is refused by perform as a 409.
        plan = perform(form, plans.create_year_plan, current_user, form.year_value(), form.title.data)
        if plan is not FAILED:
            flash(f"已新建{plan.title}。", "success")
            return redirect(url_for("plans.index", plan_id=plan.id))
    year = form.year_value()
    return render_template("plans/new_plan.html", form=form, org=org, themes=plans.new_plan_themes(org),
                           latest=latest, default_title=plans.default_title(org, year if isinstance(year, int)
                                                                            else "××××"))


def _managed_plan(plan_id: int):
    """A plan the current user's committee manages; others get 404 (unseen) or 403 (seen, not theirs)."""
    plan = next((p for p in plan_overview.visible_plans(current_user) if p.id == plan_id), None)
    if plan is None:
        abort(404)
    if not is_committee_of(current_user, plan.org_id):
        abort(403)
    return plan


@bp.route("/plans/<int:plan_id>/bulk-assign", methods=["POST"])
@login_required
def bulk_assign(plan_id):
    plan = _managed_plan(plan_id)
    form = BulkAssignForm(prefix="b")  # its own ids: the filter form above has an "owner" too
    form.people(colleagues(current_user))
    if form.validate_on_submit():
        result = perform(form, task_batches.bulk_assign, current_user, plan, form.task_ids.data, owner=form.owner.data,
                         lead=form.lead.data, due_date=form.due_date.data, unit=(form.unit.data or "").strip(),
                         co_owners=list(form.co_owners.data or []), allow_past=form.allow_past.data)
        if result is not FAILED:
            flash(f"已交办 {len(result)} 项任务。", "success")
            return redirect(url_for("plans.index", plan_id=plan.id))
    return _render(plan.id, bulk=form)


@bp.route("/plans/<int:plan_id>/tasks/new", methods=["GET", "POST"])
@login_required
def new_task(plan_id):
    plan = _managed_plan(plan_id)
    form = TaskForm(data={"theme": request.args.get("theme", "")} if request.method == "GET" else None)
    form.theme.choices = [(t.key, f"{t.key} · {t.title}") for t in plan.themes]
    form.sections(sections_for(plan.org, plan.year)).people(colleagues(current_user))
    if form.validate_on_submit():
        task = perform(form, tasks.create_task, current_user, plan, form.data_for_service())
        if task is not FAILED:
            flash("任务已创建。" if task.status == "draft" else "任务已创建并交办。", "success")
            return redirect(url_for("task_pages.detail", task_id=task.id))
    return render_template("plans/new_task.html", plan=plan, form=form)


@bp.route("/tasks/<int:task_id>/split", methods=["GET", "POST"])
@login_required
def split(task_id):
    task = load_or_404(load_task, current_user, task_id)
    if not is_committee_of(current_user, task.org_id):
        refuse_change(task, "task.split", "只有本单位党委/政府办公室可以拆分任务")
        abort(403)
    form = SplitForm()
    people = colleagues(current_user)
    for row in form.rows:
        row.form.owner.choices = [("", "(不指定)")] + [(u, f"{n}({u})") for u, n, _ in people]
    if form.validate_on_submit():
        filled, rename = [], {}
        for index, row in enumerate(form.rows):
            data = {k: (row.form[k].data or "").strip() for k in ("title", "owner", "due_date")}
            if any(data.values()):
                for key in ("title", "owner", "due_date", "unit", "theme", "lead", "report_section"):
                    rename[f"rows.{len(filled)}.{key}"] = f"rows.{index}.{key}"
                filled.append(data)
        created = perform(form, task_batches.split_task, current_user, task, filled, rename=rename)
        if created is not FAILED:
            flash(f"已拆分出 {len(created)} 项子任务。", "success")
            return redirect(url_for("task_pages.detail", task_id=task.id))
    return render_template("plans/split.html", task=task, form=form)
