"""Editing the draft section by section: versions, regeneration keeps edits, revert, stale edits refused."""
import pytest
from sqlalchemy import select

from tests.report_fixtures import TODAY, baseline, post, year_plan  # noqa: F401
from tracker.extensions import db
from tracker.models import PlanTask
from tracker.services.errors import Conflict, PermissionDenied, ValidationFailed
from tracker.services.people import users
from tracker.services.plans import carry_over as carrying
from tracker.services.plans import verbs as plans
from tracker.services.reporting import draft as drafts
from tracker.services.reporting.render import to_markdown
from tracker.services.reporting.template import save_template
from tracker.services.reporting.wording import official

EDIT = "全年共组织开展普法宣讲12次,受众1500余人。(党政办改写)"


def generate(world):
    result = drafts.generate(users.get_user("office"), world.plan.org, 2026, TODAY)
    db.session.commit()
    return result


def test_edit_then_regenerate_keeps_the_edit_and_flags_new_generated_text(world, year_plan, baseline):
    draft = generate(world)
    office = users.get_user("office")
    drafts.edit_section(office, draft, "1.7", EDIT)
    db.session.commit()
    post(year_plan["lecture"], "cadre", 100, "又宣讲1次", [{"name": "普法宣讲", "value": 1, "unit": "次"}])
    draft = generate(world)
    section = draft.section("1.7")
    assert section.text == official(EDIT) and section.has_newer_generated
    assert "普法宣讲13次" in section.generated_text
    assert [v.kind for v in section.versions] == ["generated", "edited", "generated"]
    # the edit is kept in the report's punctuation, as every text entering the draft (issue 15.6)
    assert official(EDIT) == "全年共组织开展普法宣讲12次，受众1500余人。（党政办改写）"
    assert official(EDIT) in to_markdown(draft) and "普法宣讲13次" not in to_markdown(draft)
    # an untouched section follows the data
    assert not draft.section("1.3").is_edited
    # the committee may take the new text; the edit stays in the history
    drafts.revert_section(office, draft, "1.7")
    db.session.commit()
    assert "普法宣讲13次" in draft.section("1.7").text and not draft.section("1.7").has_newer_generated
    assert any(v.text == official(EDIT) for v in draft.section("1.7").versions)


def test_regenerating_unchanged_data_adds_no_versions(world, year_plan, baseline):
    draft = generate(world)
    drafts.edit_section(users.get_user("office"), draft, "2", "本年度无明显不足。")
    db.session.commit()
    draft = generate(world)
    assert draft.generation == 2
    assert len(draft.section("1.7").versions) == 1 and not draft.section("2").has_newer_generated
    assert draft.section("2").text == "本年度无明显不足。"


def test_a_stale_base_version_and_bad_text_are_refused(world, year_plan):
    draft = generate(world)
    office = users.get_user("office")
    with pytest.raises(Conflict):
        drafts.edit_section(office, draft, "1.1", "新内容", base_version=7)
    for bad in ("", "   ", None, 5, "字" * 50_001):
        with pytest.raises(ValidationFailed):
            drafts.edit_section(office, draft, "1.1", bad)
    with pytest.raises(PermissionDenied):
        drafts.edit_section(users.get_user("leader"), draft, "1.1", "新内容")
    from tracker.services.errors import NotFound
    with pytest.raises(NotFound):
        drafts.edit_section(office, draft, "9.9", "新内容")
    db.session.rollback()
    assert not draft.section("1.1").is_edited


def test_stored_template_changes_the_headings(world, year_plan):
    office = users.get_user("office")
    save_template(office, world.plan.org, 2026, addressee="县委、县政府",
                  parts="主要举措和成效\n存在的不足\n下一步安排", sections="学习贯彻\n依法行政\n基层治理")
    db.session.commit()
    draft = generate(world)
    assert [s.title for s in draft.sections if s.part == 1] == ["（一）学习贯彻", "（二）依法行政", "（三）基层治理"]
    assert draft.section("2").title == "二、存在的不足"
    from tracker.services.plans.sections import sections_for
    assert sections_for(world.plan.org, 2026) == ["学习贯彻", "依法行政", "基层治理"]
    with pytest.raises(ValidationFailed) as info:
        save_template(office, world.plan.org, 2026, addressee="", parts="一\n二", sections="")
    assert set(info.value.fields) >= {"addressee", "parts", "sections"}


def test_carry_over_creates_next_years_plan_with_the_chosen_tasks(world, year_plan):
    office = users.get_user("office")
    open_ids = [c.task.id for c in carrying.candidates(office, world.plan)]
    record = carrying.carry_over(office, world.plan, open_ids)
    db.session.commit()
    nxt = plans.plan_for(world.plan.org, 2027)
    assert nxt.id == record.to_plan_id and [t.key for t in nxt.themes] == ["法", "新", "实"]
    carried = db.session.scalars(select(PlanTask).where(PlanTask.plan_id == nxt.id)).all()
    sources = {t.carried_from_id for t in carried}
    assert year_plan["cancelled"].id not in sources and year_plan["lecture"].id in sources
    assert len(record.moved) == len(carried) == 4 and all(t.status == "assigned" for t in carried)
    assert carrying.candidates(office, world.plan) == []  # nothing left to carry
    with pytest.raises(PermissionDenied):
        carrying.candidates(users.get_user("cadre"), world.plan)
