"""Baseline figures (by hand or extracted from last year's text and reviewed), the catalogue, the template."""
from decimal import Decimal, InvalidOperation

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from tracker.extensions import db
from tracker.models import MetricDefinition
from tracker.reports.blueprint import READERS, bp, readable_org
from tracker.reports.forms import ActionForm, BaselineFigureForm, CatalogueForm, ExtractForm, ReviewForm, TemplateForm
from tracker.services.errors import ValidationFailed
from tracker.services.figures import catalogue
from tracker.services.people.access import is_committee_of
from tracker.services.reporting import baseline as baselines
from tracker.services.reporting import template
from tracker.services.reporting.extract import extract
from tracker.services.reporting.figures import number
from tracker.services.validation import as_int
from tracker.web import FAILED, perform, roles_required

ROW_FIELDS = ("name", "value", "unit", "source", "report_section", "scope")


def _baseline_page(org, year, *, manual=None, paste=None, review=None, status=200):
    return render_template(
        "reports/baseline.html", org=org, year=year, rows=baselines.baseline_rows(org, year - 1),
        manual=manual or BaselineFigureForm(prefix="m"), paste=paste or ExtractForm(prefix="x"), review=review,
        action=ActionForm(), num=number, can_edit=is_committee_of(current_user, org.id)), status


@bp.route("/<int:org_id>/<int:year>/baseline")
@roles_required(*READERS)
def baseline(org_id, year):
    return _baseline_page(readable_org(org_id), year)


@bp.route("/<int:org_id>/<int:year>/baseline/add", methods=["POST"])
@roles_required("committee")
def baseline_add(org_id, year):
    org = readable_org(org_id)
    form = BaselineFigureForm(prefix="m")
    if form.validate_on_submit():
        row = {"name": form.name.data, "value": form.value.data, "unit": form.unit.data,
               "is_approximate": form.is_approximate.data, "report_section": form.report_section.data,
               "source": "手工录入"}
        rename = {f"rows.0.{k}": k for k in ROW_FIELDS}
        if perform(form, baselines.save_baseline, current_user, org, year - 1, [row], rename=rename) is not FAILED:
            flash(f"已保存{year - 1}年基数:{row['name']}。", "success")
            return redirect(url_for("reports.baseline", org_id=org.id, year=year))
    return _baseline_page(org, year, manual=form, status=400)


@bp.route("/<int:org_id>/<int:year>/baseline/extract", methods=["POST"])
@roles_required("committee")
def baseline_extract(org_id, year):
    """Show what the pasted text holds, for review; nothing is saved yet."""
    org = readable_org(org_id)
    paste = ExtractForm(prefix="x")
    if not paste.validate_on_submit():
        return _baseline_page(org, year, paste=paste, status=400)
    try:
        found = extract(paste.text.data)
    except ValidationFailed as exc:
        paste.text.errors = [exc.fields.get("text", exc.message)]
        return _baseline_page(org, year, paste=paste, status=400)
    if not found:
        paste.text.errors = ["文本中没有找到带单位的数据(如 68件、780余次、10批11人次)"]
        return _baseline_page(org, year, paste=paste, status=400)
    review = ReviewForm(formdata=None)
    for row in baselines.as_rows(found):
        review.rows.append_entry({"keep": row["selected"], "name": row["name"], "value": row["value"],
                                  "unit": row["unit"], "is_approximate": row["is_approximate"],
                                  "is_stock": row["kind"] == "stock",
                                  "report_section": str(row["report_section"] or ""), "source": row["source"],
                                  "scope": row["scope"]})
    return _baseline_page(org, year, paste=paste, review=review)


def _number(text):
    try:
        return Decimal((text or "").strip())
    except InvalidOperation:
        return text  # the service says what is wrong with it


