"""Last year's figures: extraction from the seed report's text, review, saving, and the catalogue."""
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from tests.conftest import SEED, TODAY
from tracker.extensions import db
from tracker.models import BaselineFigure, MetricDefinition
from tracker.services.demo import load_demo
from tracker.services.errors import PermissionDenied, ValidationFailed
from tracker.services.figures import catalogue
from tracker.services.people import users
from tracker.services.reporting.baseline import as_rows, baseline_rows, save_baseline
from tracker.services.reporting.extract import extract


@pytest.fixture(scope="module")
def seed_figures():
    return extract(SEED.read_text(encoding="utf-8"))


def find(figures, name, unit):
    return [c for c in figures if c.name == name and c.unit == unit]


def test_finds_at_least_25_figures_with_units_in_the_seed(seed_figures):
    assert len(seed_figures) >= 25
    assert all(c.unit and c.name and c.value >= 0 for c in seed_figures)
    text = SEED.read_text(encoding="utf-8")
    # each points at its statements (two of one figure in one section are summed, both kept, "；" between)
    assert all(c.source and all(part in text for part in c.source.split("；")) for c in seed_figures)


def test_seed_figures_with_their_units_and_sections(seed_figures):
    assert [(c.value, c.section) for c in find(seed_figures, "行政许可", "件")] == [(68, 2)]
    assert [(c.value, c.section) for c in find(seed_figures, "线上办件", "件")] == [(635, 2)]
    advice = find(seed_figures, "政策咨询", "次")[0]
    assert advice.value == 780 and advice.is_approximate and advice.display == "780余次"
    assert find(seed_figures, "合法性审查", "次")[0].value == 4
    assert find(seed_figures, "网格员", "人")[0].value == 44
    # 10批11人次: one statement, two figures
    assert find(seed_figures, "接待来访", "批")[0].value == 10
    assert find(seed_figures, "接待来访人次", "人次")[0].value == 11
    assert not any(c.unit in ("年", "月") for c in seed_figures)
    # no figures from parts 二 and 三 (weaknesses and plans), and no years taken for counts
    assert not any(c.value in (2023, 2024, 12345) for c in seed_figures)


def test_a_statement_repeated_in_two_sections_counts_once(seed_figures):
    lectures = find(seed_figures, "普法宣讲", "次")
    assert len(lectures) == 1 and lectures[0].value == 7 and lectures[0].sections == [5, 7]
    audience = find(seed_figures, "普法受众", "人")
    assert len(audience) == 1 and audience[0].value == 820 and audience[0].is_approximate


def test_a_qualifier_before_what_a_figure_counts_is_its_scope(seed_figures):
    # the seed's 培训 are “综合行政执法队伍培训等各类学习培训”: law-enforcement training only, and so its 参训人次
    assert find(seed_figures, "培训", "场")[0].scope == "仅计行政执法队伍培训"
    assert find(seed_figures, "培训人次", "人次")[0].scope == "仅计行政执法队伍培训"
    assert not any(c.scope for c in seed_figures if c.name not in ("培训", "培训人次"))
    scoped = {c.name: (c.value, c.scope) for c in extract("(三)执法\n组织行政执法人员培训2场，参训人次40人次。")}
    assert scoped == {"培训": (2, "仅计行政执法人员培训"), "培训人次": (40, "仅计行政执法人员培训")}
    # another kind of training in the sentence: the sum and its 人次 count more than the qualifier says
    mixed = {c.name: (c.value, c.scope) for c in extract("(三)执法\n组织执法培训2场，业务培训3场，参训人次40人次。")}
    assert mixed == {"培训": (5, ""), "培训人次": (40, "")}
    assert [c.scope for c in extract("(七)保障\n组织网格员业务培训6场。")] == [""]
    assert as_rows(find(seed_figures, "培训", "场"))[0]["scope"] == "仅计行政执法队伍培训"


