"""Calendar feeds stay sound (issue 18.12): no event injected through a title, a new address after a password
reset (and the user told), and the address's secret kept out of the access logs of werkzeug and gunicorn."""
import os
import subprocess
import sys
import threading
import time
import urllib.request
from datetime import date
from pathlib import Path

import icalendar
from werkzeug.serving import make_server

from tests.factories import csrf_token
from tests.import_fixtures import login
from tests.test_reminders_web import post
from tracker import embedded_redis
from tracker.extensions import db
from tracker.models import CalendarFeed
from tracker.services.exporting.calendar import feed_of, renew_feed
from tracker.services.people.users import get_user

ROOT = Path(__file__).resolve().parent.parent
NEW_PASSWORD = "Rep-pass-2024!"


def _feed(username="cadre", kind="personal") -> CalendarFeed:
    feed = renew_feed(get_user(username), kind)
    db.session.commit()
    return feed


def test_a_bare_cr_or_a_control_in_a_title_injects_no_event(client, world):
    task = world.task(title="普法", due_date=date(2026, 12, 15))
    # Stored before the input rule (or written outside the app): a CR-only line break, then a whole event.
    task.title = "普法\rEND:VEVENT\rBEGIN:VEVENT\rUID:evil\rSUMMARY:假事件\rDTSTART:20261201\x0b\x1b[0m"
    get_user("cadre").name = "干部\r\nX-INJECTED:1"
    db.session.commit()
    response = client.get(f"/calendar/{_feed().token}.ics")
    assert response.status_code == 200, response.get_data(as_text=True)[-3000:]
    raw = response.data
    assert len(icalendar.Calendar.from_ical(raw).walk("VEVENT")) == 1
    # Some clients break lines at a lone CR or LF too: even read that way there is one event and no new property.
    lines = raw.replace(b"\r\n", b"\n").replace(b"\r", b"\n").split(b"\n")
    assert sum(line == b"BEGIN:VEVENT" for line in lines) == 1
    assert not any(line.startswith((b"UID:evil", b"X-INJECTED")) for line in lines)
    assert b"\r" not in raw.replace(b"\r\n", b"") and b"\n" not in raw.replace(b"\r\n", b"")
    assert b"\x0b" not in raw and b"\x1b" not in raw
    (event,) = icalendar.Calendar.from_ical(raw).walk("VEVENT")
    assert str(event["SUMMARY"]).startswith("【到期】普法 END:VEVENT BEGIN:VEVENT")  # the title, on one line


def test_a_password_reset_gives_the_feeds_new_addresses_and_tells_the_user(client, world):
    old_personal, old_org = _feed("office").token, _feed("office", "org").token
    cadre_feed = _feed("cadre").token
    from tracker.services.people.users import set_password
    set_password(get_user("office"), NEW_PASSWORD)  # as `flask users set-password` does
    db.session.commit()
    assert client.get(f"/calendar/{old_personal}.ics").status_code == 404
    assert client.get(f"/calendar/{old_org}.ics").status_code == 404
    assert client.get(f"/calendar/{cadre_feed}.ics").status_code == 200  # someone else's stays
    office = get_user("office")
    new = {kind: feed_of(office, kind) for kind in ("personal", "org")}
    assert all(f is not None and f.renewed_because == "password" for f in new.values())
    assert client.get(f"/calendar/{new['personal'].token}.ics").status_code == 200
    # The user sees why, and the new address, on the calendar page; renewing it themselves ends the notice.
    token = csrf_token(client.get("/login").get_data(as_text=True))
    client.post("/login", data={"username": "office", "password": NEW_PASSWORD, "csrf_token": token})
    page = client.get("/exports/calendar").get_data(as_text=True)
    assert page.count("原订阅地址已停用") == 2 and new["personal"].token in page
    client.post("/exports/calendar/personal/renew", data={"csrf_token": csrf_token(page)})
    assert client.get("/exports/calendar").get_data(as_text=True).count("原订阅地址已停用") == 1


def test_the_committees_reset_page_says_the_feed_changed(client, world):
    old = _feed("cadre").token
    login(client, "office")
    cadre = get_user("cadre")
    response = post(client, f"/users/{cadre.id}/password", {"pw-password": NEW_PASSWORD}, f"/users/{cadre.id}")
    assert response.status_code == 302
    assert "其日历订阅地址已更换(1个)" in client.get(response.location).get_data(as_text=True)
    assert client.get(f"/calendar/{old}.ics").status_code == 404
    db.session.rollback()
    assert feed_of(get_user("cadre"), "personal").renewed_because == "password"


def test_the_feed_secret_is_not_in_werkzeugs_access_log(app, world, caplog):
    token = _feed().token
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        with caplog.at_level("INFO", logger="werkzeug"):
            with urllib.request.urlopen(f"http://127.0.0.1:{server.server_port}/calendar/{token}.ics") as answer:
                assert answer.status == 200
            deadline = time.monotonic() + 5
            while "calendar" not in caplog.text and time.monotonic() < deadline:
                time.sleep(0.05)
    finally:
        server.shutdown()
        thread.join(timeout=10)
    assert "GET /calendar/[redacted].ics" in caplog.text
    assert token not in caplog.text


def test_the_feed_secret_is_not_in_gunicorns_access_log(app, world, services, tmp_path):
    token = _feed().token
    port, log_path = embedded_redis.free_port(), tmp_path / "access.log"
    env = {**os.environ, "DATABASE_URL": services["database_url"], "REDIS_URL": services["redis_url"],
           "INSTANCE_DIR": str(tmp_path / "gunicorn-instance"), "TRACKER_CONFIG": "test", "SECRET_KEY": "test"}
    proc = subprocess.Popen([sys.executable, "-m", "gunicorn", "-w", "1", "-b", f"127.0.0.1:{port}",
                             "--access-logfile", str(log_path), "wsgi:app"], cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline, status = time.monotonic() + 60, None
        while status is None and time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/calendar/{token}.ics", timeout=5) as answer:
                    status = answer.status
            except OSError:
                assert proc.poll() is None, proc.stderr.read().decode()
                time.sleep(0.2)
        assert status == 200
    finally:
        proc.terminate()
        proc.wait(timeout=20)
    logged = log_path.read_text()
    assert "/calendar/[redacted].ics" in logged and token not in logged
