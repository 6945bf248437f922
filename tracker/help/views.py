"""使用说明 (/help): one page per role; the screenshots are static files taken from the demo (tests/test_help.py)."""
from flask import Blueprint, abort, render_template
from flask_login import current_user, login_required

bp = Blueprint("help", __name__, url_prefix="/help")

# Page key → (title, who reads it); the order is the index's.
PAGES = {
    "office": ("党政办", "乡镇党委、政府办公室:建计划、交办、审核、出报告、管用户"),
    "leader": ("分管领导", "牵头任务、审核办结和延期申请、催办"),
    "cadre": ("责任人", "村(社区)和站所的责任人:在手机上反馈进展、申请办结或延期"),
    "county": ("县督查", "县委依法治县办:看各乡镇进度、逾期任务和年度报告"),
}


def page_for(user) -> str:
    """The guide a user most likely needs: the county's staff read 县督查, the rest by role."""
    if user.org.parent_id is None:
        return "county"
    return {"committee": "office", "leader": "leader", "cadre": "cadre"}.get(user.role, "county")


@bp.route("")
@login_required
def index():
    return render_template("help/index.html", pages=PAGES, mine=page_for(current_user))


@bp.route("/<key>")
@login_required
def page(key):
    if key not in PAGES:
        abort(404)
    return render_template(f"help/{key}.html", pages=PAGES, key=key, title=PAGES[key][0])
