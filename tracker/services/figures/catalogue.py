"""The figure catalogue per organisation: what the report counts, seeded with the seed report's figures."""
from sqlalchemy import func, select

from tracker.extensions import db
from tracker.models import MetricDefinition, Organisation, User
from tracker.models.types import utcnow
from tracker.services import audit, events
from tracker.services.calendar.clock import today
from tracker.services.errors import PermissionDenied, ValidationFailed, check_fields
from tracker.services.infra.inserts import dialect_insert
from tracker.services.people.access import is_committee_of, require_committee
from tracker.services.plans.sections import sections_for
from tracker.services.validation import clean_text

# (name, unit, what it counts, report section, words that name it in a report's prose)
DEFAULTS = (
    ("党委会专题研究", "次", "党委会专题研究部署法治建设工作的次数", 1, ("党委会专题研究",)),
    ("专题学习", "次", "理论学习中心组等专题学法、学习研讨的次数", 1, ("组织开展学习", "专题学习", "学习研讨")),
    ("行政许可", "件", "办理的行政许可事项(采伐证等)", 2, ("行政许可",)),
    ("配合审核转报", "件", "配合职能部门审核转报的低保、临时救助等事项", 2, ("配合职能部门", "审核转报")),
    ("政策咨询", "次", "为群众提供的政策咨询服务", 2, ("政策咨询",)),
    ("线上办件", "件", "通过综合服务平台等在线办理的事项", 2, ("线上办件",)),
    ("代办服务", "起", "企业注册、变更登记等代办服务", 2, ("代办服务",)),
    ("执法考试通过", "名", "通过行政执法人员资格考试的人数", 3, ("执法人员考试",)),
    ("培训", "场", "组织或参加的执法、业务培训场次", 3, ("培训",)),
    ("培训人次", "人次", "参加培训的人次", 3, ("参训", "培训人次")),
    ("执法案件", "起", "办理的行政执法案件", 4, ("行政案件", "执法案件")),
    ("平安建设专题研究", "次", "党委专题研究平安建设工作的次数", 5, ("研究平安建设",)),
    ("平安建设责任书", "份", "签订的平安建设责任书", 5, ("责任书",)),
    # One entry for the meetings the seed calls both 矛盾纠纷排查 and 分析研判 (issue 15).
    ("矛盾纠纷排查", "次", "镇村矛盾纠纷排查例会、分析研判的次数", 5, ("矛盾纠纷排查", "分析研判")),
    ("网格员", "人", "现有网格员人数(年末在岗)", 5, ("网格员",)),
    ("新增网格员", "人", "本年新选配的网格员人数", 5, ("新增网格员", "补充")),
    ("网格长", "人", "现有网格长人数", 5, ("网格长",)),
    ("公安义警", "人", "现有公安义警人数", 5, ("公安义警",)),
    ("法律明白人", "人", "培养的“法律明白人”人数", 5, ("法律明白人",)),
    ("法律顾问", "名", "现有村居法律顾问人数", 5, ("法律顾问",)),
    ("普法宣讲", "次", "组织开展的普法宣讲次数", 7, ("普法宣讲", "法治宣讲")),
    ("普法受众", "人", "普法宣讲的受众人数", 7, ("受众",)),
    ("现场解答疑惑", "件", "宣讲现场解答的群众疑问", 5, ("解答群众疑惑", "现场解答")),
    ("接待来访", "批", "接待来访群众的批次", 5, ("接待来访",)),
    ("接待来访人次", "人次", "接待来访群众的人次", 5, ("接待来访",)),
    ("信访调度会", "次", "信访专项调度会次数", 5, ("调度会",)),
    ("合法性审查", "次", "对重大行政决策、规范性文件、合同开展合法性审查的次数", 7, ("合法性审查",)),
    ("调解案件", "件", "调解的矛盾纠纷案件", 5, ("调解案件", "调处纠纷")),
    ("法律援助", "件", "办理的法律援助案件", 5, ("法律援助",)),
)
ALIASES = {(name, unit): words for name, unit, _, _, words in DEFAULTS}
# Standing totals (现有): the latest value a task reports counts, not the sum of its updates.
STOCKS = frozenset({("网格员", "人"), ("网格长", "人"), ("公安义警", "人"), ("法律顾问", "名")})
# Names an earlier catalogue or last year's report used for an entry that now has one name.
MERGED = {("分析研判", "次"): ("矛盾纠纷排查", "次")}
KIND_LABELS = {"flow": "累计", "stock": "现有"}


def kind_of(name: str, unit: str) -> str:
    """The default kind of a figure by its name (a new entry is a flow unless the catalogue says otherwise)."""
    return "stock" if (name, unit) in STOCKS else "flow"
RETIRED = "该指标已停用,请联系党委/政府办公室"


