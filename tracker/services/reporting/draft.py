"""The report draft: generate or regenerate it in place, keeping the committee's edits, with every version."""
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from tracker.extensions import db
from tracker.models import Organisation, Plan, ReportDraft, ReportSection, ReportSectionVersion, User
from tracker.models.types import utcnow
from tracker.services import audit
from tracker.services.errors import Conflict, NotFound, ValidationFailed
from tracker.services.infra.safe_text import typed
from tracker.services.people.access import can_read_org, require_committee
from tracker.services.plans.sections import NUMERALS
from tracker.services.plans.verbs import plan_for
from tracker.services.reporting import closing, writer
from tracker.services.reporting.annex import annex_rows
from tracker.services.reporting.collect import collect
from tracker.services.reporting.figures import fingerprint, number
from tracker.services.reporting.template import shape_for
from tracker.services.reporting.wording import official
from tracker.services.validation import YEAR_MESSAGE, is_year

SECTION_TEXT_MAX = 50_000
PART_NUMERALS = "一二三"


@dataclass
class Planned:
    key: str
    part: int
    title: str
    written: writer.Written


def report_title(org: Organisation, year: int) -> str:
    return f"{org.name}{year}年度法治政府建设工作报告"


def require_plan(org: Organisation, year) -> Plan:
    """The organisation's plan for the report's year, or a clear refusal."""
    if not is_year(year):
        raise ValidationFailed(YEAR_MESSAGE, {"year": YEAR_MESSAGE})
    plan = plan_for(org, year)
    if plan is None:
        raise ValidationFailed(f"{org.name}没有{year}年的计划，无法生成报告", {"year": "该年度没有计划"})
    return plan


def _notes(data, org: Organisation) -> list[str]:
    """What is missing or needs checking, said plainly at the top of the draft."""
    notes = []
    year = data.plan.year
    if not data.tasks:
        notes.append(f"{year}年计划中还没有任务，报告各部分只能说明暂无工作记录。")
    if not data.has_baseline:
        notes.append(f"尚未录入{year - 1}年的基数数据，无法计算较上年的增减；可在“上年基数”中录入或从上年报告提取。")
    no_unit = [f.name for f in data.figures if not f.unit and f.sources]
    if no_unit:
        notes.append("以下数据在进展反馈中没有填写单位，已按原样合计，请核实：" + "、".join(no_unit) + "。")
    new = [f"{f.name}（{f.unit}）" for f in data.figures if f.sources and f.unit and f.baseline is None
           and not f.not_compared]
    if new and data.has_baseline:
        notes.append("以下数据上年没有基数，未作同比：" + "、".join(new) + "。")
    gone = [f"{f.name}{number(f.baseline)}{f.unit}" for f in data.figures if not f.sources]
    if gone:
        notes.append("以下上年数据本年没有对应的进展数据：" + "、".join(gone) + "。")
    cancelled = [f.name for f in data.figures if f.cancelled_total]
    if cancelled:
        notes.append("以下数据含已取消任务取消前完成的工作量（已计入，附件中标注）：" + "、".join(cancelled) + "。")
    notes += [f"{f.name}：{f.not_compared}。" for f in data.figures if f.not_compared and f.sources]
    return [official(note) for note in notes]  # names and units come from people's typing


def _plan_sections(data, org: Organisation, shape, outline, causes=None) -> list[Planned]:
    out = [Planned("opening", 0, "", writer.opening(data, org.name))]
    for i, title in enumerate(shape.sections, start=1):
        out.append(Planned(f"1.{i}", 1, f"（{NUMERALS[i - 1]}）{title}", writer.achievements_section(data, i)))
    out.append(Planned("2", 2, f"二、{shape.parts[1]}", closing.shortcomings(data, org.name, causes)))
    out.append(Planned("3", 3, f"三、{shape.parts[2]}", closing.next_year(data, org.name, outline)))
    return out


def _empty_notes(planned: list[Planned]) -> list[str]:
    """A section with nothing to say is left for the committee to write, and said so outside the body."""
    empty = [p.title for p in planned if p.part and not p.written.text]
    return [official(f"以下部分没有可据以生成的任务和数据，请补写：{'、'.join(empty)}。")] if empty else []


def _latest_versions(draft: ReportDraft) -> dict[int, int]:
    """Section id → its latest version number, without loading earlier texts (a big year's are large)."""
    if draft.id is None:
        return {}
    return dict(db.session.execute(
        select(ReportSectionVersion.section_id, func.max(ReportSectionVersion.number))
        .join(ReportSection, ReportSection.id == ReportSectionVersion.section_id)
        .where(ReportSection.draft_id == draft.id).group_by(ReportSectionVersion.section_id)).all())


def _add_version(section: ReportSection, kind: str, text: str, actor: User | None, latest: dict) -> None:
    number_ = latest.get(section.id, 0) + 1 if section.id else 1
    version = ReportSectionVersion(number=number_, kind=kind, text=text, author_id=actor.id if actor else None)
    if section.id is None:
        section.versions.append(version)  # a new section: its empty collection needs no loading
    else:
        version.section_id = section.id
        db.session.add(version)
    latest[section.id] = number_


