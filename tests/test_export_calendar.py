"""Calendar feeds: secret per-user addresses that phones can read, revocable, and the committee's feed of all."""
from datetime import date

import icalendar
import segno

from tests.factories import csrf_token
from tests.import_fixtures import login
from tracker.extensions import db
from tracker.models import CalendarFeed
from tracker.services.exporting.calendar import renew_feed
from tracker.services.people.users import deactivate_user, get_user
from tracker.services.tasks.verbs import cancel_task


def _feed_url(client, kind="personal"):
    page = client.get("/exports/calendar").get_data(as_text=True)
    client.post(f"/exports/calendar/{kind}/renew", data={"csrf_token": csrf_token(page)})
    db.session.expire_all()
    feed = db.session.query(CalendarFeed).filter_by(kind=kind, revoked_at=None).one()
    return f"/calendar/{feed.token}.ics", feed


def _events(response):
    assert response.status_code == 200 and response.mimetype == "text/calendar"
    calendar = icalendar.Calendar.from_ical(response.data)
    return {str(e["SUMMARY"]): e for e in calendar.walk("VEVENT")}


def test_personal_feed_parses_and_holds_the_users_due_dates(client, world):
    mine = world.task(title="开展普法宣讲进村入户,覆盖全部5个行政村的村民和网格员", due_date=date(2026, 12, 15))
    helping = world.task(title="协办的任务", owner="cadre2", co_owners=["cadre"], due_date=date(2026, 11, 20))
    world.task(title="别人的任务", owner="cadre3", co_owners=[], due_date=date(2026, 12, 1))
    closed = world.task(title="已取消的任务", due_date=date(2026, 12, 2))
    cancel_task(get_user("office"), closed, "合并到其他任务")
    db.session.commit()
    login(client, "cadre")
    url, _ = _feed_url(client)
    client.post("/logout", data={"csrf_token": csrf_token(client.get("/").get_data(as_text=True))})
    events = _events(client.get(url))  # no login needed: the address is the secret
    assert set(events) == {f"【到期】{mine.title}", f"【已逾期】{helping.title}"}
    event = events[f"【到期】{mine.title}"]
    assert event.decoded("DTSTART") == date(2026, 12, 15)
    assert "责任人:cadre姓名" in str(event["DESCRIPTION"]) and str(event["UID"]).startswith(f"task-{mine.id}@")
    assert all(len(line) <= 75 for line in client.get(url).data.split(b"\r\n"))


def test_renewing_or_revoking_stops_the_old_address(client, world):
    world.task(due_date=date(2026, 12, 15))
    login(client, "cadre")
    old_url, _ = _feed_url(client)
    new_url, _ = _feed_url(client)
    assert client.get(old_url).status_code == 404
    assert client.get(new_url).status_code == 200
    page = client.get("/exports/calendar").get_data(as_text=True)
    assert new_url in page
    client.post("/exports/calendar/personal/revoke", data={"csrf_token": csrf_token(page)})
    assert client.get(new_url).status_code == 404
    assert client.get("/calendar/not-a-real-token-at-all-1234.ics").status_code == 404


def test_deactivated_users_feed_stops(app, world):
    world.task(due_date=date(2026, 12, 15))
    feed = renew_feed(get_user("cadre2"), "personal")
    db.session.commit()
    client = app.test_client()
    assert client.get(f"/calendar/{feed.token}.ics").status_code == 200
    deactivate_user(get_user("cadre2"))
    db.session.commit()
    assert client.get(f"/calendar/{feed.token}.ics").status_code == 404


def test_committee_feed_of_all_and_only_for_committee_or_viewer(client, world):
    world.task(title="任务一", due_date=date(2026, 12, 15))
    world.task(title="任务二", owner="cadre3", co_owners=[], due_date=date(2026, 12, 20))
    login(client, "office")
    url, _ = _feed_url(client, "org")
    events = _events(client.get(url))
    assert {"【到期】任务一", "【到期】任务二"} <= set(events)
    client.post("/logout", data={"csrf_token": csrf_token(client.get("/").get_data(as_text=True))})
    login(client, "cadre")
    page = client.get("/exports/calendar").get_data(as_text=True)
    assert "本单位全部任务" not in page
    response = client.post("/exports/calendar/org/renew", data={"csrf_token": csrf_token(page)},
                           follow_redirects=True)
    assert "只有党政办和督查人员" in response.get_data(as_text=True)
    assert db.session.query(CalendarFeed).filter_by(kind="org", user_id=get_user("cadre").id).count() == 0


def test_page_offers_webcal_link_and_server_drawn_qr_of_the_feed_address(client, world):
    login(client, "cadre")
    page = client.get("/exports/calendar").get_data(as_text=True)
    assert "<svg" not in page and "webcal://" not in page  # no feed yet: nothing to scan
    url, _ = _feed_url(client)
    page = client.get("/exports/calendar").get_data(as_text=True)
    address = f"http://localhost{url}"
    assert f'href="webcal://localhost{url}"' in page
    # The same address drawn by segno on its own must give the very SVG on the page: the code's payload is the feed.
    expected = segno.make_qr(address, error="m").svg_inline(scale=4, border=4, title="订阅地址二维码")
    assert expected in page and page.count("<svg") == 1
    assert segno.make_qr(address + "x", error="m").svg_inline(scale=4, border=4, title="订阅地址二维码") not in page
    assert "<script" not in page.split("<svg", 1)[1].split("</svg>", 1)[0]
