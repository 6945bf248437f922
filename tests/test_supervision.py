"""督办单 (issue 17.3): numbered per issuing organisation and year, issued from the task's organisation or one
above it, answered by the owner, overdue by one rule and escalated by the sweep, downloadable as a 公文."""
import io
import threading
from datetime import date

import pytest
from docx import Document
from sqlalchemy import func, select, text

from tests.reminders_fixtures import notices, quiet_queue  # noqa: F401
from tests.test_statement_counts import count_statements
from tracker.extensions import bind_migrate, db
from tracker.models import AuditEntry, Notification, Organisation, Supervision, SupervisionCounter
from tracker.services.calendar.clock import to_local
from tracker.services.errors import Conflict, PermissionDenied, ValidationFailed
from tracker.services.people import orgs
from tracker.services.people.users import get_user
from tracker.services.reminders import compose
from tracker.services.reminders.sweep import run_sweep
from tracker.services.supervision import numbering, queries, rules, verbs

TODAY = date(2026, 11, 25)  # the suite's FIXED_TODAY, a Wednesday


def _issue(api, task, who="county_office", message="请加快推进并书面报告", days=3):
    return api(who).post(f"/tasks/{task.id}/supervision", json={"message": message, "respond_within_days": days})


def _audit(action):
    db.session.rollback()
    return db.session.scalars(select(AuditEntry).where(AuditEntry.action == action)).all()


# --- numbering ---------------------------------------------------------------------------------------------

def test_the_county_issues_a_numbered_notice_on_a_township_task(app, world, api):
    task = world.task()
    response = _issue(api, task)
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["number"] == "旌督〔2026〕1号"
    assert body["task_id"] == task.id and body["issued_by"] == "county_office" and body["status"] == "open"
    # 3 working days after Wed 25 Nov 2026: Thu, Fri, Mon.
    assert body["respond_by"] == "2026-11-30" and body["issuer_org"] == "旌德县"
    second = _issue(api, world.task(title="第二项")).get_json()
    assert second["number"] == "旌督〔2026〕2号"


def test_sequences_are_per_issuing_organisation_and_per_year_with_the_short_name(app, world, api):
    task = world.task()
    assert _issue(api, task).get_json()["number"] == "旌督〔2026〕1号"
    assert _issue(api, task, who="office").get_json()["number"] == "云督〔2026〕1号"  # the township's own count
    town = db.session.get(Organisation, task.org_id)
    orgs.set_short_name(get_user("office"), town, "云乐")
    db.session.commit()
    assert _issue(api, task, who="office").get_json()["number"] == "云乐督〔2026〕2号"
    app.config["FIXED_TODAY"] = date(2027, 1, 4)
    assert _issue(api, task).get_json()["number"] == "旌督〔2027〕1号"  # a new year starts at 1
    assert db.session.get(SupervisionCounter, (task.org.parent_id, 2026)).last_seq == 1


def test_the_short_name_falls_back_to_the_first_character_and_is_checked(app, world):
    town = orgs.resolve_org("云乐镇")
    assert town.abbreviation == "云"
    for bad in ("云 乐", "〔云〕", "七个字的单位简称"):
        with pytest.raises(ValidationFailed):
            orgs.set_short_name(None, town, bad)
        db.session.rollback()
    with pytest.raises(PermissionDenied):
        orgs.set_short_name(get_user("county_office"), town, "乐")
    db.session.rollback()
    orgs.set_short_name(None, town, "乐")
    orgs.set_short_name(None, town, "")
    db.session.commit()
    assert town.short_name is None and town.abbreviation == "云"
    assert [e.changes["short_name"] for e in _audit("org.short_name")] == [["", "乐"], ["乐", ""]]


