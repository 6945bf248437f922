"""Sending in batches: one SMTP connection and one sent mark per batch, reconnecting when a connection drops."""
import time
from collections import Counter
from datetime import date
from email import message_from_bytes, policy

from sqlalchemy import select

from tests.reminders_fixtures import reminder_worker, smtp, wait_until  # noqa: F401
from tracker.extensions import db
from tracker.models import Delivery
from tracker.services.people.users import get_user
from tracker.services.reminders.email import render
from tracker.services.reminders.immediate import urge


def _urge_tasks(world, n):
    """n tasks of `cadre` (made before they have an email), urged in one transaction: one batch to send."""
    tasks = [world.task(start_date=None, due_date=date(2026, 12, 31), co_owners=[], title=f"批量任务{i:02d}")
             for i in range(n)]
    get_user("cadre").email = "cadre@example.org"
    db.session.commit()
    office = get_user("office")
    for task in tasks:
        urge(office, task, "")
    db.session.commit()


def _deliveries():
    db.session.rollback()
    return list(db.session.scalars(select(Delivery).where(Delivery.kind == "urge")))


def test_a_batch_goes_over_one_connection_and_is_marked_sent_every_twenty(app, world, smtp, reminder_worker):
    worker = reminder_worker(REMINDER_STALE_SECONDS=60).start()  # no time checkpoint: only REMINDER_MARK_EVERY [20]
    _urge_tasks(world, 30)
    assert wait_until(lambda: all(d.status == "sent" for d in _deliveries()), 30), worker.text()
    assert len(smtp.messages) == 30
    assert len({m["peer"] for m in smtp.messages}) == 1  # one SMTP connection for the whole batch
    rows = _deliveries()
    # Two statements (20, then the last 10), one go each: a worker killed mid-batch repeats at most 20.
    assert sorted(Counter(d.sent_at for d in rows).values()) == [10, 20] and all(d.attempts == 1 for d in rows)


def test_a_dropped_connection_is_reopened_and_nothing_goes_twice(app, world, smtp, reminder_worker):
    smtp.close_after = 7  # the server drops each connection after seven messages
    worker = reminder_worker().start()
    _urge_tasks(world, 20)
    assert wait_until(lambda: all(d.status == "sent" for d in _deliveries()), 30), worker.text()
    worker.settle()
    subjects = Counter(m["subject"] for m in smtp.messages)
    assert set(subjects) == {f"【催办】《批量任务{i:02d}》" for i in range(20)}
    assert set(subjects.values()) == {1}
    assert len({m["peer"] for m in smtp.messages}) == 3  # 7 + 7 + 6, each drop answered by a new connection
    assert all(d.last_error == "" and d.attempts == 1 for d in _deliveries())


def test_the_message_is_well_formed_utf8(app):
    with app.app_context():
        app.config["MAIL_DEFAULT_SENDER"] = "法治督办系统 <tracker@example.org>"
        from tracker.services.reminders.email import Mailer
        mailer = Mailer()
        subject = "【催办】《" + "开展法治宣传和矛盾纠纷排查化解" * 4 + "》"
        body = "干部:\n\n【催办】请尽快反馈进展。\n    http://127.0.0.1:5000/tasks/1"
        raw = render(mailer.sender, "张 三", "zhang@example.org", subject, body)
    assert raw.isascii() and max(len(line) for line in raw.split("\r\n")) <= 78
    msg = message_from_bytes(raw.encode(), policy=policy.default)
    assert msg["Subject"] == subject
    assert msg["To"].addresses[0].display_name == "张 三" and msg["To"].addresses[0].addr_spec == "zhang@example.org"
    assert msg["From"].addresses[0].display_name == "法治督办系统"
    assert msg["Date"].datetime is not None and msg["Message-ID"].endswith("@tracker.local>")
    assert msg.get_content().rstrip("\n") == body


def test_a_slow_batch_keeps_hold_of_what_it_has_not_sent(app, world, smtp, reminder_worker):
    from tracker.models.types import utcnow
    from tracker.services.reminders import outbox
    worker = reminder_worker(REMINDER_STALE_SECONDS=2).start()  # records and renews every 0.5 s
    smtp.delay = 0.25
    _urge_tasks(world, 12)  # about 3 s of sending: longer than the stale time
    handed_again = []
    deadline = time.monotonic() + 30
    while not all(d.status == "sent" for d in _deliveries()) and time.monotonic() < deadline:
        handed_again += outbox.claim_for_handout(utcnow())  # what the next sweep would hand out again
        db.session.rollback()
        time.sleep(0.2)
    assert all(d.status == "sent" for d in _deliveries()), worker.text()
    assert handed_again == []
    assert len({d.sent_at for d in _deliveries()}) > 1  # recorded as it went
    assert sorted(Counter(m["subject"] for m in smtp.messages).values()) == [1] * 12


