"""The draft as a sequence of blocks (title, headings, paragraphs), and as Markdown."""
from dataclasses import dataclass
from io import BytesIO

from tracker.models import ReportDraft
from tracker.services.calendar.clock import to_local
from tracker.services.reporting.annex import ANNEX_TITLE, COLUMNS
from tracker.services.reporting.wording import official


@dataclass
class Block:
    """One line of the document: title, addressee, h1, h2, p, signature or date; section names its draft section."""

    kind: str
    text: str
    section: str | None = None


def _paragraphs(text: str) -> list[str]:
    """Lines of a section, in the report's punctuation even where the committee typed ASCII marks."""
    return [official(line.strip()) for line in text.split("\n") if line.strip()]


def signature(draft: ReportDraft) -> list[str]:
    """署名: a township's party committee and government (中共云乐镇委员会 / 云乐镇人民政府), else its name."""
    name = draft.org.name if draft.org is not None else ""
    if name.endswith(("镇", "乡")):
        return [f"中共{name}委员会", f"{name}人民政府"]
    return [name] if name else []


def issued_on(draft: ReportDraft) -> str:
    """成文日期: the day the draft was generated, in the users' time zone (2025年1月15日)."""
    day = to_local(draft.generated_at)
    return f"{day.year}年{day.month}月{day.day}日"


def blocks(draft: ReportDraft, *, achievements_only: bool = False) -> list[Block]:
    """The report in reading order; part 一 alone when asked (`report achievements`)."""
    parts = draft.parts or ["", "", ""]
    out: list[Block] = []
    if not achievements_only:
        addressee = official(draft.addressee).rstrip("： ") + "："  # a colon typed in the template is not doubled
        out += [Block("title", official(draft.title)), Block("addressee", addressee)]
    part_one_started = False
    for section in draft.sections:
        if section.part == 0:
            if not achievements_only:
                out += [Block("p", p, section.key) for p in _paragraphs(section.text)]
            continue
        if achievements_only and section.part != 1:
            continue
        if section.part == 1:
            if not part_one_started:
                out.append(Block("h1", f"一、{parts[0]}"))
                part_one_started = True
            out.append(Block("h2", official(section.title), section.key))
        else:
            out.append(Block("h1", official(section.title), section.key))
        out += [Block("p", p, section.key) for p in _paragraphs(section.text)]
    if not achievements_only:
        out += [Block("signature", name) for name in signature(draft)] + [Block("date", issued_on(draft))]
    return out


def to_markdown(draft: ReportDraft, *, achievements_only: bool = False) -> str:
    """Markdown: # title, ## parts, ### sub-sections, paragraphs as they stand (edits included)."""
    marks = {"title": "# ", "h1": "## ", "h2": "### "}
    lines = []
    for block in blocks(draft, achievements_only=achievements_only):
        text = _escape(block.text) if block.kind == "p" else block.text
        lines += [marks.get(block.kind, "") + text, ""]
    if draft.annex and not achievements_only:
        lines += [ANNEX_TITLE, "", "| " + " | ".join(COLUMNS) + " |", "|" + "---|" * len(COLUMNS)]
        lines += ["| " + " | ".join(cell.replace("|", "｜") for cell in row) + " |" for row in draft.annex]
        lines.append("")
    if draft.notes:
        lines.append("---")
        lines.append("")
        lines.append("> 生成说明（不属于报告正文）：")
        lines += [f"> - {official(note)}" for note in draft.notes]
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def to_docx(draft: ReportDraft, *, achievements_only: bool = False) -> bytes:
    """The Word file's bytes, in 公文 form (reporting/docx.py)."""
    # Imported here: python-docx costs every process ~0.15 s at start-up (tests/test_startup.py).
    from tracker.services.reporting.docx import build
    buffer = BytesIO()
    build(draft, achievements_only=achievements_only).save(buffer)
    return buffer.getvalue()


def _escape(text: str) -> str:
    """A paragraph must not turn into Markdown markup by accident (a leading "1." or "#")."""
    if text[:1] in "#>-+*" or text.split(".")[0].isdigit():
        return "\\" + text
    return text
