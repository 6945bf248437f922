"""Reading the next-year plan out of reports of several real-world styles, by service and command line."""
import json

import pytest
from sqlalchemy import func, select

from tests.conftest import SEED
from tests.import_fixtures import DATA, make_docx
from tracker.extensions import db
from tracker.models import Plan, PlanTask
from tracker.services.errors import ValidationFailed
from tracker.services.importing import read_report
from tracker.services.plans.sections import SECTIONS


def _parse(name_or_path, year=None):
    path = name_or_path if hasattr(name_or_path, "read_bytes") else DATA / name_or_path
    return read_report(path.name, path.read_bytes(), year)


def _counts(parsed):
    return [len(t["tasks"]) for t in parsed["themes"]]


def _sensible(parsed, text):
    for theme in parsed["themes"]:
        for task in theme["tasks"]:
            assert 4 <= len(task["title"]) <= 60, task["title"]
            assert 1 <= task["report_section"] <= len(SECTIONS)
            # The source is the report's own sentence, so a reviewer can check every candidate.
            assert task["source"].rstrip("。")[:15] in text


def test_seed_gives_three_themes_and_recognisable_measures(app):
    parsed = _parse(SEED, 2024)
    text = SEED.read_text(encoding="utf-8")
    assert [t["key"] for t in parsed["themes"]] == ["法", "新", "实"]
    assert parsed["themes"][0]["title"] == "以“法”字推进法治云乐"
    total = sum(_counts(parsed))
    assert 10 <= total <= 30
    assert all(n >= 3 for n in _counts(parsed))
    titles = " ".join(t["title"] for th in parsed["themes"] for t in th["tasks"])
    for measure in ("重点群体", "合法性审查", "招标", "党建+三治", "一村一特色", "一站式", "平安建设",
                    "村居法律顾问", "法律援助", "反有组织犯罪法"):
        assert measure in titles, measure
    assert parsed["year"] == 2024 and parsed["warnings"] == []
    _sensible(parsed, text)
    # Section suggestions follow the seven standard sub-sections.
    by_title = {t["title"]: t["report_section"] for th in parsed["themes"] for t in th["tasks"]}
    assert next(v for k, v in by_title.items() if "合法性审查" in k) == 3
    assert next(v for k, v in by_title.items() if "法律援助" in k) == 5


@pytest.mark.parametrize("name, year, counts", [
    ("county_justice_bureau.txt", 2024, [3, 3, 4, 3]),       # (一) themes, inline 一是/二是 tasks
    ("county_market_bureau.txt", 2025, [3, 3, 2]),           # 第一/第二 themes, (1)/(2) lines, 2025年工作计划
    ("baidi_township_gbk.txt", 2024, [2, 2, 3, 2]),          # GBK, 1. themes, 下一步工作打算
    ("sanxi_township_gb18030.txt", 2024, [2, 3, 2, 3]),      # GB18030 (刘䶮), inline 一是 themes
    ("township_theme_chars.txt", 2024, [3, 3, 3]),           # 以"X"字 themes without numbers
    ("suncun_township_flat.txt", 2024, [6]),                 # a flat 1、2、 list: one theme of six tasks
])
def test_other_styles(app, name, year, counts):
    parsed = _parse(name, year)
    assert _counts(parsed) == counts
    raw = (DATA / name).read_bytes()
    text = next(raw.decode(enc) for enc in ("utf-8-sig", "gb18030") if _decodes(raw, enc))
    _sensible(parsed, text)
    assert parsed["year"] == year


def _decodes(raw, encoding):
    try:
        raw.decode(encoding)
        return True
    except UnicodeDecodeError:
        return False


def test_theme_keys_follow_the_core_rule(app):
    assert [t["key"] for t in _parse("township_theme_chars.txt")["themes"]] == ["学", "治", "惠"]
    assert [t["key"] for t in _parse("county_justice_bureau.txt")["themes"]] == ["1", "2", "3", "4"]
    justice = _parse("county_justice_bureau.txt")
    assert justice["themes"][1]["title"] == "全面加强行政执法监督"
    assert justice["themes"][1]["tasks"][0]["report_section"] == 4


