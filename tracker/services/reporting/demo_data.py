"""The demo's report data: task targets from the plan files and the 2023 baseline (tracker/demo/baseline_2023.toml)."""
import tomllib
from pathlib import Path

from sqlalchemy import func, select

from tracker.extensions import db
from tracker.models import BaselineFigure, Organisation, PlanTask, User
from tracker.services.figures.catalogue import ensure_catalogue
from tracker.services.figures.targets import set_targets
from tracker.services.reporting.baseline import save_baseline

BASELINE_FILE = Path(__file__).resolve().parents[2] / "demo" / "baseline_2023.toml"


def load_targets(actor: User, task: PlanTask, spec: dict) -> None:
    """The `[[themes.tasks.targets]]` of a task in a demo plan file."""
    if spec.get("targets"):
        set_targets(actor, task, [{"name": t["name"], "value": t["value"], "unit": t["unit"]}
                                  for t in spec["targets"]])


def load_baseline(actor: User, org: Organisation) -> int:
    """The demo's 2023 figures and the default catalogue, unless already there; returns figures added."""
    ensure_catalogue(org)
    spec = tomllib.loads(BASELINE_FILE.read_text(encoding="utf-8"))
    if db.session.scalar(select(func.count()).select_from(BaselineFigure).where(
            BaselineFigure.org_id == org.id, BaselineFigure.year == spec["year"])):
        return 0
    rows = [{"name": f["name"], "unit": f["unit"], "value": f["value"], "report_section": f.get("section"),
             "is_approximate": f.get("approximate", False), "source": "演示数据:2023年度报告",
             "kind": f.get("kind", "flow"), "scope": f.get("scope", "")}
            for f in spec["figures"]]
    return len(save_baseline(actor, org, spec["year"], rows))
