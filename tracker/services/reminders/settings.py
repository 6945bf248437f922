"""Channel settings: an organisation's robots and email switch, a person's own choice of channels."""
from sqlalchemy import select

from tracker.extensions import db
from tracker.models import Organisation, OrgChannels, User, UserChannels
from tracker.services import audit
from tracker.services.errors import ValidationFailed
from tracker.services.people.access import require_committee
from tracker.services.reminders import webhooks
from tracker.services.reminders.channels import email_configured


def org_channels(org_id: int) -> OrgChannels:
    """The organisation's row, or an unsaved one with the defaults."""
    row = db.session.scalar(select(OrgChannels).where(OrgChannels.org_id == org_id))
    return row or OrgChannels(org_id=org_id, is_email_on=True, wecom_webhook="", dingtalk_webhook="",
                              dingtalk_secret="")


def user_channels(user_id: int) -> UserChannels:
    row = db.session.scalar(select(UserChannels).where(UserChannels.user_id == user_id))
    return row or UserChannels(user_id=user_id, is_email_on=True, is_wecom_on=True, is_dingtalk_on=True)


def offered_channels(user: User) -> list[str]:
    """The channels a person may switch: email when a mail server is set, a robot when their unit has one."""
    row = org_channels(user.org_id)
    return [c for c, ready in (("email", email_configured()), ("wecom", bool(row.wecom_webhook)),
                               ("dingtalk", bool(row.dingtalk_webhook))) if ready]


def save_org_channels(actor: User, org: Organisation, data: dict) -> OrgChannels:
    """The committee sets its group robots' webhooks (and DingTalk's signing secret) and the email switch."""
    require_committee(actor, org.id, "reminders.channels")
    errors: dict = {}
    clean = {}
    for channel, label in (("wecom", "企业微信群机器人地址"), ("dingtalk", "钉钉群机器人地址")):
        field = f"{channel}_webhook"
        value = (data.get(field) or "").strip() if isinstance(data.get(field) or "", str) else None
        reason = webhooks.problem(channel, value) if value != "" else ""
        if reason:
            errors[field] = f"{label}{reason}"
        clean[field] = value or ""
    secret = data.get("dingtalk_secret") or ""
    if not isinstance(secret, str) or len(secret.strip()) > 200:
        errors["dingtalk_secret"] = "钉钉群机器人签名密钥不能超过200字"
    if not isinstance(data.get("is_email_on"), bool):
        errors["is_email_on"] = "须选择是否发送邮件"
    if errors:
        raise ValidationFailed("提交的内容有误,请检查标出的字段。", errors)
    row = org_channels(org.id)
    db.session.add(row)
    row.wecom_webhook, row.dingtalk_webhook = clean["wecom_webhook"], clean["dingtalk_webhook"]
    row.dingtalk_secret, row.is_email_on = secret.strip(), data["is_email_on"]
    db.session.flush()
    # Webhook addresses carry their access token: the trail records only whether each is set.
    audit.record(actor, "reminders.channels", obj=row, org_id=org.id, changes={
        "wecom": bool(row.wecom_webhook), "dingtalk": bool(row.dingtalk_webhook), "email": row.is_email_on})
    return row


def save_user_channels(user: User, data: dict) -> UserChannels:
    """A person switches channels on or off for themselves."""
    errors = {k: "须为是或否" for k in ("is_email_on", "is_wecom_on", "is_dingtalk_on")
              if not isinstance(data.get(k), bool)}
    if errors:
        raise ValidationFailed("提交的内容有误", errors)
    row = user_channels(user.id)
    db.session.add(row)
    row.is_email_on, row.is_wecom_on, row.is_dingtalk_on = data["is_email_on"], data["is_wecom_on"], data["is_dingtalk_on"]
    db.session.flush()
    return row
