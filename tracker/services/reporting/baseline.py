"""Baseline figures (last year's), entered by hand or saved from reviewed extraction candidates."""
from decimal import Decimal

from sqlalchemy import select

from tracker.extensions import db
from tracker.models import FIGURE_KINDS, BaselineFigure, Organisation, User
from tracker.services import audit
from tracker.services.errors import NotFound, ValidationFailed
from tracker.services.figures.catalogue import kind_of
from tracker.services.people.access import require_committee
from tracker.services.tasks.progress import _clean_metrics
from tracker.services.validation import YEAR_MESSAGE, clean_text, is_year

MAX_ROWS = 200


def _clean_rows(rows) -> tuple[list[dict], dict]:
    errors: dict = {}
    if not isinstance(rows, list) or not rows or len(rows) > MAX_ROWS:
        return [], {"rows": f"请至少选择一项数据(最多{MAX_ROWS}项)"}
    out, seen = [], {}
    for i, row in enumerate(rows):
        if not isinstance(row, dict):
            errors[f"rows.{i}.name"] = "每项数据须包含名称、数值和单位"
            continue
        sub: dict = {}
        # One row at a time through the progress form's own figure check, so the messages are the same.
        figure = _clean_metrics(sub, [{k: row.get(k) for k in ("name", "value", "unit")}])
        for key, msg in sub.items():
            errors[key.replace("metrics.0", f"rows.{i}")] = msg
        if not figure:
            continue
        name, value, unit = figure[0]
        if not unit:
            errors[f"rows.{i}.unit"] = f"“{name}”缺少单位(如 件、次、人)"
            continue
        if (name, unit) in seen:
            errors[f"rows.{i}.name"] = f"“{name}({unit})”与第{seen[(name, unit)] + 1}行重复,请合并或改名"
            continue
        seen[(name, unit)] = i
        sub: dict = {}
        source = clean_text(sub, "source", "出处", row.get("source"), max_len=500)
        section = row.get("report_section")
        if section in ("", None):
            section = None
        elif isinstance(section, bool) or not isinstance(section, int) or not 1 <= section <= 10:
            sub["report_section"] = "报告板块须在1到10之间"
        kind = row.get("kind") or kind_of(name, unit)
        if kind not in FIGURE_KINDS:
            sub["kind"] = "类型须为累计(flow)或现有(stock)"
        scope = clean_text(sub, "scope", "统计口径", row.get("scope"), max_len=500)
        for key, msg in sub.items():
            errors[f"rows.{i}.{key}"] = msg
        out.append({"name": name, "value": value, "unit": unit, "source": source, "report_section": section,
                    "is_approximate": bool(row.get("is_approximate")), "kind": kind, "scope": scope})
    return out, errors


def save_baseline(actor: User | None, org: Organisation, year, rows) -> list[BaselineFigure]:
    """Save figures for `year` (name, value, unit required); a figure already there is overwritten."""
    if actor is not None:
        require_committee(actor, org.id, "baseline.save")
    if not is_year(year):
        raise ValidationFailed(YEAR_MESSAGE, {"year": YEAR_MESSAGE})
    cleaned, errors = _clean_rows(rows)
    if errors:
        raise ValidationFailed("基数数据有误,请检查标出的行。", errors)
    existing = {(b.name, b.unit): b for b in db.session.scalars(
        select(BaselineFigure).where(BaselineFigure.org_id == org.id, BaselineFigure.year == year))}
    saved, changes = [], []
    for row in cleaned:
        item = existing.get((row["name"], row["unit"]))
        before = None if item is None else float(item.value)
        if item is None:
            item = BaselineFigure(org_id=org.id, year=year, name=row["name"], unit=row["unit"],
                                  created_by_id=actor.id if actor else None)
            db.session.add(item)
        item.value, item.is_approximate = row["value"], row["is_approximate"]
        item.report_section, item.source = row["report_section"], row["source"]
        item.kind, item.scope = row["kind"], row["scope"]
        saved.append(item)
        changes.append({"name": row["name"], "unit": row["unit"], "before": before, "after": float(row["value"])})
    db.session.flush()
    audit.record(actor, "baseline.save", org_id=org.id, changes={"year": year, "figures": changes})
    return saved


def baseline_rows(org: Organisation, year: int) -> list[BaselineFigure]:
    return list(db.session.scalars(select(BaselineFigure).where(
        BaselineFigure.org_id == org.id, BaselineFigure.year == year)
        .order_by(BaselineFigure.report_section.is_(None), BaselineFigure.report_section, BaselineFigure.id)))


def delete_baseline(actor: User, org: Organisation, figure_id) -> None:
    """Remove one baseline figure of the organisation."""
    require_committee(actor, org.id, "baseline.delete")
    item = db.session.get(BaselineFigure, figure_id) if isinstance(figure_id, int) else None
    if item is None or item.org_id != org.id:
        raise NotFound("基数数据不存在")
    audit.record(actor, "baseline.delete", org_id=org.id,
                 changes={"year": item.year, "name": item.name, "unit": item.unit, "value": float(item.value)})
    db.session.delete(item)
    db.session.flush()


def as_rows(candidates) -> list[dict]:
    """Extraction candidates as rows save_baseline accepts (the review form's starting values)."""
    return [{"name": c.name, "value": str(c.value if isinstance(c.value, Decimal) else Decimal(c.value)),
             "unit": c.unit, "is_approximate": c.is_approximate, "report_section": c.section,
             "source": c.source, "selected": c.selected, "kind": c.kind, "scope": c.scope} for c in candidates]
