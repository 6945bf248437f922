"""The year's turn in a real browser: preview, confirm and undo the carry-over, at desktop and phone width.

Set SCREENSHOTS_DIR to keep the pages (docs/screenshots/ holds the ones the README shows)."""
import os
from datetime import date
from pathlib import Path

from sqlalchemy import select

from tests.browser_fixtures import login, no_horizontal_scroll
from tests.factories import PASSWORD
from tracker.extensions import db
from tracker.models import CarryOver, PlanTask


def _shot(page, name: str) -> None:
    folder = os.environ.get("SCREENSHOTS_DIR")
    if folder:
        width = page.viewport_size["width"]
        page.screenshot(path=str(Path(folder) / f"carry-over-{name}-{width}.png"), full_page=True)


def test_carry_over_preview_confirm_and_undo(live_server, page, world):
    late = world.task(title="清理历史积案", due_date=date(2026, 6, 30))
    spring = world.task(title="春季普法集市", due_date=date(2027, 3, 15))
    base = live_server
    login(page, base, "office", PASSWORD)
    page.goto(f"{base}/plans?plan_id={world.plan.id}")
    page.get_by_role("link", name="结转到2027年").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name="结转到2027年计划").is_visible()
    assert page.locator(f"#pick-{late.id}").is_checked() and not page.locator(f"#pick-{spring.id}").is_checked()
    assert no_horizontal_scroll(page)
    page.locator(f"#due-{late.id}").fill("2027-06-30")
    _shot(page, "preview")

    # Without the confirmation box the form is refused, nothing moves.
    page.on("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="结转所选任务").click()
    page.wait_for_load_state()
    assert page.get_by_text("请勾选确认后再结转").first.is_visible()
    page.get_by_label("我已核对", exact=False).check()
    page.get_by_role("button", name="结转所选任务").click()
    page.wait_for_load_state()
    assert page.get_by_text("已将1项任务结转到2027年计划").is_visible()
    assert page.get_by_role("button", name="撤销这次结转").is_visible()
    assert no_horizontal_scroll(page)
    _shot(page, "done")
    db.session.expire_all()
    assert late.status == "carried_over" and spring.status == "assigned"

    page.get_by_role("button", name="撤销这次结转").click()
    page.wait_for_load_state()
    assert page.get_by_text("已撤销结转").is_visible()
    _shot(page, "undone")
    db.session.expire_all()
    assert late.status == "assigned" and db.session.scalar(select(CarryOver.undone_at)) is not None
    assert db.session.scalars(select(PlanTask.title).where(PlanTask.carried_from_id == late.id)).all() == []
