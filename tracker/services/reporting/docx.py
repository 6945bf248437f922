"""The draft as a Word file in the usual 公文 layout (GB/T 9704-2012): A4, 22 lines of 28 characters,
方正小标宋简体 title, 仿宋_GB2312 body, 黑体 and 楷体_GB2312 headings, page numbers in the footer."""
from io import BytesIO

from docx import Document
from docx.enum.section import WD_SECTION
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from tracker.models import ReportDraft
from tracker.services.infra.safe_text import for_file
from tracker.services.reporting.render import blocks

TITLE_FONT, BODY_FONT, H1_FONT, H2_FONT = "方正小标宋简体", "仿宋_GB2312", "黑体", "楷体_GB2312"
TITLE_SIZE, BODY_SIZE = Pt(22), Pt(16)  # 二号, 三号
# GB/T 9704 §5.2.2: "一般每面排22行,每行排28个字". The 225 mm type area / 22 lines ≈ 28.95 pt per line;
# the 156 mm width holds 28 characters of 三号 (16 pt). (The "28 lines of 22 characters" swaps them.)
LINE = Pt(28.95)
MARGINS = {"top": Mm(37), "bottom": Mm(35), "left": Mm(28), "right": Mm(26)}


def _fonts(style_or_run, name: str, size, bold: bool = False) -> None:
    """Set the font for Latin and East Asian text; w:eastAsia is what Word reads for Chinese."""
    font = style_or_run.font
    font.name, font.size, font.bold = name, size, bold
    element = style_or_run.element
    rpr = element.get_or_add_rPr()
    rfonts = rpr.find(qn("w:rFonts"))
    if rfonts is None:
        rfonts = OxmlElement("w:rFonts")
        rpr.insert(0, rfonts)
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        rfonts.set(qn(attr), name)


def _style(doc, name: str, font: str, size, *, bold=False, align=None, indent=True):
    try:
        style = doc.styles[name]
    except KeyError:
        from docx.enum.style import WD_STYLE_TYPE
        style = doc.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        style.base_style = doc.styles["Normal"]
    _fonts(style, font, size, bold)
    fmt = style.paragraph_format
    fmt.line_spacing_rule, fmt.line_spacing = WD_LINE_SPACING.EXACTLY, LINE
    fmt.space_before = fmt.space_after = Pt(0)
    fmt.first_line_indent = Pt(32) if indent else Pt(0)  # two characters of 三号
    if align is not None:
        fmt.alignment = align
    return style


def _page_number(section) -> None:
    """"— 1 —" centred in the footer, from a PAGE field so Word numbers every page."""
    paragraph = section.footer.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _fonts(paragraph.add_run("— "), "宋体", Pt(14))
    run = paragraph.add_run()
    _fonts(run, "宋体", Pt(14))
    for kind, text in (("begin", None), (None, " PAGE "), ("separate", None), (None, "1"), ("end", None)):
        if kind:
            char = OxmlElement("w:fldChar")
            char.set(qn("w:fldCharType"), kind)
            run._r.append(char)
        elif text.strip() == "PAGE":
            instr = OxmlElement("w:instrText")
            instr.set(qn("xml:space"), "preserve")
            instr.text = text
            run._r.append(instr)
        else:
            t = OxmlElement("w:t")
            t.text = text
            run._r.append(t)
    _fonts(paragraph.add_run(" —"), "宋体", Pt(14))


def build(draft: ReportDraft, *, achievements_only: bool = False):
    """A python-docx Document of the draft as it stands (edits included)."""
    doc = Document()
    section = doc.sections[0]
    section.start_type = WD_SECTION.NEW_PAGE
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = MARGINS["top"], MARGINS["bottom"]
    section.left_margin, section.right_margin = MARGINS["left"], MARGINS["right"]
    section.footer_distance = Mm(28) - Mm(7)
    _style(doc, "Normal", BODY_FONT, BODY_SIZE, align=WD_ALIGN_PARAGRAPH.JUSTIFY)
    styles = {
        "title": _style(doc, "公文标题", TITLE_FONT, TITLE_SIZE, align=WD_ALIGN_PARAGRAPH.CENTER, indent=False),
        "addressee": _style(doc, "主送机关", BODY_FONT, BODY_SIZE, indent=False),
        "h1": _style(doc, "一级标题", H1_FONT, BODY_SIZE),
        "h2": _style(doc, "二级标题", H2_FONT, BODY_SIZE),
        "p": _style(doc, "公文正文", BODY_FONT, BODY_SIZE, align=WD_ALIGN_PARAGRAPH.JUSTIFY),
    }
    # The title takes more room than one body line; keep its lines exact at the title size.
    styles["title"].paragraph_format.line_spacing = Pt(36)
    styles["title"].paragraph_format.space_after = LINE
    _page_number(section)
    for block in blocks(draft, achievements_only=achievements_only):
        paragraph = doc.add_paragraph(style=styles[block.kind])
        run = paragraph.add_run(for_file(block.text))  # lxml refuses control characters (issue 18.2)
        font = {"title": TITLE_FONT, "h1": H1_FONT, "h2": H2_FONT}.get(block.kind, BODY_FONT)
        _fonts(run, font, TITLE_SIZE if block.kind == "title" else BODY_SIZE)
    doc.core_properties.title = for_file(draft.title)
    doc.core_properties.language = "zh-CN"
    return doc


def to_docx(draft: ReportDraft, *, achievements_only: bool = False) -> bytes:
    """The .docx file's bytes."""
    buffer = BytesIO()
    build(draft, achievements_only=achievements_only).save(buffer)
    return buffer.getvalue()