def test_reviewed_candidates_save_as_baseline(world, seed_figures):
    office = users.get_user("office")
    rows = [r for r in as_rows(seed_figures) if r.pop("selected")]
    saved = save_baseline(office, world.plan.org, 2025, rows)
    db.session.commit()
    assert len(saved) == len(rows) >= 25
    stored = {(b.name, b.unit): b for b in baseline_rows(world.plan.org, 2025)}
    assert stored[("普法受众", "人")].value == Decimal(820) and stored[("普法受众", "人")].is_approximate
    # saving again overwrites, never duplicates
    save_baseline(office, world.plan.org, 2025, [{"name": "行政许可", "value": 70, "unit": "件"}])
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(BaselineFigure)) == len(rows)
    assert baseline_rows(world.plan.org, 2025)[0].org_id == world.plan.org.id


@pytest.mark.parametrize("rows, field", [
    ([{"name": "行政许可", "value": 68, "unit": ""}], "rows.0.unit"),          # a figure without unit
    ([{"name": "", "value": 68, "unit": "件"}], "rows.0.name"),
    ([{"name": "行政许可", "value": "六十八", "unit": "件"}], "rows.0.value"),
    ([{"name": "行政许可", "value": -1, "unit": "件"}], "rows.0.value"),
    ([{"name": "A", "value": 1, "unit": "件"}, {"name": "A", "value": 2, "unit": "件"}], "rows.1.name"),
    ([], "rows"),
    ("68件", "rows"),
])
def test_bad_baseline_rows_are_refused_and_nothing_is_saved(world, rows, field):
    with pytest.raises(ValidationFailed) as info:
        save_baseline(users.get_user("office"), world.plan.org, 2025, rows)
    db.session.rollback()
    assert field in info.value.fields and info.value.fields[field]
    assert db.session.scalar(select(func.count()).select_from(BaselineFigure)) == 0


def test_only_the_committee_saves_baselines(world):
    with pytest.raises(PermissionDenied):
        save_baseline(users.get_user("cadre"), world.plan.org, 2025, [{"name": "A", "value": 1, "unit": "件"}])


def test_catalogue_is_seeded_and_grows_on_the_spot(world):
    org = world.plan.org
    names = {(m.name, m.unit) for m in catalogue.catalogue_for(org)}
    for expected in [("行政许可", "件"), ("线上办件", "件"), ("政策咨询", "次"), ("普法宣讲", "次"), ("普法受众", "人"),
                     ("合法性审查", "次"), ("接待来访", "批"), ("接待来访人次", "人次"), ("执法案件", "起"),
                     ("培训", "场"), ("法律明白人", "人"), ("网格员", "人")]:
        assert expected in names
    # a cadre adds one while reporting progress; a repeat is refused; a viewer may not
    added = catalogue.add_definition(users.get_user("cadre"), org, "反诈宣传", "场", "反电诈宣传活动", 7)
    assert added.position > 0 and added in catalogue.catalogue_for(org)
    with pytest.raises(ValidationFailed):
        catalogue.add_definition(users.get_user("office"), org, "反诈宣传", "场")
    with pytest.raises(ValidationFailed) as info:
        catalogue.add_definition(users.get_user("office"), org, "无单位", "")
    assert "unit" in info.value.fields
    with pytest.raises(PermissionDenied):
        catalogue.add_definition(users.get_user("viewer"), org, "X", "次")
    catalogue.set_active(users.get_user("office"), added, False)
    assert added not in catalogue.catalogue_for(org)
    # Every organisation has its own catalogue from its creation; the addition is 云乐镇's alone.
    assert db.session.scalar(select(func.count()).select_from(MetricDefinition)
                             .where(MetricDefinition.org_id == world.other_plan.org_id)) == len(catalogue.DEFAULTS)


def test_demo_loads_targets_and_the_2023_baseline(app):
    load_demo(TODAY)
    db.session.commit()
    office = users.get_user("office")
    rows = {(b.name, b.unit): b for b in baseline_rows(office.org, 2023)}
    assert rows[("行政许可", "件")].value == 68 and rows[("普法受众", "人")].is_approximate
    assert len(rows) >= 15
    from tracker.models import TaskTarget
    assert db.session.scalar(select(func.count()).select_from(TaskTarget)) >= 10
    load_demo(TODAY)  # idempotent
    db.session.commit()
    assert len(baseline_rows(office.org, 2023)) == len(rows)