def test_docx_report_with_dun_numbering(app):
    data = make_docx([
        "旌德县应急管理局2024年度法治政府建设工作报告",
        "一、2024年度主要工作",
        "全年开展安全生产执法检查126次。",
        "二、存在的不足",
        "执法力量不足。",
        "三、2025年工作打算",
        "（一）强化安全生产依法治理。严格落实安全生产执法计划，开展重点行业领域专项执法检查。推行“执法+专家”检查模式。",
        "（二）提升应急法治宣传实效。组织“安全生产月”法治宣传活动，开展《安全生产法》进企业活动不少于20场。",
        "（三）规范应急管理行政权力运行。落实重大执法决定法制审核制度，主动公开执法信息，接受社会监督。",
        "旌德县应急管理局",
        "2025年1月10日",
    ])
    parsed = read_report("应急局报告.docx", data, 2025)
    assert [t["title"] for t in parsed["themes"]] == ["强化安全生产依法治理", "提升应急法治宣传实效",
                                                      "规范应急管理行政权力运行"]
    assert all(2 <= n <= 4 for n in _counts(parsed))
    assert parsed["themes"][0]["tasks"][0]["report_section"] == 4


def test_year_in_text_differs_gives_a_warning(app):
    parsed = _parse("county_market_bureau.txt", 2024)
    assert parsed["warnings"] and "2025" in parsed["warnings"][0]


def test_report_without_plan_part_is_refused(app):
    with pytest.raises(ValidationFailed) as caught:
        _parse("township_no_plan.txt", 2024)
    assert "没有找到下一年度工作安排" in caught.value.message


# --- the command line -------------------------------------------------------------------------------------------

def test_cli_dry_run_prints_the_fixed_json_and_creates_nothing(runner, world):
    result = runner.invoke(args=["plan", "import", str(SEED), "--year", "2024", "--dry-run"])
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert set(out) == {"year", "themes"} and out["year"] == 2024
    assert [t["key"] for t in out["themes"]] == ["法", "新", "实"]
    for theme in out["themes"]:
        assert set(theme) == {"key", "title", "tasks"}
        for task in theme["tasks"]:
            assert set(task) == {"title", "report_section", "source"}
    assert db.session.scalar(select(func.count()).select_from(Plan)) == 2  # only the world's two


def test_cli_creates_the_plan_for_an_organisation(runner, world):
    result = runner.invoke(args=["plan", "import", str(SEED), "--year", "2024", "--org", "旌德县/云乐镇"])
    assert result.exit_code == 0, result.output
    plan = db.session.scalar(select(Plan).where(Plan.year == 2024))
    assert [t.key for t in plan.themes] == ["法", "新", "实"]
    tasks = db.session.scalars(select(PlanTask).where(PlanTask.plan_id == plan.id)).all()
    assert 10 <= len(tasks) <= 30 and {t.status for t in tasks} == {"draft"}
    assert all(t.description for t in tasks)
    # Running it again refuses: the year's plan exists; nothing is added.
    again = runner.invoke(args=["plan", "import", str(SEED), "--year", "2024", "--org", "云乐镇"])
    assert again.exit_code == 1 and "已有2024年的计划" in again.output
    assert db.session.scalar(select(func.count()).select_from(PlanTask).where(PlanTask.plan_id == plan.id)) == len(tasks)


@pytest.mark.parametrize("args, message", [
    (["--year", "2024"], "须用 --org"),
    (["--year", "2024", "--org", "不存在镇"], "找不到单位"),
    (["--year", "1999", "--dry-run"], "年份须在2000到2100之间"),
])
def test_cli_bad_arguments(runner, world, args, message):
    result = runner.invoke(args=["plan", "import", str(SEED), *args])
    assert result.exit_code != 0 and message in result.output
    assert "Traceback" not in result.output


def test_cli_missing_file_and_no_plan_part(runner, world, tmp_path):
    result = runner.invoke(args=["plan", "import", str(tmp_path / "nope.txt"), "--year", "2024", "--dry-run"])
    assert result.exit_code == 1 and "找不到文件" in result.output
    result = runner.invoke(args=["plan", "import", str(DATA / "township_no_plan.txt"), "--year", "2024",
                                 "--org", "云乐镇"])
    assert result.exit_code == 1 and "没有找到下一年度工作安排" in result.output
    assert "Traceback" not in result.output


def test_seed_copy_matches_the_shared_seed():
    """tests/data keeps the seed report so a fresh clone runs everything; beside ../shared it must be the same text."""
    from tests.conftest import SHARED_SEED
    if not SHARED_SEED.exists():
        pytest.skip("../shared/seed is not beside this checkout")
    assert SEED.read_bytes() == SHARED_SEED.read_bytes()
