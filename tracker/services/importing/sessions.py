"""Imports awaiting review: kept in the database so a review survives a reload, changed only by the committee."""
import copy

from sqlalchemy import select
from sqlalchemy.orm.attributes import flag_modified

from tracker.extensions import db
from tracker.models import ImportSession, Organisation, Plan, User
from tracker.services.errors import NotFound, ValidationFailed
from tracker.services.importing import create, measures, read_report
from tracker.services.importing.sections import suggest_section
from tracker.services.importing.table import read_table
from tracker.services.people.access import require_committee
from tracker.services.plans import verbs as plans
from tracker.services.plans.sections import clean_section
from tracker.services.validation import TEXT_MAX, TITLE_MAX

ROW_FIELDS = ("theme", "title", "description", "owner", "lead", "co_owners", "unit", "start", "due", "section")


def start_import(actor: User, filename: str, data: bytes, year) -> ImportSession:
    """Check and parse an upload (.txt/.docx report or .xlsx table) into a session awaiting review."""
    require_committee(actor, actor.org_id, "import.start")
    year = create.check_year(year)
    name = (filename or "").strip()[-255:]
    if name.lower().endswith(".xlsx"):
        table = read_table(name, data)
        payload = {"sheet": table["sheet"], "columns": table["columns"], "rows": table["rows"], "warnings": []}
        kind = "table"
    else:
        if plans.plan_for(actor.org, year) is not None:  # a report makes a new plan: say so now, not at the end
            message = f"{year}年计划已经存在;要补充任务,请用任务表(.xlsx)导入,或在计划页新建任务"
            raise ValidationFailed(message, {"year": message}, action="import.start")
        parsed = read_report(name, data, year)
        candidates, themes = [], []
        for theme in parsed["themes"]:
            themes.append({"key": theme["key"], "title": theme["title"]})
            for task in theme["tasks"]:
                candidates.append({**task, "id": len(candidates) + 1, "theme": theme["key"], "keep": True})
        payload = {"heading": parsed["heading"], "text_year": parsed["year"], "warnings": parsed["warnings"],
                   "themes": themes, "candidates": candidates, "next_id": len(candidates) + 1}
        kind = "report"
    session = ImportSession(org_id=actor.org_id, user_id=actor.id, kind=kind, filename=name or "未命名",
                            year=year, status="pending", payload=payload)
    db.session.add(session)
    db.session.flush()
    return session


def pending_sessions(actor: User) -> list[ImportSession]:
    return db.session.scalars(select(ImportSession).where(
        ImportSession.org_id == actor.org_id, ImportSession.status == "pending")
        .order_by(ImportSession.id.desc()).limit(20)).all()


def load_session(actor: User, session_id: int) -> ImportSession:
    """A pending session of the actor's organisation, for its committee; others get NotFound."""
    session = db.session.get(ImportSession, session_id)
    if session is None or session.org_id != actor.org_id or session.status != "pending":
        raise NotFound("导入记录不存在或已处理")
    require_committee(actor, session.org_id, "import.review")
    return session


def _save(session: ImportSession, payload: dict) -> None:
    # Edits work on a deep copy: a JSON column only notices a change it is told about.
    session.payload = payload
    flag_modified(session, "payload")
    db.session.flush()


