"""The report pages' blueprint and who may read them."""
from flask import Blueprint, abort
from flask_login import current_user

from tracker.extensions import db
from tracker.models import Organisation
from tracker.services.people.access import can_read_org

bp = Blueprint("reports", __name__, url_prefix="/reports")
READERS = ("committee", "leader", "viewer")


def readable_org(org_id: int) -> Organisation:
    """The organisation whose report the signed-in user may read, or a 404 page."""
    org = db.session.get(Organisation, org_id)
    if org is None or not can_read_org(current_user, org):
        abort(404)
    return org
