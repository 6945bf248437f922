"""The reminders pages' blueprint: notification centre and reminder settings (URLs under /notices)."""
from flask import Blueprint

bp = Blueprint("reminders", __name__, url_prefix="/notices")
