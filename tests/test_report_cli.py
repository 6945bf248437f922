"""`flask report …`: Markdown and Word files, --org optional where one organisation has a plan, Chinese errors."""
import re
from io import BytesIO

import pytest
from docx import Document

from tests.conftest import SEED
from tests.report_fixtures import baseline, year_plan  # noqa: F401
from tracker.extensions import db
from tracker.services.people import orgs
from tracker.services.plans import verbs as plans
from tracker.services.reporting.baseline import baseline_rows

CJK = re.compile(r"[\u4e00-\u9fff]")


def cli(runner, *args):
    db.session.commit()
    result = runner.invoke(args=list(args))
    db.session.rollback()
    return result


def test_achievements_as_markdown_and_docx(runner, world, year_plan, baseline, tmp_path):
    out = tmp_path / "a.md"
    result = cli(runner, "report", "achievements", "--year", "2026", "--org", "旌德县/云乐镇", "--format", "md",
                 "-o", str(out))
    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8")
    assert text.startswith("## 一、上一年度法治政府建设的主要举措和成效")
    assert "普法宣讲12次，较上年增加5次" in text and "## 二、" not in text
    docx = tmp_path / "a.docx"
    result = cli(runner, "report", "achievements", "--year", "2026", "--org", "云乐镇", "--format", "docx",
                 "-o", str(docx))
    assert result.exit_code == 0, result.output
    paragraphs = [p.text for p in Document(BytesIO(docx.read_bytes())).paragraphs]
    assert paragraphs[0] == "一、上一年度法治政府建设的主要举措和成效"


def test_draft_to_stdout_without_org_when_one_organisation_has_a_plan(runner, world, year_plan):
    plans.plan_for(world.other_plan.org, 2026)  # 白地镇 has a 2026 plan too: --org is needed
    result = cli(runner, "report", "draft", "--year", "2026")
    assert result.exit_code == 1 and "请用 --org 指定" in result.output
    db.session.delete(world.other_plan)
    db.session.commit()
    result = cli(runner, "report", "draft", "--year", "2026")
    assert result.exit_code == 0, result.output
    assert "# 云乐镇2026年度法治政府建设工作报告" in result.output and "## 三、" in result.output
    assert "提示:尚未录入2025年的基数数据" in result.output  # missing baseline said plainly


@pytest.mark.parametrize("args, message", [
    (["--year", "2019", "--org", "云乐镇"], "没有2019年的计划"),
    (["--year", "abc", "--org", "云乐镇"], "年份"),
    ([], "年份"),
    (["--year", "2026", "--org", "不存在镇"], "不存在镇"),
    (["--year", "2026", "--org", "云乐镇", "--format", "pdf"], "md 或 docx"),
    (["--year", "2026", "--org", "云乐镇", "--format", "docx"], "-o"),
    (["--year", "2026", "--org", "云乐镇", "-o", "/nonexistent/dir/x.md"], "无法写入"),
])
def test_bad_arguments_exit_non_zero_with_one_chinese_line(runner, world, args, message):
    result = cli(runner, "report", "achievements", *args)
    assert result.exit_code != 0
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and CJK.search(lines[0]) and message in lines[0], result.output
    assert "Traceback" not in result.output


def test_baseline_from_the_seed_text_is_listed_then_saved(runner, world):
    result = cli(runner, "report", "baseline", str(SEED), "--year", "2025", "--org", "云乐镇")
    assert result.exit_code == 0 and "780余次" in result.output and "10批" in result.output
    assert baseline_rows(world.plan.org, 2025) == []  # listing saves nothing
    # the scope follows the kind where the text narrows a figure (2023's 培训: law-enforcement training only)
    assert "(三)\t培训\t4场\t累计\t口径：仅计行政执法队伍培训\t" in result.output
    result = cli(runner, "report", "baseline", str(SEED), "--year", "2025", "--org", "云乐镇", "--save")
    assert result.exit_code == 0, result.output
    saved = {(b.name, b.unit): b for b in baseline_rows(orgs.resolve_org("云乐镇"), 2025)}
    assert len(saved) >= 25 and saved[("培训", "场")].scope == "仅计行政执法队伍培训"
    result = cli(runner, "report", "baseline", "/nonexistent.txt", "--year", "2025", "--org", "云乐镇")
    assert result.exit_code == 1 and "无法读取" in result.output
