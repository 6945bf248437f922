"""Errors where the eye is (issue 16.5): a refused form opens at its summary, with and without JavaScript."""
import pytest

from tests.browser_fixtures import login
from tests.factories import PASSWORD

IN_VIEW = """(selector) => { const box = document.querySelector(selector).getBoundingClientRect();
                             return box.top >= 0 && box.bottom <= window.innerHeight; }"""


def _in_view(page, selector: str) -> bool:
    return page.evaluate(IN_VIEW, selector)


@pytest.fixture
def many_drafts(world):
    """Enough drafts that the bulk form sits far below the first screen."""
    return [world.task(title=f"草稿任务{i}", owner=None, co_owners=[], due_date=None) for i in range(30)]


def _bulk_assign_with_a_past_date(page, base, plan_id):
    login(page, base, "office", PASSWORD)
    page.goto(f"{base}/plans?plan_id={plan_id}")
    page.locator("input[name=b-task_ids]").first.check()
    page.locator("#b-owner").select_option("cadre")
    page.locator("#b-due_date").fill("2026-01-05")
    page.get_by_role("button", name="批量交办").click()
    page.wait_for_load_state()


def test_a_failed_bulk_assign_opens_at_its_message(live_server, page, world, many_drafts):
    _bulk_assign_with_a_past_date(page, live_server, world.plan.id)
    assert page.locator(".error-summary").is_visible()
    assert _in_view(page, ".error-summary") and _in_view(page, "#b-due_date")
    assert page.evaluate("window.scrollY") > 1000  # the form is far down the page: we were moved there
    assert "已经过去" in page.locator(".error-summary").inner_text()


def test_without_javascript_the_answer_opens_at_the_summary(live_server, phone_without_js, world, many_drafts):
    page = phone_without_js
    _bulk_assign_with_a_past_date(page, live_server, world.plan.id)
    assert page.url.endswith("#b-errors")
    assert _in_view(page, ".error-summary")


def test_a_bad_extension_date_on_a_phone_shows_its_error_in_view(live_server, browser, world, tmp_path):
    task = world.task(title="开展法治宣传")
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN", is_mobile=True,
                                  has_touch=True)
    page = context.new_page()
    try:
        login(page, live_server, "cadre", PASSWORD)
        page.goto(f"{live_server}/tasks/{task.id}")
        page.locator("summary", has_text="申请延期").click()
        page.locator("#x-due_date").fill("2026-06-01")  # earlier than the current due date
        page.locator("#x-reason").fill("雨季施工")
        page.get_by_role("button", name="提交延期申请").click()
        page.wait_for_load_state()
        assert _in_view(page, ".error-summary")
        assert "须晚于现在的完成时限" in page.locator(".error-summary").inner_text()
        assert _in_view(page, "#x-due_date")
        page.screenshot(path=str(tmp_path / "extension-error-phone.png"))
    finally:
        context.close()
