"""The draft as a Word file in the usual 公文 layout (GB/T 9704-2012); the page form is infra/gongwen's."""
from docx.enum.section import WD_SECTION
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from tracker.models import ReportDraft
from tracker.services.infra.gongwen import (
    BODY_FONT,
    BODY_SIZE,
    CELL_SIZE,
    H1_FONT,
    TITLE_FONT,
    add_block,
    fonts,
    new_document,
    set_properties,
)
from tracker.services.reporting.annex import ANNEX_TITLE, COLUMNS
from tracker.services.reporting.render import blocks

COLUMN_WIDTHS_MM = (9.5, 52, 16.5, 16.5, 34, 29.5)  # the annex table across the 158 mm type area
CELL_MARGIN_MM = 1  # left and right: LibreOffice's 1.9 mm default would wrap most task titles onto a third line


def _annex(doc, draft: ReportDraft, styles) -> None:
    """附件 on a page of its own after the 成文日期 (GB/T 9704 §7.4.2), as a table in a section without the grid
    (on a line grid each 五号 line of the table would take a whole 28.95 pt line)."""
    section = doc.add_section(WD_SECTION.NEW_PAGE)
    grid = section._sectPr.find(qn("w:docGrid"))
    grid.set(qn("w:type"), "default")
    grid.attrib.pop(qn("w:charSpace"), None)
    heading = doc.add_paragraph(style=styles["annex"])
    fonts(heading.add_run("附件"), H1_FONT, BODY_SIZE)
    caption = doc.add_paragraph(style=styles["title"])
    fonts(caption.add_run(ANNEX_TITLE.split("：", 1)[1]), TITLE_FONT, Pt(18))
    # The annex's own title: one 28 pt line and half a line under it, not the report title's two lines.
    caption.paragraph_format.line_spacing, caption.paragraph_format.space_after = Pt(28), Pt(8)
    table = doc.add_table(rows=1, cols=len(COLUMNS))
    table.style = doc.styles["Table Grid"]
    table.autofit = False
    _cell_margins(table)
    for row_cells, values in [(table.rows[0].cells, COLUMNS)] + [(table.add_row().cells, r) for r in draft.annex]:
        for cell, value in zip(row_cells, values):
            paragraph = cell.paragraphs[0]
            paragraph.style = styles["cell"]
            paragraph.paragraph_format.first_line_indent = Pt(0)
            paragraph.alignment = WD_ALIGN_PARAGRAPH.LEFT  # justified cells of a few characters spread them out
            fonts(paragraph.add_run(value), BODY_FONT, CELL_SIZE, bold=values is COLUMNS)
    for column, width in zip(table.columns, COLUMN_WIDTHS_MM):
        column.width = Mm(width)  # w:gridCol, which LibreOffice lays the table out by
        for cell in column.cells:
            cell.width = Mm(width)


def _cell_margins(table) -> None:
    """Narrow left and right cell margins for the whole table (w:tblCellMar), none above and below."""
    tbl_pr = table._tbl.tblPr
    margins = OxmlElement("w:tblCellMar")
    for side, mm in (("top", 0), ("left", CELL_MARGIN_MM), ("bottom", 0), ("right", CELL_MARGIN_MM)):
        edge = OxmlElement(f"w:{side}")
        edge.set(qn("w:w"), str(int(Mm(mm).pt * 20)))
        edge.set(qn("w:type"), "dxa")
        margins.append(edge)
    tbl_pr.insert_element_before(margins, "w:tblLook", "w:tblCaption", "w:tblDescription", "w:tblPrChange")


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
