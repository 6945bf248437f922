"""The notices pages' blueprint."""
from flask import Blueprint

bp = Blueprint("notices", __name__, url_prefix="/notices")
