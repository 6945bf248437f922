"""The task pages' blueprint, which each route module registers on."""
from flask import Blueprint

bp = Blueprint("task_pages", __name__)
