"""Robot addresses cannot reach inside the network (issue 18.1): only the robots' own endpoints over https, or hosts
an operator lists; checked when saved and again when sent; no redirects followed; no peer's answer kept."""
from datetime import date

import pytest
from sqlalchemy import select

from tasks.reminders import send_batch
from tests.reminders_fixtures import RobotServer, quiet_queue, robot_server  # noqa: F401
from tests.test_reminders_web import login, post
from tracker.extensions import db
from tracker.models import Delivery, OrgChannels
from tracker.services.errors import ValidationFailed
from tracker.services.people.users import get_user
from tracker.services.reminders import webhooks
from tracker.services.reminders.settings import org_channels, save_org_channels

WECOM = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=693a91f6-7xxx"
DING = "https://oapi.dingtalk.com/robot/send?access_token=abc123"


def _save(wecom="", dingtalk=""):
    office = get_user("office")
    return save_org_channels(office, office.org, {"wecom_webhook": wecom, "dingtalk_webhook": dingtalk,
                                                  "dingtalk_secret": "", "is_email_on": True})


@pytest.mark.parametrize("address", [
    "http://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k",         # not https
    "https://qyapi.weixin.qq.com:8443/cgi-bin/webhook/send?key=k",   # another port
    "https://qyapi.weixin.qq.com@169.254.169.254/latest/meta-data",  # the host is after the @
    "https://user:pw@qyapi.weixin.qq.com/cgi-bin/webhook/send",
    "https://evil.example/?qyapi.weixin.qq.com",
    "https://qyapi.weixin.qq.com.evil.example/",
    "http://169.254.169.254/latest/meta-data/",
    "http://127.0.0.1:6379/",
    "https://[::1]/",
    "https://oapi.dingtalk.com/robot/send?access_token=t",           # DingTalk's host in the WeCom field
    "ftp://qyapi.weixin.qq.com/",
    "https://qyapi.weixin.qq.com/\r\nX: y",
    "https://qyapi.weixin.qq.com:99999999/",
])
def test_saving_refuses_anything_but_the_robots_endpoint(world, address):
    with pytest.raises(ValidationFailed) as refused:
        _save(wecom=address)
    assert "企业微信群机器人地址须为 https://qyapi.weixin.qq.com/ 开头" in refused.value.fields["wecom_webhook"]
    db.session.rollback()
    assert db.session.scalar(select(OrgChannels)) is None


def test_saving_takes_the_robots_and_hosts_the_operator_listed(app, world):
    row = _save(wecom=WECOM, dingtalk=DING)
    assert (row.wecom_webhook, row.dingtalk_webhook) == (WECOM, DING)
    app.config["ROBOT_ALLOWED_HOSTS"] = ["relay.intranet:8443", "10.1.2.3"]
    row = _save(wecom="http://relay.intranet:8443/wecom?key=k", dingtalk="http://10.1.2.3/ding")
    assert row.wecom_webhook == "http://relay.intranet:8443/wecom?key=k"
    with pytest.raises(ValidationFailed) as refused:
        _save(wecom="http://relay.intranet:9000/wecom")  # listed with its port: another port is not
    assert "ROBOT_ALLOWED_HOSTS" in refused.value.fields["wecom_webhook"]


def test_the_form_says_why_and_the_committee_sees_the_address_in_full(client, world, quiet_queue):
    login(client, "office")
    bad = post(client, "/notices/channels", {"ch-is_email_on": "y", "ch-wecom_webhook": "http://169.254.169.254/"},
               "/notices/rules")
    assert bad.status_code == 400
    assert "企业微信群机器人地址须为 https://qyapi.weixin.qq.com/ 开头的机器人地址" in bad.get_data(as_text=True)
    assert db.session.scalar(select(OrgChannels)) is None
    good = post(client, "/notices/channels", {"ch-is_email_on": "y", "ch-wecom_webhook": WECOM}, "/notices/rules")
    assert good.status_code == 302
    page = client.get("/notices/rules").get_data(as_text=True)
    assert 'value="https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=693a91f6-7xxx"' in page


def _one_wecom_delivery(world, webhook: str) -> int:
    office = get_user("office")
    row = org_channels(office.org_id)
    row.is_email_on, row.wecom_webhook = False, webhook  # written directly, as before the rule
    db.session.add(row)
    db.session.commit()
    before = set(db.session.scalars(select(Delivery.id)))
    world.task(start_date=None, due_date=date(2026, 12, 31), co_owners=[])  # 交办 to the owner
    (new,) = set(db.session.scalars(select(Delivery.id))) - before
    return new


def _after_send(delivery_id: int) -> Delivery:
    send_batch([delivery_id])
    db.session.rollback()
    return db.session.get(Delivery, delivery_id)


def test_an_address_saved_before_the_rule_is_refused_when_sending(app, world, quiet_queue):
    server = RobotServer()  # on loopback, and not listed
    try:
        delivery = _after_send(_one_wecom_delivery(world, server.url + "/wecom?key=k"))
        assert server.requests == []
    finally:
        server.close()
    assert delivery.status == "pending" and delivery.attempts == 1  # retried later, failed in the end
    assert delivery.last_error.startswith("机器人地址不符合要求,已拒绝发送:")


def test_a_robot_name_that_resolves_to_loopback_is_not_called(app, world, quiet_queue):
    # As if the robot's name pointed at this machine (a poisoned resolver, a hosts file): "localhost" stands in.
    app.config["ROBOT_PUBLIC_HOSTS"] = {**app.config["ROBOT_PUBLIC_HOSTS"], "wecom": "localhost"}
    address = "https://localhost/cgi-bin/webhook/send?key=k"
    assert webhooks.problem("wecom", address) == ""  # the address itself passes the saving rule
    with pytest.raises(webhooks.AddressRefused, match="本机、内网或链路本地"):
        webhooks.target("wecom", address)
    delivery = _after_send(_one_wecom_delivery(world, address))
    assert delivery.last_error == "机器人地址解析到本机、内网或链路本地地址,已拒绝发送"
    app.config["ROBOT_ALLOWED_HOSTS"] = ["localhost"]  # the operator's say-so lets it through the check
    assert webhooks.target("wecom", address).ip in ("127.0.0.1", "::1")


def test_redirects_are_not_followed_and_the_robots_answer_is_not_kept(app, world, robot_server, quiet_queue):
    robot_server.mode = "redirect"
    delivery = _after_send(_one_wecom_delivery(world, robot_server.url + "/wecom?key=k"))
    assert len(robot_server.requests) == 1 and robot_server.followed == []
    assert delivery.last_error == "机器人服务器要求跳转(HTTP 302),已拒绝跟随"
    robot_server.mode = "http500"
    delivery = _after_send(_one_wecom_delivery(world, robot_server.url + "/wecom?key=k"))
    assert delivery.last_error == "机器人服务器返回 HTTP 500"
    robot_server.mode = "error"  # errcode 45009 with the robot's own errmsg
    delivery = _after_send(_one_wecom_delivery(world, robot_server.url + "/wecom?key=k"))
    assert delivery.last_error == "机器人返回错误码 45009"
    assert all("hunter2" not in d.last_error and "freq" not in d.last_error
               for d in db.session.scalars(select(Delivery)))
    assert org_channels(get_user("office").org_id).wecom_webhook == robot_server.url + "/wecom?key=k"