def generate(actor: User | None, org: Organisation, year, today: date) -> ReportDraft:
    """Write (or rewrite) the draft for `year`; sections the committee edited keep their edit and are flagged."""
    if actor is not None:
        require_committee(actor, org.id, "report.generate")
    plan = require_plan(org, year)
    shape = shape_for(org, year)
    draft = load_draft(org, year)
    if draft is None:
        draft = ReportDraft(org_id=org.id, year=year, generation=0, summaries={}, causes={})
        db.session.add(draft)
    draft.title, draft.addressee, draft.parts = report_title(org, year), shape.addressee, list(shape.parts)
    data = collect(plan, today, draft.summaries)
    outline = closing.next_plan(plan)
    planned = _plan_sections(data, org, shape, outline, draft.causes)
    for item in planned:  # the one pass of the report's punctuation over everything generated
        item.written.text = official(item.written.text)
    draft.figures = [f.as_dict() for f in data.figures]
    draft.notes = _notes(data, org) + _empty_notes(planned)
    draft.annex = annex_rows(data, closing.carried_to_year(plan))
    draft.fingerprint = data.fingerprint
    draft.generation += 1
    draft.generated_by_id, draft.generated_at = (actor.id if actor else None), utcnow()
    existing = {s.key: s for s in draft.sections}
    latest = _latest_versions(draft)
    flagged = []
    for position, item in enumerate(planned):
        section = existing.pop(item.key, None)
        if section is None:
            section = ReportSection(key=item.key, part=item.part, position=position, title=item.title,
                                    generated_text=item.written.text, sources=item.written.sources,
                                    has_newer_generated=False)
            draft.sections.append(section)
            _add_version(section, "generated", item.written.text, actor, latest)
            continue
        section.position, section.part, section.title = position, item.part, item.title
        section.sources = item.written.sources
        if section.generated_text != item.written.text:
            section.generated_text = item.written.text
            _add_version(section, "generated", item.written.text, actor, latest)
            if section.is_edited:
                section.has_newer_generated = True
                flagged.append(item.key)
    for leftover in existing.values():  # the template lost a section: keep an edit, drop the rest
        if leftover.is_edited:
            leftover.position, leftover.has_newer_generated = len(planned) + leftover.position, True
        else:
            draft.sections.remove(leftover)
    db.session.flush()
    audit.record(actor, "report.generate", obj=draft, org_id=org.id,
                 changes={"year": year, "generation": draft.generation, "edits_kept": flagged,
                          "figures": len(draft.figures)})
    return draft


def load_draft(org: Organisation, year: int) -> ReportDraft | None:
    return db.session.scalar(select(ReportDraft).where(ReportDraft.org_id == org.id, ReportDraft.year == year)
                             .options(selectinload(ReportDraft.sections)))


def readable_draft(user: User, org: Organisation, year: int) -> ReportDraft | None:
    """The draft if the user may read the organisation."""
    if not can_read_org(user, org):
        raise NotFound("报告不存在")
    return load_draft(org, year)


def is_stale(draft: ReportDraft) -> bool:
    """True when tasks, updates or figures changed after the draft was generated."""
    plan = plan_for(draft.org, draft.year)
    return plan is None or fingerprint(plan.id) != draft.fingerprint


def _section(draft: ReportDraft, key) -> ReportSection:
    section = draft.section(key) if isinstance(key, str) else None
    if section is None:
        raise NotFound("报告中没有这一部分")
    return section


def edit_section(actor: User, draft: ReportDraft, key, text, *, base_version=None) -> ReportSection:
    """Save the committee's text for a section as a new version; a stale base version is refused."""
    require_committee(actor, draft.org_id, "report.edit")
    section = _section(draft, key)
    current = _latest_versions(draft).get(section.id, 0)
    if base_version is not None and base_version != current:
        raise Conflict("这一部分已被他人修改或重新生成,请刷新后再改",
                       {"text": f"当前版本为第{current}版"})
    if not isinstance(text, str) or not text.strip():
        raise ValidationFailed("内容不能为空", {"text": "内容不能为空"})
    text = "\n".join(official(line.rstrip()) for line in typed(text).strip().split("\n"))
    if len(text) > SECTION_TEXT_MAX:
        raise ValidationFailed("内容过长", {"text": f"内容不能超过{SECTION_TEXT_MAX}个字"})
    if text == section.text:
        return section
    before = section.text
    section.edited_text, section.edited_by_id, section.edited_at = text, actor.id, utcnow()
    section.has_newer_generated = False
    _add_version(section, "edited", text, actor, _latest_versions(draft))
    db.session.flush()
    audit.record(actor, "report.edit", obj=section, org_id=draft.org_id,
                 changes={"year": draft.year, "section": section.key, "text": (before, text)})
    return section


def revert_section(actor: User, draft: ReportDraft, key) -> ReportSection:
    """Drop the edit and use the latest generated text again (kept as a version, so nothing is lost)."""
    require_committee(actor, draft.org_id, "report.revert")
    section = _section(draft, key)
    if not section.is_edited:
        return section
    before = section.edited_text
    section.edited_text, section.has_newer_generated = None, False
    section.edited_by_id, section.edited_at = actor.id, utcnow()
    _add_version(section, "reverted", section.generated_text, actor, _latest_versions(draft))
    db.session.flush()
    audit.record(actor, "report.revert", obj=section, org_id=draft.org_id,
                 changes={"year": draft.year, "section": section.key, "text": (before, section.generated_text)})
    return section


def orgs_with_plan(year: int) -> list[Organisation]:
    """Organisations that have a plan for that year (the CLI's --org may be left out when there is one)."""
    return list(db.session.scalars(select(Organisation).join(Plan, Plan.org_id == Organisation.id)
                                   .where(Plan.year == year).order_by(Organisation.id)))
