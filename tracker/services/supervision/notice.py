"""The 督办通知单 as a Word file, in the same 公文 form as the annual report (infra/gongwen)."""
from datetime import date
from io import BytesIO

from tracker.models import Supervision
from tracker.services.calendar.clock import to_local
from tracker.services.reporting.wording import official

TITLE = "督办通知单"


def _cn(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def build(item: Supervision):
    """A python-docx Document: title, number, addressee, the matter, the deadline to answer, issuer and date."""
    # Imported where a file is built: python-docx costs every process ~0.15 s at start-up (tests/test_startup.py).
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    from tracker.services.infra.gongwen import add_block, new_document, set_properties
    doc, styles = new_document()
    task = item.task
    add_block(doc, styles, "title", TITLE)
    number = add_block(doc, styles, "addressee", item.number)
    number.alignment = WD_ALIGN_PARAGRAPH.CENTER  # 发文字号 centred under the title (GB/T 9704 §7.2.4)
    owner = task.owner.name if task.owner else "责任人"
    add_block(doc, styles, "addressee", f"{task.unit or task.org.name}{owner}同志：")
    body = [
        f"现将《{task.title}》列为督办事项。该任务完成时限为"
        f"{_cn(task.due_date) if task.due_date else '未定'}，当前进度{task.progress}%。",
        item.message,
        f"请于{_cn(item.respond_by)}前（收到本通知单后{item.respond_within_days}个工作日内）将办理情况"
        f"答复{item.issuer_org.name}，逾期未答复的将予以通报。",
    ]
    for text in body:
        add_block(doc, styles, "p", official(text))  # the issuer's words in the report's punctuation
    if item.state == "answered" and item.answered_at is not None:
        add_block(doc, styles, "h1", "答复情况")
        who = item.answered_by.name if item.answered_by else ""
        answered_on = _cn(to_local(item.answered_at).date())
        add_block(doc, styles, "p", f"{who}于{answered_on}答复：{official(item.answer_note)}")
    add_block(doc, styles, "signature", item.issuer_org.name, after_body=True)
    add_block(doc, styles, "date", _cn(to_local(item.issued_at).date()))
    set_properties(doc, f"{TITLE} {item.number}", item.issuer_org.name)
    return doc


def to_docx(item: Supervision) -> bytes:
    """The .docx file's bytes."""
    buffer = BytesIO()
    build(item).save(buffer)
    return buffer.getvalue()


def file_name(item: Supervision) -> str:
    return f"督办通知单{item.number}.docx"
