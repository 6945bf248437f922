"""The 督办单 pages' blueprint."""
from flask import Blueprint

bp = Blueprint("supervision", __name__)
