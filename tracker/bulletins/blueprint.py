"""The 通报 pages' blueprint, and the `rate` filter every page shows a rate with (87.5%, or — over no tasks)."""
from flask import Blueprint

from tracker.services.rankings.rates import as_percent

bp = Blueprint("bulletins", __name__)
bp.add_app_template_filter(as_percent, "rate")
