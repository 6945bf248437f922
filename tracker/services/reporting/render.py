"""The draft as a sequence of blocks (title, headings, paragraphs), and as Markdown."""
from dataclasses import dataclass

from tracker.models import ReportDraft


@dataclass
class Block:
    """One line of the document: kind is title, addressee, h1, h2 or p; section names its draft section."""

    kind: str
    text: str
    section: str | None = None


def _paragraphs(text: str) -> list[str]:
    return [line.strip() for line in text.split("\n") if line.strip()]


def blocks(draft: ReportDraft, *, achievements_only: bool = False) -> list[Block]:
    """The report in reading order; part 一 alone when asked (`report achievements`)."""
    parts = draft.parts or ["", "", ""]
    out: list[Block] = []
    if not achievements_only:
        out += [Block("title", draft.title), Block("addressee", f"{draft.addressee}:")]
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
            out.append(Block("h2", section.title, section.key))
        else:
            out.append(Block("h1", section.title, section.key))
        out += [Block("p", p, section.key) for p in _paragraphs(section.text)]
    return out


def to_markdown(draft: ReportDraft, *, achievements_only: bool = False) -> str:
    """Markdown: # title, ## parts, ### sub-sections, paragraphs as they stand (edits included)."""
    marks = {"title": "# ", "h1": "## ", "h2": "### "}
    lines = []
    for block in blocks(draft, achievements_only=achievements_only):
        text = _escape(block.text) if block.kind == "p" else block.text
        lines += [marks.get(block.kind, "") + text, ""]
    if draft.notes:
        lines.append("---")
        lines.append("")
        lines.append("> 生成说明(不属于报告正文):")
        lines += [f"> - {note}" for note in draft.notes]
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def _escape(text: str) -> str:
    """A paragraph must not turn into Markdown markup by accident (a leading "1." or "#")."""
    if text[:1] in "#>-+*" or text.split(".")[0].isdigit():
        return "\\" + text
    return text
