"""The draft as a Word file in the usual 公文 layout (GB/T 9704-2012); the page form is infra/gongwen's."""
from docx.enum.section import WD_SECTION
from docx.enum.text import WD_LINE_SPACING
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from tracker.models import ReportDraft
from tracker.services.infra.gongwen import (
    BODY_FONT,
    BODY_SIZE,
    H1_FONT,
    TITLE_FONT,
    add_block,
    fonts,
    new_document,
    set_properties,
)
from tracker.services.reporting.annex import ANNEX_TITLE, COLUMNS
from tracker.services.reporting.render import blocks

COLUMN_WIDTHS_MM = (12, 56, 22, 22, 30, 16)  # the annex table across the 158 mm type area


def _annex(doc, draft: ReportDraft, styles) -> None:
    """附件 on a page of its own after the 成文日期 (GB/T 9704 §7.4.2), as a table in a section without the grid."""
    section = doc.add_section(WD_SECTION.NEW_PAGE)
    grid = section._sectPr.find(qn("w:docGrid"))
    grid.set(qn("w:type"), "lines")
    grid.attrib.pop(qn("w:charSpace"), None)
    heading = doc.add_paragraph(style=styles["annex"])
    fonts(heading.add_run("附件"), H1_FONT, BODY_SIZE)
    caption = doc.add_paragraph(style=styles["title"])
    fonts(caption.add_run(ANNEX_TITLE.split("：", 1)[1]), TITLE_FONT, Pt(18))
    table = doc.add_table(rows=1, cols=len(COLUMNS))
    table.style = doc.styles["Table Grid"]
    table.autofit = False
    for row_cells, values in [(table.rows[0].cells, COLUMNS)] + [(table.add_row().cells, r) for r in draft.annex]:
        for cell, value in zip(row_cells, values):
            paragraph = cell.paragraphs[0]
            paragraph.style = styles["cell"]
            paragraph.paragraph_format.first_line_indent = Pt(0)
            paragraph.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE
            fonts(paragraph.add_run(value), BODY_FONT, Pt(12), bold=values is COLUMNS)
    for column, width in zip(table.columns, COLUMN_WIDTHS_MM):
        for cell in column.cells:
            cell.width = Mm(width)


def build(draft: ReportDraft, *, achievements_only: bool = False):
    """A python-docx Document of the draft as it stands (edits included)."""
    doc, styles = new_document()
    items = blocks(draft, achievements_only=achievements_only)
    for i, block in enumerate(items):
        add_block(doc, styles, block.kind, block.text,
                  after_body=block.kind == "signature" and items[i - 1].kind != "signature")
    if draft.annex and not achievements_only:
        _annex(doc, draft, styles)
    set_properties(doc, draft.title, draft.org.name if draft.org is not None else "")
    return doc