def edit_candidates(session: ImportSession, themes: dict, edits: dict, action: str | None) -> None:
    """Apply the reviewer's edits, then one action: merge:ID (into the one above), split:ID, drop:ID, keep:ID."""
    payload = copy.deepcopy(session.payload)
    errors = {}
    for theme in payload["themes"]:
        if theme["key"] in themes:
            theme["title"] = (themes[theme["key"]] or "").strip()[:200] or theme["title"]
    keys = {t["key"] for t in payload["themes"]}
    org = db.session.get(Organisation, session.org_id)
    for c in payload["candidates"]:
        edit = edits.get(c["id"])
        if not edit:
            continue
        c["title"] = (edit.get("title") or "").strip()[:TITLE_MAX + 50]
        c["description"] = (edit.get("description") or "").strip()[:TEXT_MAX + 100]
        c["keep"] = bool(edit.get("keep"))
        if edit.get("theme") in keys:
            c["theme"] = edit["theme"]
        raw = str(edit.get("report_section") or "").strip()
        section = clean_section(errors, f"candidates.{c['id']}.report_section",
                                int(raw) if raw.isdecimal() and len(raw) < 4 else None, org, session.year)
        if section is not None:
            c["report_section"] = section
    if action:
        _act(payload, action)
    _save(session, payload)
    if errors:
        raise ValidationFailed("部分修改未保存,请检查标出的内容。", errors)


def _act(payload: dict, action: str) -> None:
    verb, _, ref = action.partition(":")
    candidates = payload["candidates"]
    index = next((i for i, c in enumerate(candidates) if str(c["id"]) == ref), None)
    if index is None or verb not in ("merge", "split", "drop", "keep"):
        raise ValidationFailed("无法识别的操作", {"action": "无法识别的操作"})
    current = candidates[index]
    if verb in ("drop", "keep"):
        current["keep"] = verb == "keep"
    elif verb == "merge":
        if index == 0:
            raise ValidationFailed("第一条任务上面没有可合并的任务", {"action": "无法合并"})
        above = candidates[index - 1]
        above["description"] = "，".join(p for p in (above["description"], current["description"]) if p)
        if current["source"] not in above["source"]:
            above["source"] = f"{above['source']}{current['source']}"
        above["keep"] = True
        del candidates[index]
    else:
        parts = _halves(current["description"] or current["title"])
        if parts is None:
            raise ValidationFailed("这条任务只有一句话,无法再拆分;可直接修改任务名称", {"action": "无法拆分"})
        new = []
        for part in parts:
            groups = measures.group_measures(part)
            title = measures.title_of(groups[0]) if groups else measures.clip(part)
            new.append({**current, "id": payload["next_id"], "title": title, "description": part,
                        "report_section": suggest_section(title, part), "keep": True})
            payload["next_id"] += 1
        candidates[index:index + 1] = new


def _halves(text: str) -> list[str] | None:
    """Two parts of a description: at a sentence end near the middle, else at a comma."""
    for pieces, joiner in ((measures.sentences(text), "。"), (measures.clauses(text.rstrip("。")), "，")):
        if len(pieces) >= 2:
            middle = (len(pieces) + 1) // 2
            return [joiner.join(pieces[:middle]), joiner.join(pieces[middle:])]
    return None


def edit_rows(session: ImportSession, edits: dict, drop: int | None = None) -> None:
    """Replace the typed values of the edited rows (by row number); optionally leave one row out."""
    payload = copy.deepcopy(session.payload)
    rows = []
    for row in payload["rows"]:
        if drop is not None and row["number"] == drop:
            continue
        if row["number"] in edits:
            values = dict(row["values"])
            for field in ROW_FIELDS:
                if field in edits[row["number"]]:
                    values[field] = (edits[row["number"]][field] or "").strip()[:TEXT_MAX]
            row = {**row, "values": values}
        rows.append(row)
    payload["rows"] = rows
    _save(session, payload)


def commit(actor: User, session: ImportSession) -> Plan:
    """Create the plan from the reviewed session; a refusal leaves the session pending for more fixes."""
    org = session.user.org if session.user.org_id == session.org_id else actor.org
    if session.kind == "report":
        plan = create.create_from_candidates(actor, org, session.year, session.payload["themes"],
                                             session.payload["candidates"])
    else:
        plan = create.create_from_rows(actor, org, session.year, session.payload["rows"])
    session.status, session.plan_id = "imported", plan.id
    db.session.flush()
    return plan


def discard(actor: User, session: ImportSession) -> None:
    session.status = "discarded"
    db.session.flush()
