"""报送 and 退回 in a real browser (issue 17.6): the township submits, the county returns it with a comment, the
township resubmits a new version and the county accepts it — at desktop and phone width.

Set SCREENSHOTS_DIR to keep the pages."""
import os
from pathlib import Path

from sqlalchemy import select

from tests.browser_fixtures import login, no_horizontal_scroll
from tests.factories import PASSWORD
from tests.report_fixtures import year_plan  # noqa: F401
from tracker.extensions import db
from tracker.models import ReportSubmission


def _shot(page, name: str) -> None:
    folder = os.environ.get("SCREENSHOTS_DIR")
    if folder:
        width = page.viewport_size["width"]
        page.screenshot(path=str(Path(folder) / f"report-submission-{name}-{width}.png"), full_page=True)


def _as(page, base: str, username: str) -> None:
    page.context.clear_cookies()
    login(page, base, username, PASSWORD)


def _statuses() -> list[tuple[int, str]]:
    db.session.expire_all()
    return [(s.version, s.status) for s in db.session.scalars(select(ReportSubmission).order_by(ReportSubmission.id))]


def test_township_submits_county_returns_township_resubmits_county_accepts(live_server, page, world, year_plan):
    base, town = live_server, world.plan.org_id
    report = f"{base}/reports?org={town}&year=2026"
    _as(page, base, "office")
    page.goto(report)
    page.get_by_role("button", name="报送", exact=True).click()
    page.wait_for_load_state()
    assert page.get_by_text("已报送2026年度报告第1版").is_visible()
    assert no_horizontal_scroll(page)
    _shot(page, "submitted")
    assert _statuses() == [(1, "submitted")]

    _as(page, base, "county_office")
    page.goto(f"{base}/reports/submissions?year=2026")
    assert page.get_by_text("未报送").first.is_visible()  # 白地镇 has not sent its report
    assert no_horizontal_scroll(page)
    _shot(page, "county-list")
    page.get_by_role("link", name="阅看 · 退回或采纳").click()
    page.wait_for_load_state()
    page.get_by_role("button", name="退回").click()  # without a comment: refused, nothing changes
    page.wait_for_load_state()
    assert page.get_by_text("请填写退回意见").first.is_visible()
    assert _statuses() == [(1, "submitted")]
    page.get_by_label("退回意见").fill("第二部分问题不够具体,请补充。")
    page.get_by_role("button", name="退回").click()
    page.wait_for_load_state()
    assert page.get_by_text("已退回云乐镇2026年度报告第1版").is_visible()
    assert _statuses() == [(1, "returned")]

    _as(page, base, "office")
    page.goto(report)
    assert page.get_by_text("第二部分问题不够具体").first.is_visible()
    page.get_by_role("button", name="重新报送").click()
    page.wait_for_load_state()
    assert page.get_by_text("已报送2026年度报告第2版").is_visible()
    _shot(page, "resubmitted")

    _as(page, base, "county_office")
    page.goto(f"{base}/reports/submissions?year=2026")
    page.get_by_role("link", name="阅看 · 退回或采纳").click()
    page.wait_for_load_state()
    assert page.get_by_text("第2版").first.is_visible()
    page.get_by_role("button", name="采纳").click()
    page.wait_for_load_state()
    assert page.get_by_text("已采纳云乐镇2026年度报告第2版").is_visible()
    assert _statuses() == [(1, "returned"), (2, "accepted")]
    page.goto(f"{base}/reports/submissions/figures?year=2026")
    assert page.get_by_text("普法宣讲(次)").is_visible()
    assert no_horizontal_scroll(page)
    _shot(page, "figures")