def test_a_batch_of_slow_failures_keeps_hold_of_what_it_has_not_tried(app, world, smtp, reminder_worker):
    from tracker.models.types import utcnow
    from tracker.services.reminders import outbox
    # Each message is refused after 0.25 s, as by a mail server timing out; one attempt, so failed is final.
    worker = reminder_worker(REMINDER_STALE_SECONDS=2, REMINDER_MAX_ATTEMPTS=1).start()
    smtp.delay, smtp.refuse = 0.25, "451 4.3.0 try again later"
    _urge_tasks(world, 12)  # about 3 s of failing: longer than the stale time
    handed_again = []
    deadline = time.monotonic() + 30
    while not all(d.status == "failed" for d in _deliveries()) and time.monotonic() < deadline:
        handed_again += outbox.claim_for_handout(utcnow())  # what the next sweep would hand out again
        db.session.rollback()
        time.sleep(0.2)
    rows = _deliveries()
    assert all(d.status == "failed" and "451" in d.last_error for d in rows), worker.text()
    assert handed_again == []
    assert len({d.last_error for d in rows}) == 1 and all(d.attempts == 1 for d in rows)
    assert sorted(Counter(smtp.refused).values()) == [1] * 12 and smtp.messages == []


def test_a_name_or_title_with_cr_lf_adds_no_header(app, world, smtp):
    from tasks.reminders import send_batch
    cadre, cadre2 = get_user("cadre"), get_user("cadre2")
    # Stored before names refused control characters, or written outside the app.
    cadre.name, cadre2.name = "Zhang\r\nBcc: spy@evil.example", "张三\r\nBcc: spy@evil.example"
    cadre.email, cadre2.email = "cadre@example.org", "cadre2@example.org"
    db.session.commit()
    app.config["REMINDER_QUEUE"] = "test-rem-nobody"  # the 交办 jobs wait where no worker reads; sent below
    world.task(start_date=None, due_date=date(2026, 12, 31), title="Report\r\nBcc: spy2@evil.example")
    sent = list(db.session.scalars(select(Delivery.id).where(Delivery.kind == "assigned")))
    assert len(sent) == 2
    send_batch(sent)
    assert sorted(m["to"] for m in smtp.messages) == [["cadre2@example.org"], ["cadre@example.org"]]
    for mail in smtp.messages:
        msg = message_from_bytes(mail["raw"], policy=policy.default)
        assert msg["Bcc"] is None
        assert sorted(msg.keys()) == sorted(["From", "To", "Subject", "Date", "Message-ID", "MIME-Version",
                                             "Content-Type", "Content-Transfer-Encoding"])
        assert msg["To"].addresses[0].addr_spec in ("cadre@example.org", "cadre2@example.org")
        assert "《Report Bcc: spy2@evil.example》" in str(msg["Subject"])  # the title, on the Subject's one line
    names = sorted(str(message_from_bytes(m["raw"], policy=policy.default)["To"].addresses[0].display_name)
                   for m in smtp.messages)
    assert names == ["Zhang Bcc: spy@evil.example", "张三 Bcc: spy@evil.example"]  # one line, in the To header
    db.session.rollback()
    assert {d.status for d in db.session.scalars(select(Delivery))} == {"sent"}


def test_headers_refuse_a_raw_line_break_and_an_address_that_is_not_one():
    import pytest

    from tracker.services.reminders.email import header_block, mailbox
    with pytest.raises(ValueError):
        header_block([("Subject", "a\r\nBcc: x@y")])
    with pytest.raises(ValueError):
        header_block([("Subject", "a\nb")])
    assert header_block([("Subject", "=?utf-8?b?5L2g?=\r\n =?utf-8?b?5aW9?=")]).count("\r\n") == 1  # a fold
    for bad in ("a@b\r\nBcc: x@y", "a b@c", "<a@b>", "", "ab"):
        with pytest.raises(ValueError, match="收件人邮箱地址无效"):
            mailbox("Name", bad)
