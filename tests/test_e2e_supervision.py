"""督办单 in a real browser (issue 17, done when): the county issues one on a township task, the owner answers it,
the county sees 已答复 — at desktop and at phone width (390 px).

Set SCREENSHOTS_DIR to keep the pages."""
import os
from pathlib import Path

import pytest
from sqlalchemy import select

from tests.browser_fixtures import login, no_horizontal_scroll
from tests.factories import PASSWORD
from tracker.extensions import db
from tracker.models import Supervision


def _shot(page, name: str) -> None:
    folder = os.environ.get("SCREENSHOTS_DIR")
    if folder:
        width = page.viewport_size["width"]
        page.screenshot(path=str(Path(folder) / f"supervision-{name}-{width}.png"), full_page=True)


@pytest.fixture(params=[(1280, 900), (390, 844)], ids=["desktop", "phone"])
def person(browser, request):
    """A browser of one's own per person (each logs in), all at the same width."""
    width, height = request.param
    contexts = []

    def open_as(base: str, username: str):
        context = browser.new_context(viewport={"width": width, "height": height}, locale="zh-CN",
                                      is_mobile=width < 500, has_touch=width < 500)
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15_000)
        login(page, base, username, PASSWORD)
        return page
    yield open_as
    for context in contexts:
        context.close()


def test_county_issues_owner_answers_county_sees_answered(live_server, person, world):
    task = world.task(title="开展“法律明白人”培训")
    base = live_server

    county = person(base, "county_office")
    county.goto(f"{base}/tasks/{task.id}")
    county.get_by_role("link", name="下发督办单").click()
    county.wait_for_load_state()
    assert county.get_by_role("heading", name="下发督办单:开展“法律明白人”培训").is_visible()
    county.get_by_label("督办内容").fill("请于本周内报告培训进度,并附签到表。")
    county.get_by_label("答复时限(工作日)").fill("3")
    assert no_horizontal_scroll(county)
    _shot(county, "issue")
    county.get_by_role("button", name="下发督办单").click()
    county.wait_for_load_state()
    assert county.get_by_text("已下发督办单旌督〔2026〕1号").is_visible()
    assert county.get_by_text("待答复").first.is_visible()
    number = db.session.scalar(select(Supervision.number))
    assert number == "旌督〔2026〕1号"

    owner = person(base, "cadre")
    owner.goto(f"{base}/notices/")
    assert owner.get_by_text("下发督办单旌督〔2026〕1号", exact=False).first.is_visible()
    owner.goto(f"{base}/tasks/{task.id}")
    owner.get_by_role("link", name=number).click()
    owner.wait_for_load_state()
    owner.get_by_label("答复内容").fill("已培训两批共86人,签到表已上传。")
    assert no_horizontal_scroll(owner)
    _shot(owner, "answer")
    owner.get_by_role("button", name="提交答复").click()
    owner.wait_for_load_state()
    assert owner.get_by_text(f"已答复督办单{number}").is_visible()

    county.goto(f"{base}/supervisions?status=answered")
    assert county.get_by_role("link", name=number).is_visible()
    assert county.locator(".supervision .badge").first.inner_text() == "已答复"
    assert no_horizontal_scroll(county)
    _shot(county, "list")
    county.get_by_role("link", name=number).click()
    county.wait_for_load_state()
    assert county.get_by_text("已培训两批共86人,签到表已上传。").is_visible()
    with county.expect_download() as download:
        county.get_by_role("link", name="下载督办通知单(Word)").click()
    assert download.value.suggested_filename.endswith(".docx")
    db.session.expire_all()
    assert db.session.scalar(select(Supervision.state)) == "answered"