@events.org_created.connect
def _default_catalogue(org: Organisation, **_) -> None:
    ensure_catalogue(org)


def ensure_catalogue(org: Organisation) -> int:
    """Give an organisation without a catalogue the default one; returns how many were added.

    Organisations get theirs when they are created (migration 0500 gave those that existed theirs), so
    no page writes on GET; the rows go in with ON CONFLICT DO NOTHING, so a second call adds none.
    """
    if db.session.scalar(select(func.count()).select_from(MetricDefinition)
                         .where(MetricDefinition.org_id == org.id)):
        return 0
    now = utcnow()
    rows = [{"org_id": org.id, "name": name, "unit": unit, "description": description, "report_section": section,
             "kind": kind_of(name, unit), "position": i, "is_active": True, "created_at": now}
            for i, (name, unit, description, section, _) in enumerate(DEFAULTS)]
    stmt = dialect_insert(MetricDefinition).values(rows).on_conflict_do_nothing()
    return len(db.session.execute(stmt.returning(MetricDefinition.id)).all())


def catalogue_for(org: Organisation, *, include_inactive: bool = False) -> list[MetricDefinition]:
    """The figures an organisation counts, in catalogue order (the progress form offers these)."""
    query = select(MetricDefinition).where(MetricDefinition.org_id == org.id)
    if not include_inactive:
        query = query.where(MetricDefinition.is_active.is_(True))
    return list(db.session.scalars(query.order_by(MetricDefinition.position, MetricDefinition.id)))


def clean_definition(errors: dict, name, unit, description="", section=None, *, section_count: int = 7):
    """Check a catalogue entry's fields; returns the cleaned values."""
    name = clean_text(errors, "name", "数据名称", name, max_len=100, required=True)
    unit = clean_text(errors, "unit", "单位", unit, max_len=20, required=True)
    description = clean_text(errors, "description", "统计口径", description, max_len=500)
    if section in ("", None):
        section = None
    elif isinstance(section, bool) or not isinstance(section, int) or not 1 <= section <= section_count:
        errors["report_section"] = f"报告板块须在1到{section_count}之间"
        section = None
    return name, unit, description, section


def add_definition(actor: User | None, org: Organisation, name, unit, description="", section=None, *,
                   section_count: int | None = None) -> MetricDefinition:
    """Add a figure to the catalogue (also on the spot from a progress update); a repeat is refused.

    The section is checked against the organisation's report template (this year's unless the caller
    names the count), so a committee that gave its report an eighth sub-section can map figures to it.
    """
    # Anyone who reports progress in the organisation may add a figure on the spot; viewers may not.
    if actor is not None and (actor.org_id != org.id or actor.role == "viewer"):
        raise PermissionDenied("只有本单位的工作人员可以添加数据项", action="catalogue.add")
    if section_count is None:
        section_count = len(sections_for(org, today().year))
    errors: dict = {}
    name, unit, description, section = clean_definition(errors, name, unit, description, section,
                                                        section_count=section_count)
    check_fields(errors)
    existing = db.session.scalar(select(MetricDefinition).where(
        MetricDefinition.org_id == org.id, MetricDefinition.name == name, MetricDefinition.unit == unit))
    if existing is not None:
        if existing.is_active:
            raise ValidationFailed(f"“{name}({unit})”已在数据目录中", {"name": f"“{name}({unit})”已在数据目录中"})
        # The committee retired it on purpose: only the committee brings it back, as set_active does.
        if actor is not None and not is_committee_of(actor, org.id):
            raise ValidationFailed(RETIRED, {"name": RETIRED})
        audit.record(actor, "catalogue.update", obj=existing, org_id=org.id, changes={"is_active": (False, True)})
        existing.is_active = True
        db.session.flush()
        return existing
    ensure_catalogue(org)
    position = db.session.scalar(select(func.max(MetricDefinition.position))
                                 .where(MetricDefinition.org_id == org.id)) or 0
    item = MetricDefinition(org_id=org.id, name=name, unit=unit, description=description,
                            report_section=section, position=position + 1, is_active=True)
    db.session.add(item)
    db.session.flush()
    audit.record(actor, "catalogue.add", obj=item, org_id=org.id,
                 changes={"name": name, "unit": unit, "description": description, "report_section": section})
    return item


def set_active(actor: User, item: MetricDefinition, active: bool) -> MetricDefinition:
    """Retire a figure from the catalogue (past updates keep it) or bring it back."""
    require_committee(actor, item.org_id, "catalogue.update")
    if item.is_active != active:
        audit.record(actor, "catalogue.update", obj=item, org_id=item.org_id,
                     changes={"is_active": (item.is_active, active)})
        item.is_active = active
        db.session.flush()
    return item