@bp.route("/<int:org_id>/<int:year>/baseline/save", methods=["POST"])
@roles_required("committee")
def baseline_save(org_id, year):
    org = readable_org(org_id)
    review = ReviewForm()
    if review.validate_on_submit():
        kept = [(i, entry.form) for i, entry in enumerate(review.rows) if entry.form.keep.data]
        rows, rename = [], {}
        for n, (i, f) in enumerate(kept):
            section = (f.report_section.data or "").strip()
            rows.append({"name": f.name.data, "value": _number(f.value.data), "unit": f.unit.data,
                         "is_approximate": f.is_approximate.data, "source": f.source.data,
                         "kind": "stock" if f.is_stock.data else "flow", "scope": f.scope.data or "",
                         "report_section": as_int(section, section or None)})
            rename.update({f"rows.{n}.{k}": f"rows.{i}.{k}" for k in ROW_FIELDS})
            rename[f"rows.{n}"] = f"rows.{i}.name"
        saved = perform(review, baselines.save_baseline, current_user, org, year - 1, rows, rename=rename)
        if saved is not FAILED:
            flash(f"已保存{year - 1}年基数数据{len(saved)}项。", "success")
            return redirect(url_for("reports.baseline", org_id=org.id, year=year))
    return _baseline_page(org, year, review=review, status=400)


@bp.route("/<int:org_id>/<int:year>/baseline/<int:figure_id>/delete", methods=["POST"])
@roles_required("committee")
def baseline_delete(org_id, year, figure_id):
    org = readable_org(org_id)
    form = ActionForm()
    if form.validate_on_submit() and perform(form, baselines.delete_baseline, current_user, org,
                                             figure_id) is not FAILED:
        flash("已删除。", "success")
    return redirect(url_for("reports.baseline", org_id=org.id, year=year))


@bp.route("/<int:org_id>/catalogue", methods=["GET", "POST"])
@roles_required(*READERS)
def catalogue_page(org_id):
    org = readable_org(org_id)
    form = CatalogueForm()
    status = 200
    if request.method == "POST":
        if current_user.role != "committee":
            abort(403)
        if form.validate_on_submit():
            item = perform(form, catalogue.add_definition, current_user, org, form.name.data, form.unit.data,
                           form.description.data or "", form.report_section.data)
            if item is not FAILED:
                flash(f"已加入数据目录:{item.name}({item.unit})。", "success")
                return redirect(url_for("reports.catalogue_page", org_id=org.id))
        status = 400
    items = catalogue.catalogue_for(org, include_inactive=True)
    return render_template("reports/catalogue.html", org=org, items=items, form=form, action=ActionForm(),
                           year=request.args.get("year", ""), can_edit=is_committee_of(current_user, org.id)), status


@bp.route("/<int:org_id>/catalogue/<int:item_id>/toggle", methods=["POST"])
@roles_required("committee")
def catalogue_toggle(org_id, item_id):
    org = readable_org(org_id)
    item = db.session.get(MetricDefinition, item_id)
    if item is None or item.org_id != org.id:
        abort(404)
    form = ActionForm()
    if form.validate_on_submit():
        perform(form, catalogue.set_active, current_user, item, not item.is_active)
    return redirect(url_for("reports.catalogue_page", org_id=org.id))


@bp.route("/<int:org_id>/<int:year>/template", methods=["GET", "POST"])
@roles_required(*READERS)
def template_page(org_id, year):
    org = readable_org(org_id)
    shape = template.shape_for(org, year)
    form = TemplateForm()
    status = 200
    if request.method == "GET":
        form.addressee.data, form.parts.data = shape.addressee, "\n".join(shape.parts)
        form.sections.data = "\n".join(shape.sections)
    else:
        if current_user.role != "committee":
            abort(403)
        if form.validate_on_submit() and perform(
                form, template.save_template, current_user, org, year, addressee=form.addressee.data,
                parts=form.parts.data, sections=form.sections.data) is not FAILED:
            flash(f"{year}年报告模板已保存;重新生成初稿后生效。", "success")
            return redirect(url_for("reports.index", org=org.id, year=year))
        status = 400
    return render_template("reports/template.html", org=org, year=year, form=form, shape=shape,
                           can_edit=is_committee_of(current_user, org.id)), status
