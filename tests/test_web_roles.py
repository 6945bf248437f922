"""Each role's start page and the smaller items of issue 16.8: 协办 marked, 100 % offers 申请办结, plain Chinese
for the reminder channels, channels only when configured, section filters from the year's template."""
import re

from tests.web_fixtures import login, post
from tracker.extensions import db
from tracker.models import OrgChannels, UserChannels
from tracker.services.people.users import get_user
from tracker.services.reporting import template as report_template


def _text(response) -> str:
    return response.get_data(as_text=True)


def _landing(app, username) -> str:
    with app.app_context():  # another person's browser: no cached login from the test's context
        return login(app.test_client(), username).headers["Location"]


def test_each_role_lands_on_its_own_start_page(client, app, world):
    assert [_landing(app, u) for u in ("cadre", "leader", "office", "viewer")] == [
        "/", "/review", "/dashboard", "/dashboard"]


def test_a_leader_sees_what_waits_and_the_tasks_they_lead(client, world):
    world.task(title="牵头的任务甲")
    world.task(title="别人牵头的任务", lead="leader2")
    login(client, "leader")
    html = _text(client.get("/review"))
    assert "我牵头的任务" in html and "牵头的任务甲" in html and "别人牵头的任务" not in html


def test_my_tasks_marks_the_ones_i_help_with(client, world):
    world.task(title="我负责的任务", owner="cadre2", co_owners=[])
    world.task(title="我协办的任务", owner="cadre", co_owners=["cadre2"])
    login(client, "cadre2")
    cards = re.findall(r'<li class="task.*?</li>', _text(client.get("/")), re.S)
    marked = {("我协办的任务" in c, 'class="badge co-owner">协办' in c) for c in cards}
    assert marked == {(True, True), (False, False)}


def test_full_progress_offers_the_completion_request(client, world):
    task = world.task()
    login(client, "cadre")
    response = post(client, f"/tasks/{task.id}/progress", {"p-percent": "100", "p-note": "全部完成"},
                    page=f"/tasks/{task.id}/progress")
    assert response.status_code == 302 and response.headers["Location"].endswith(
        f"/tasks/{task.id}?open=complete#complete")
    html = _text(client.get(response.headers["Location"]))
    assert "进度已到100%" in html and "申请办结</a>" in html
    assert re.search(r'<details class="action" id="complete" open>', html)


def test_reminder_channels_in_plain_chinese_and_email_only_with_a_mail_server(client, app, world):
    login(client, "office")
    html = _text(client.get("/notices/rules"))
    for jargon in ("Webhook", "SEC 开头", "Markdown"):
        assert jargon not in html
    assert "群机器人地址" in html and "签名密钥" in html
    assert 'name="ch-is_email_on"' not in html and "尚未配置发信服务器" in html
    assert 'name="is_email_on"' not in _text(client.get("/notices/settings"))
    # Saving the robots without a mail server keeps the saved e-mail choice.
    db.session.add(OrgChannels(org_id=get_user("office").org_id, is_email_on=True, wecom_webhook="",
                               dingtalk_webhook="", dingtalk_secret=""))
    db.session.commit()
    assert post(client, "/notices/channels", {"ch-wecom_webhook": "https://qyapi.weixin.qq.com/x?key=1"},
                page="/notices/rules").status_code == 302
    db.session.expire_all()
    row = db.session.scalar(db.select(OrgChannels))
    assert row.is_email_on and row.wecom_webhook
    assert 'name="is_wecom_on"' in _text(client.get("/notices/settings"))  # offered now the unit has a robot
    post(client, "/notices/settings", {"is_wecom_on": ""}, page="/notices/settings")
    saved = db.session.scalar(db.select(UserChannels))
    assert (saved.is_email_on, saved.is_wecom_on) == (True, False)
    app.config["MAIL_SERVER"] = "127.0.0.1"
    assert 'name="ch-is_email_on"' in _text(client.get("/notices/rules"))
    assert 'name="is_email_on"' in _text(client.get("/notices/settings"))


def test_section_filters_offer_only_the_templates_sections(client, world):
    login(client, "office")
    page = f"/plans?plan_id={world.plan.id}"
    options = re.findall(r'<option value="(\d+)"', _text(client.get(page)).split('name="section"')[1].split("</select>")[0])
    assert options == [str(i) for i in range(1, 8)]
    report_template.save_template(get_user("office"), get_user("office").org, 2026, addressee="县委依法治县办:",
                                  parts=["一", "二", "三"], sections=[f"板块{i}" for i in range(1, 6)])
    db.session.commit()
    html = _text(client.get(page))
    options = re.findall(r'<option value="(\d+)"', html.split('name="section"')[1].split("</select>")[0])
    assert options == ["1", "2", "3", "4", "5"] and "(五)板块5" in html


def test_every_page_links_a_favicon_that_is_served(client, world):
    for page in ("/login", "/"):
        if page == "/":
            login(client, "cadre")
        icon = re.search(r'<link rel="icon" href="([^"]+)"', _text(client.get(page))).group(1)
        response = client.get(icon)
        assert response.status_code == 200 and response.mimetype == "image/svg+xml"