def test_the_counter_and_the_unique_number_refuse_a_duplicate(app, world):
    task = world.task()
    county = get_user("county_office")
    seqs = [numbering.next_seq(county.org_id, 2026) for _ in range(3)]
    assert seqs == [1, 2, 3]
    db.session.rollback()
    first = verbs.issue(county, task, "督办", 2)
    db.session.commit()
    with pytest.raises(Exception):  # the unique key stands behind the counter
        db.session.execute(text("INSERT INTO supervision (task_id, issuer_org_id, issued_by_id, year, seq, number,"
                                " message, respond_within_days, respond_by, issued_at, state, answer_note) SELECT"
                                " task_id, issuer_org_id, issued_by_id, year, seq, number, message,"
                                " respond_within_days, respond_by, issued_at, state, answer_note FROM supervision"
                                " WHERE id = :id"), {"id": first.id})
        db.session.flush()
    db.session.rollback()


def test_two_issuers_at_once_get_two_numbers(app, world, services):
    """Race-free on PostgreSQL (row lock on the counter) and on SQLite (one writer at a time)."""
    task = world.task()
    task_id, errors, numbers = task.id, [], []
    barrier = threading.Barrier(2)

    def issue_one():
        with app.app_context():
            try:
                from tracker.models import PlanTask
                county = get_user("county_office")
                barrier.wait(timeout=10)
                item = verbs.issue(county, db.session.get(PlanTask, task_id), "同时督办", 2)
                db.session.commit()
                numbers.append(item.number)
            except Exception as exc:  # noqa: BLE001 - reported below
                errors.append(exc)
                db.session.rollback()
            finally:
                db.session.remove()

    threads = [threading.Thread(target=issue_one) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    db.session.rollback()
    if db.engine.dialect.name == "sqlite":  # SQLite may refuse the second writer ("database is locked")
        assert len(numbers) + len(errors) == 2 and numbers
    else:
        assert errors == []
    assert len(set(numbers)) == len(numbers)
    assert db.session.scalar(select(func.count(Supervision.id))) == len(numbers)


# --- rights -------------------------------------------------------------------------------------------------

def test_who_may_issue(app, world, api):
    task = world.task()
    assert _issue(api, task, who="office").status_code == 201       # the task's own committee
    assert _issue(api, task, who="county_office").status_code == 201  # the county above it
    for who, status in (("leader", 403), ("cadre", 403), ("viewer", 403), ("other_office", 404)):
        assert _issue(api, task, who=who).status_code == status, who
    refused = _audit("supervision.issue.refused")
    assert len(refused) == 3 and {e.task_id for e in refused} == {task.id}


def test_bad_input_is_refused_in_chinese_and_leaves_nothing(app, world, api):
    task = world.task()
    for body in ({"message": "", "respond_within_days": 3}, {"message": "督办", "respond_within_days": 0},
                 {"message": "督办", "respond_within_days": 61}, {"message": "督办", "respond_within_days": "3"},
                 {"message": "督办"}, {"message": "x" * 1001, "respond_within_days": 3},
                 {"message": "督办", "respond_within_days": 3, "extra": 1}):
        response = api("county_office").post(f"/tasks/{task.id}/supervision", json=body)
        assert response.status_code == 400, body
        assert response.get_json()["error"]["message"]
    with pytest.raises(ValidationFailed, match="1到60"):
        verbs.issue(get_user("county_office"), task, "督办", 99)
    db.session.rollback()
    assert db.session.scalar(select(func.count(Supervision.id))) == 0 and _audit("supervision.issue.refused") == []


def test_a_closed_or_draft_task_takes_no_notice(app, world, api):
    draft = world.task(owner=None, co_owners=[])
    response = _issue(api, draft)
    assert response.status_code == 409 and _audit("supervision.issue.refused")


def test_only_the_owner_or_a_co_owner_answers(app, world, api):
    task = world.task()
    sid = _issue(api, task).get_json()["id"]
    for who, status in (("leader", 403), ("office", 403), ("county_office", 403), ("viewer", 403),
                        ("other_office", 404), ("other_cadre", 404)):
        response = api(who).post(f"/supervisions/{sid}/answer", json={"note": "已办理"})
        assert response.status_code == status, who
    refused = _audit("supervision.answer.refused")
    assert len(refused) == 4 and all(e.task_id == task.id for e in refused)
    answered = api("cadre2").post(f"/supervisions/{sid}/answer", json={"note": "已全部整改到位"})
    assert answered.status_code == 200
    body = answered.get_json()
    assert body["status"] == "answered" and body["answered_by"] == "cadre2" and body["answer_note"] == "已全部整改到位"
    again = api("cadre").post(f"/supervisions/{sid}/answer", json={"note": "再答一次"})
    assert again.status_code == 409 and len(_audit("supervision.answer.refused")) == 5
    assert api("cadre").post(f"/supervisions/{sid}/answer", json={"note": ""}).status_code == 400
    assert [e.changes["answer"] for e in _audit("supervision.answer")] == ["已全部整改到位"]


def test_reading_follows_the_task(app, world, api):
    task = world.task()
    sid = _issue(api, task).get_json()["id"]
    for who in ("office", "leader", "cadre", "viewer", "county_office"):
        assert api(who).get(f"/supervisions/{sid}").status_code == 200, who
        assert [s["id"] for s in api(who).get("/supervisions").get_json()["items"]] == [sid]
    assert api("other_office").get(f"/supervisions/{sid}").status_code == 404
    assert api("other_office").get("/supervisions").get_json() == {"items": [], "total": 0, "page": 1,
                                                                   "per_page": 20}
    assert api("office").get("/supervisions/99999").status_code == 404
    assert api("office").get("/supervisions?status=late").status_code == 400


# --- status, notices, escalation ----------------------------------------------------------------------------

def test_the_owner_is_told_at_once(app, world, api, quiet_queue):
    task = world.task()
    number = _issue(api, task).get_json()["number"]
    told = [(u, k) for u, k, t, _ in notices() if k == "supervision"]
    assert sorted(told) == [("cadre", "supervision"), ("cadre2", "supervision")]
    row = db.session.scalar(select(Notification).where(Notification.kind == "supervision"))
    assert number in compose.message(row) and "请于2026-11-30前答复" in compose.message(row)
    listed = api("cadre").get("/notifications").get_json()["items"]
    assert any(n["kind"] == "supervision" for n in listed)


def test_overdue_by_one_rule_and_its_sql_twin(app, world, api):
    task = world.task()
    ids = [_issue(api, task, days=d).get_json()["id"] for d in (1, 3, 10)]
    api("cadre").post(f"/supervisions/{ids[2]}/answer", json={"note": "已办"})
    db.session.rollback()
    for day in (date(2026, 11, 25), date(2026, 11, 26), date(2026, 11, 27), date(2026, 12, 1), date(2027, 1, 5)):
        items = db.session.scalars(select(Supervision)).all()
        for status in ("open", "answered", "overdue"):
            by_rule = {s.id for s in items if rules.status_of(s, day) == status}
            by_sql = set(db.session.scalars(select(Supervision.id).where(rules.status_sql(status, day))))
            assert by_rule == by_sql, (day, status)
    app.config["FIXED_TODAY"] = date(2026, 11, 27)  # Fri: the 1-day one (due Thu) is overdue
    assert [s["id"] for s in api("office").get("/supervisions?status=overdue").get_json()["items"]] == [ids[0]]
    assert [s["id"] for s in api("office").get("/supervisions?status=open").get_json()["items"]] == [ids[1]]
    assert [s["id"] for s in api("office").get("/supervisions?status=answered").get_json()["items"]] == [ids[2]]
    assert api("office").get(f"/supervisions/{ids[0]}").get_json()["status"] == "overdue"


def test_respond_by_counts_working_days_over_a_holiday(app, world):
    # 2026 National Day: 1–7 October off (Sat 10 Oct a working day).
    assert rules.respond_by(date(2026, 9, 30), 1) == date(2026, 10, 8)
    assert rules.respond_by(date(2026, 11, 27), 1) == date(2026, 11, 30)  # Friday → Monday


def test_an_overdue_notice_is_escalated_once_by_the_sweep(app, world, api, quiet_queue):
    task = world.task()
    sid = _issue(api, task, days=1).get_json()["id"]  # due Thu 26 Nov
    answered = _issue(api, task, days=1).get_json()["id"]
    api("cadre").post(f"/supervisions/{answered}/answer", json={"note": "已办"})
    run_sweep(date(2026, 11, 26))
    db.session.commit()
    assert [n for n in notices() if n[1] == "supervision_overdue"] == []
    for day in (date(2026, 11, 27), date(2026, 11, 27), date(2026, 11, 30)):  # a rerun, the next day: nothing new
        run_sweep(day)
        db.session.commit()
    escalated = sorted((u, t) for u, k, t, _ in notices() if k == "supervision_overdue")
    assert escalated == [("county_office", task.id), ("leader", task.id)]
    row = db.session.scalar(select(Notification).where(Notification.kind == "supervision_overdue"))
    assert row.source_id == sid and "旌督〔2026〕1号" in compose.message(row) and "2026-11-26" in compose.message(row)


def test_the_rules_can_switch_the_escalation_off(app, world, api, quiet_queue):
    from tracker.services.reminders.rules import save_rules
    task = world.task()
    _issue(api, task, days=1)
    data = {"due_soon_workdays": 3, "escalate_lead_after": 3, "escalate_committee_after": 10, "stalled_days": 30,
            "stalled_repeat_days": 7, "review_wait_workdays": 3, "digest_time": "09:00",
            "disabled_kinds": ["supervision_overdue"]}
    save_rules(get_user("office"), task.org, data)
    db.session.commit()
    run_sweep(date(2026, 11, 30))
    db.session.commit()
    assert [n for n in notices() if n[1] == "supervision_overdue"] == []


# --- the Word notice ---------------------------------------------------------------------------------------

def test_the_notice_downloads_as_a_gongwen_docx(app, world, api):
    task = world.task()
    sid = _issue(api, task, message="请于月底前完成普法宣讲全覆盖").get_json()["id"]
    api("cadre").post(f"/supervisions/{sid}/answer", json={"note": "已完成12个村的宣讲"})
    response = api("cadre").get(f"/supervisions/{sid}/notice.docx")
    assert response.status_code == 200 and response.mimetype.endswith("wordprocessingml.document")
    assert "filename*=UTF-8''" in response.headers["Content-Disposition"]
    doc = Document(io.BytesIO(response.data))
    paragraphs = [p.text for p in doc.paragraphs]
    assert paragraphs[0] == "督办通知单" and paragraphs[1] == "旌督〔2026〕1号"
    assert doc.paragraphs[0].style.name == "公文标题"
    body = "\n".join(paragraphs)
    assert "《开展普法宣讲》" in body and "请于月底前完成普法宣讲全覆盖" in body and "2026年11月30日" in body
    issued = to_local(db.session.get(Supervision, sid).issued_at).date()  # the real clock: FIXED_TODAY is a date
    assert "已完成12个村的宣讲" in body
    assert paragraphs[-2:] == ["旌德县", f"{issued.year}年{issued.month}月{issued.day}日"]
    section = doc.sections[0]
    assert round(section.page_width.mm) == 210 and round(section.left_margin.mm) == 28  # 订口 28 ± 1 mm
    assert doc.core_properties.title == "督办通知单 旌督〔2026〕1号"
    assert api("other_office").get(f"/supervisions/{sid}/notice.docx").status_code == 404


# --- statement counts ---------------------------------------------------------------------------------------

def _statements(api_user, path):
    db.session.rollback()
    with count_statements() as counter:
        response = api_user.get(path)
    assert response.status_code == 200
    return counter["n"], response.get_json()


def test_the_list_statement_count_does_not_grow_with_rows(app, world, api):
    county = api("county_office")
    for i in range(2):
        _issue(api, world.task(title=f"任务{i}"))
    few, body = _statements(county, "/supervisions?per_page=100")
    assert body["total"] == 2
    for i in range(12):
        sid = _issue(api, world.task(title=f"更多任务{i}", owner="cadre3" if i % 2 else "cadre")).get_json()["id"]
        if i % 3 == 0:
            api("cadre" if i % 2 == 0 else "cadre3").post(f"/supervisions/{sid}/answer", json={"note": "已办"})
    many, body = _statements(county, "/supervisions?per_page=100")
    assert body["total"] == 14 and len(body["items"]) == 14
    assert many == few
    county_user = get_user("county_office")
    with count_statements() as counter:
        rows, total = queries.page_for(county_user, "open", TODAY, 1, 100)
        [(r.task.title, r.task.owner, r.issued_by.name, r.answered_by) for r in rows]
    assert total == 10 and counter["n"] == 2


def test_a_lost_answer_race_is_a_conflict(app, world):
    task = world.task()
    item = verbs.issue(get_user("county_office"), task, "督办", 3)
    db.session.commit()
    db.session.execute(text("UPDATE supervision SET state = 'answered' WHERE id = :id"), {"id": item.id})
    with pytest.raises(Conflict):
        verbs.answer(get_user("cadre"), item, "已办")
    db.session.rollback()


# --- the pages ----------------------------------------------------------------------------------------------

def test_the_pages_issue_list_answer_and_download(app, world, client):
    from tests.web_fixtures import as_user, login, post
    task = world.task()
    login(client, "county_office")
    page = client.get(f"/tasks/{task.id}").get_data(as_text=True)
    assert "下发督办单" in page and f"/tasks/{task.id}/supervision" in page
    bad = post(client, f"/tasks/{task.id}/supervision", {"message": "", "respond_within_days": "99"},
               page=f"/tasks/{task.id}/supervision")
    html = bad.get_data(as_text=True)
    assert bad.status_code == 200 and "请填写督办内容" in html and "须在1到60个工作日之间" in html
    done = post(client, f"/tasks/{task.id}/supervision", {"message": "请本周内报告进度", "respond_within_days": "3"},
                page=f"/tasks/{task.id}/supervision")
    assert done.status_code == 302
    sid = db.session.scalar(select(Supervision.id))
    listed = client.get("/supervisions?status=open").get_data(as_text=True)
    assert "旌督〔2026〕1号" in listed and "待答复" in listed
    assert "旌督〔2026〕1号" not in client.get("/supervisions?status=answered").get_data(as_text=True)
    assert client.get("/supervisions?status=nonsense").status_code == 200
    with as_user(app, "cadre") as cadre:
        detail = cadre.get(f"/supervisions/{sid}").get_data(as_text=True)
        assert "答复督办单" in detail and "下载督办通知单" in detail
        assert "旌督〔2026〕1号" in cadre.get(f"/tasks/{task.id}").get_data(as_text=True)
        assert f'href="/tasks/{task.id}/supervision"' not in cadre.get(f"/tasks/{task.id}").get_data(as_text=True)
        empty = post(cadre, f"/supervisions/{sid}/answer", {"note": ""}, page=f"/supervisions/{sid}")
        assert empty.status_code == 200 and "请填写答复内容" in empty.get_data(as_text=True)
        answered = post(cadre, f"/supervisions/{sid}/answer", {"note": "已报告"}, page=f"/supervisions/{sid}")
        assert answered.status_code == 302
        assert cadre.get(f"/supervisions/{sid}/notice.docx").status_code == 200
    with as_user(app, "leader") as leader:
        assert leader.get(f"/tasks/{task.id}/supervision").status_code == 403
        assert post(leader, f"/supervisions/{sid}/answer", {"note": "代答"}, page=f"/supervisions/{sid}"
                    ).status_code == 403
    assert len(_audit("supervision.answer.refused")) == 1
    answered_page = client.get("/supervisions?status=answered").get_data(as_text=True)
    assert "旌督〔2026〕1号" in answered_page and "已答复" in answered_page


def test_the_command_line_sets_the_short_name(app, world, runner):
    result = runner.invoke(args=["orgs", "short-name", "旌德县/云乐镇", "云乐"])
    assert result.exit_code == 0 and "云乐" in result.output
    assert orgs.resolve_org("云乐镇").abbreviation == "云乐"
    result = runner.invoke(args=["orgs", "create", "蔡家桥镇", "--parent", "旌德县", "--short-name", "蔡桥"])
    assert result.exit_code == 0 and "简称“蔡桥”" in result.output
    bad = runner.invoke(args=["orgs", "short-name", "云乐镇", "云 乐"])
    assert bad.exit_code != 0 and "不能含空格" in bad.output
    db.session.expire_all()
    assert orgs.resolve_org("云乐镇").abbreviation == "云乐"
    assert runner.invoke(args=["orgs", "short-name", "云乐镇"]).exit_code == 0
    db.session.expire_all()
    assert orgs.resolve_org("云乐镇").abbreviation == "云"


def test_0610_adds_the_tables_the_kinds_and_the_short_name_and_goes_back(services, tmp_path):
    from flask_migrate import downgrade, upgrade
    from sqlalchemy import create_engine, inspect

    import config
    from tests.test_migrations import MIGRATIONS, ROWS, _counts
    from tracker import create_app
    url = f"sqlite:///{tmp_path / 'installed.db'}"
    fresh = create_app(config.TestConfig(), SQLALCHEMY_DATABASE_URI=url, INSTANCE_DIR=str(tmp_path / "instance"))
    bind_migrate(fresh)
    with fresh.app_context():
        upgrade(directory=MIGRATIONS, revision="0530")
        engine = db.engine
        with engine.begin() as conn:
            for statement in ROWS:
                conn.execute(text(statement))
        before = _counts(engine)
        notice = ("INSERT INTO notification (id, recipient_id, task_id, kind, key_date, source_id, for_date, note,"
                  " created_at) VALUES (2, 1, 1, 'supervision_overdue', '2026-12-03', 1, '2026-12-03', '',"
                  " '2026-12-03')")
        with pytest.raises(Exception, match="CHECK constraint failed"), engine.begin() as conn:
            conn.execute(text(notice))
        upgrade(directory=MIGRATIONS, revision="0610")
        assert _counts(engine) == before
        tables = inspect(create_engine(engine.url)).get_table_names()
        assert {"supervision", "supervision_counter"} <= set(tables)
        with engine.begin() as conn:
            conn.execute(text(notice))
            conn.execute(text("UPDATE organisation SET short_name = '云'"))
            with pytest.raises(Exception, match="CHECK constraint failed"):
                conn.execute(text("INSERT INTO supervision (task_id, issuer_org_id, issued_by_id, year, seq, number,"
                                  " message, respond_within_days, respond_by, issued_at, state, answer_note) VALUES"
                                  " (1, 1, 1, 2026, 1, '云督〔2026〕1号', '', 3, '2026-12-08', '2026-12-03',"
                                  " 'lost', '')"))
        downgrade(directory=MIGRATIONS, revision="0530")  # the new notices go; every other row stays
        assert _counts(engine) == before
        inspector = inspect(create_engine(engine.url))
        assert "supervision" not in inspector.get_table_names()
        assert "short_name" not in {c["name"] for c in inspector.get_columns("organisation")}
        db.session.remove()
        db.engine.dispose()


def test_the_committee_sets_its_short_name_on_the_list_page(app, world, client):
    from tests.web_fixtures import login, post
    login(client, "office")
    page = client.get("/supervisions").get_data(as_text=True)
    assert "本单位发文简称:云" in page
    bad = post(client, "/supervisions/short-name", {"short_name": "云 乐"}, page="/supervisions")
    assert bad.status_code == 200 and "不能含空格" in bad.get_data(as_text=True)
    assert post(client, "/supervisions/short-name", {"short_name": "云乐"}, page="/supervisions").status_code == 302
    db.session.expire_all()
    assert orgs.resolve_org("云乐镇").abbreviation == "云乐"
    assert [e.changes["short_name"] for e in _audit("org.short_name")] == [["", "云乐"]]


def test_the_list_page_statement_count_does_not_grow_with_rows(app, world, api, client):
    from tests.web_fixtures import login
    login(client, "county_office")
    for i in range(2):
        _issue(api, world.task(title=f"任务{i}"))
    client.get("/supervisions")
    db.session.rollback()
    with count_statements() as counter:
        assert client.get("/supervisions").status_code == 200
    few = counter["n"]
    for i in range(10):
        sid = _issue(api, world.task(title=f"更多任务{i}")).get_json()["id"]
        if i % 2:
            api("cadre").post(f"/supervisions/{sid}/answer", json={"note": "已办"})
    db.session.rollback()
    with count_statements() as counter:
        html = client.get("/supervisions").get_data(as_text=True)
    assert html.count('class="card supervision"') == 12 and counter["n"] == few
