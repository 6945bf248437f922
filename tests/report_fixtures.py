"""A 2026 plan with known updates and a 2025 baseline, for the report tests."""
from datetime import date
from decimal import Decimal

import pytest

from tracker.extensions import db
from tracker.services.people import users
from tracker.services.reporting.baseline import save_baseline
from tracker.services.tasks import progress
from tracker.services.tasks import verbs as tasks

# What the tests expect, written out by hand from the updates below.
EXPECTED = {
    ("普法宣讲", "次"): Decimal(12),        # 3 + 4 on a section-7 task, 5 on a cancelled section-7 task
    ("普法受众", "人"): Decimal("1500.5"),  # 600 + 900.5
    ("合法性审查", "次"): Decimal(3),       # 1 + 2, section 3
    ("调解案件", "件"): Decimal(9),         # 9, section 5, and no baseline
}
BASELINE_2025 = [
    {"name": "普法宣讲", "value": 7, "unit": "次", "report_section": 7},
    {"name": "普法受众", "value": 820, "unit": "人", "is_approximate": True, "report_section": 7},
    {"name": "合法性审查", "value": 4, "unit": "次", "report_section": 7},
    {"name": "行政许可", "value": 68, "unit": "件", "report_section": 2},
]


def post(task, username, percent, note, metrics):
    update = progress.record_progress(users.get_user(username), task, percent=percent, note=note, metrics=metrics)
    db.session.commit()
    return update


@pytest.fixture
def year_plan(world):
    """Tasks in sections 1, 3, 5 and 7 (none in 2, 4, 6), one cancelled after reporting figures."""
    lecture = world.task(title="开展普法宣讲进村入户", report_section=7)
    post(lecture, "cadre", 40, "在云乐村开展宣讲3次", [{"name": "普法宣讲", "value": 3, "unit": "次"},
                                                       {"name": "普法受众", "value": 600, "unit": "人"}])
    post(lecture, "cadre", 100, "在刘村村开展宣讲4次", [{"name": "普法宣讲", "value": 4, "unit": "次"},
                                                        {"name": "普法受众", "value": "900.5", "unit": "人"}])
    cancelled = world.task(title="校园法治讲座", report_section=7)
    post(cancelled, "cadre", 50, "在中心小学宣讲5次", [{"name": "普法宣讲", "value": 5, "unit": "次"}])
    tasks.cancel_task(users.get_user("office"), cancelled, "学校另有安排")
    review = world.task(title="重大决策合法性审查", report_section=3)
    post(review, "cadre", 30, "审查奖补办法1次", [{"name": "合法性审查", "value": 1, "unit": "次"}])
    post(review, "cadre", 60, "审查租赁合同2次", [{"name": "合法性审查", "value": 2, "unit": "次"}])
    mediation = world.task(title="一站式矛盾纠纷调处", report_section=5)
    post(mediation, "cadre", 50, "调处纠纷9件", [{"name": "调解案件", "value": 9, "unit": "件"}])
    study = world.task(title="中心组专题学法", report_section=1)
    db.session.commit()
    return {"lecture": lecture, "cancelled": cancelled, "review": review, "mediation": mediation,
            "study": study, "plan": world.plan}


@pytest.fixture
def baseline(world):
    save_baseline(users.get_user("office"), world.plan.org, 2025, BASELINE_2025)
    db.session.commit()


TODAY = date(2026, 11, 25)
