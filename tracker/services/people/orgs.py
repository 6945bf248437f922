"""Organisations: create them and find them by name or path."""
from sqlalchemy import select

from tracker.extensions import db
from tracker.models import Organisation
from tracker.services import audit, events
from tracker.services.errors import NotFound, PermissionDenied, ValidationFailed, check_fields
from tracker.services.validation import clean_text


def create_org(name: str, parent: Organisation | None = None, *, actor=None) -> Organisation:
    """Add an organisation below `parent`; names are unique among siblings."""
    errors: dict = {}
    name = clean_text(errors, "name", "名称", name, max_len=100, required=True)
    if "/" in name:
        errors["name"] = "名称不能包含“/”"
    check_fields(errors, next(iter(errors.values()), ""))
    sibling = db.session.scalar(select(Organisation).where(
        Organisation.name == name,
        Organisation.parent_id == parent.id if parent else Organisation.parent_id.is_(None)))
    if sibling is not None:
        raise ValidationFailed(f"同级已有名为“{name}”的单位", {"name": "同级单位名称重复"})
    org = Organisation(name=name, parent=parent)
    db.session.add(org)
    db.session.flush()
    org.path = f"{parent.path if parent else '/'}{org.id}/"
    audit.record(actor, "org.create", obj=org, org_id=org.id, changes={"name": (None, name)})
    events.org_created.send(org, actor=actor)  # its default figure catalogue subscribes
    return org


def resolve_org(ref: str) -> Organisation:
    """Find an organisation by its name, or by a path such as 旌德县/云乐镇 where names repeat."""
    parts = [p.strip() for p in (ref or "").split("/") if p.strip()]
    if not parts:
        raise NotFound("请给出单位名称")
    if len(parts) == 1:
        found = db.session.scalars(select(Organisation).where(Organisation.name == parts[0])).all()
        if not found:
            raise NotFound(f"找不到单位“{parts[0]}”")
        if len(found) > 1:
            options = "、".join(sorted(o.full_name for o in found))
            raise ValidationFailed(f"有多个名为“{parts[0]}”的单位,请用路径指明:{options}")
        return found[0]
    node = None
    for part in parts:
        node = db.session.scalar(select(Organisation).where(
            Organisation.name == part,
            Organisation.parent_id == node.id if node else Organisation.parent_id.is_(None)))
        if node is None:
            raise NotFound(f"找不到单位“{ref}”")
    return node


def visible_org_ids(user):
    """A subquery of the ids of the user's organisation and those below it."""
    return select(Organisation.id).where(Organisation.path.startswith(user.org.path))


SHORT_NAME_MAX = 6


def set_short_name(actor, org: Organisation, short_name) -> Organisation:
    """Set the short name (简称) document numbers begin with; empty goes back to the name's first character.

    The committee of the organisation sets it on a page, anyone with the command line (actor None) there.
    """
    if actor is not None and not (actor.role == "committee" and actor.org_id == org.id):
        raise PermissionDenied("只有本单位党委/政府办公室可以设置单位简称", action="org.short_name")
    errors: dict = {}
    value = clean_text(errors, "short_name", "单位简称", short_name, max_len=SHORT_NAME_MAX)
    if not errors and any(c.isspace() or c in "/〔〕[]()（）" for c in value):
        errors["short_name"] = "单位简称不能含空格、斜杠或括号"
    check_fields(errors, next(iter(errors.values()), ""))
    before = org.short_name or ""
    org.short_name = value or None
    db.session.flush()
    if before != value:
        audit.record(actor, "org.short_name", obj=org, org_id=org.id, changes={"short_name": (before, value)})
    return org
