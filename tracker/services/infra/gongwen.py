"""The 公文 page form every Word file the product writes shares (GB/T 9704-2012): A4, margins, 22 lines of 28
characters, 方正小标宋简体 title, 仿宋_GB2312 body, 黑体 and 楷体_GB2312 headings, "— n —" page numbers.

The annual report (`reporting/docx`), the 通报 (`rankings/bulletin`) and the 督办通知单 (`supervision/notice`)
start from `new_document`, so a change to the form is made here once.
"""
import re

from docx import Document
from docx.enum.section import WD_SECTION
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from tracker.services.infra.safe_text import for_file

TITLE_FONT, BODY_FONT, H1_FONT, H2_FONT = "方正小标宋简体", "仿宋_GB2312", "黑体", "楷体_GB2312"
TITLE_SIZE, BODY_SIZE = Pt(22), Pt(16)  # 二号, 三号
# GB/T 9704 §5.2.2: "一般每面排22行,每行排28个字". The 225 mm type area / 22 lines ≈ 28.95 pt per line;
# the 156 mm width holds 28 characters of 三号 (16 pt). (The "28 lines of 22 characters" swaps them.)
LINE = Pt(28.95)
CHARS = 28
# 28 characters of 16 pt need 158.05 mm, 2 mm more than the nominal 156 mm type area: a character wider than
# the grid's pitch takes two cells in LibreOffice (14 a line), so the type area is widened to 158.2 mm. The
# 订口 (left margin) stays at the standard's 28 mm (§7.1: 28 ± 1 mm) and the 2.2 mm come off the right margin.
MARGINS = {"top": Mm(37), "bottom": Mm(35), "left": Mm(28), "right": Mm(23.8)}
TYPE_WIDTH_MM = 210 - 28 - 23.8
# Digits and Latin letters are narrower than a grid cell; on the grid LibreOffice pads each run of them to whole
# cells ("2024 年"), so paragraphs holding them are laid out off the grid. The type area holds 28 characters of
# 三号 either way, and the line pitch is the style's exact 28.95 pt, so the page keeps its 28 × 22.
NARROW = re.compile(r"[0-9A-Za-z]")
# What follows w:snapToGrid in a w:pPr (ECMA-376 §17.3.1.26).
AFTER_SNAP = ("w:spacing", "w:ind", "w:contextualSpacing", "w:mirrorIndents", "w:suppressOverlap", "w:jc",
              "w:textDirection", "w:textAlignment", "w:textboxTightWrap", "w:outlineLvl", "w:divId", "w:cnfStyle",
              "w:rPr", "w:sectPr", "w:pPrChange")
# Tables may be set smaller than the body (GB/T 9704 sets no size for them): 10 pt 仿宋 on exact 12 pt lines,
# so that a year's annex of 20 tasks fits one page.
CELL_SIZE, CELL_LINE = Pt(10), Pt(12)
FONTS = {"title": TITLE_FONT, "h1": H1_FONT, "h2": H2_FONT}


def fonts(style_or_run, name: str, size, bold: bool = False) -> None:
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
        style = doc.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        style.base_style = doc.styles["Normal"]
    fonts(style, font, size, bold)
    fmt = style.paragraph_format
    fmt.line_spacing_rule, fmt.line_spacing = WD_LINE_SPACING.EXACTLY, LINE
    fmt.space_before = fmt.space_after = Pt(0)
    fmt.first_line_indent = Pt(32) if indent else Pt(0)  # two characters of 三号
    if align is not None:
        fmt.alignment = align
    return style


def _page_number(footer, align) -> None:
    """"— 1 —" in a footer, from a PAGE field so Word numbers every page (GB/T 9704 §7.5: odd right, even left)."""
    paragraph = footer.paragraphs[0]
    paragraph.alignment = align
    # One character in from the edge, as the standard places it.
    if align == WD_ALIGN_PARAGRAPH.RIGHT:
        paragraph.paragraph_format.right_indent = Pt(14)
    else:
        paragraph.paragraph_format.left_indent = Pt(14)
    fonts(paragraph.add_run("— "), "宋体", Pt(14))
    run = paragraph.add_run()
    fonts(run, "宋体", Pt(14))
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
    fonts(paragraph.add_run(" —"), "宋体", Pt(14))


def _grid(section) -> None:
    """The character grid: 22 lines of 28 characters (w:docGrid linesAndChars), as GB/T 9704 §5.2.2 asks."""
    sect_pr = section._sectPr
    grid = sect_pr.find(qn("w:docGrid"))
    if grid is None:
        grid = OxmlElement("w:docGrid")
        sect_pr.append(grid)
    grid.set(qn("w:type"), "linesAndChars")
    grid.set(qn("w:linePitch"), str(int(LINE.pt * 20)))  # twentieths of a point
    # charSpace widens each character so that 28 fill the type area: (width / 28 − font size) in 1/4096 pt.
    width = Mm(TYPE_WIDTH_MM).pt
    grid.set(qn("w:charSpace"), str(max(0, int((width / CHARS - BODY_SIZE.pt) * 4096))))


def _language(doc) -> None:
    """zh-CN for the document's Chinese text (w:eastAsia; Word's proofing and line breaking read it).

    Digits and Latin letters are tagged en-US (w:val), as Word in China writes them: tagged zh-CN, LibreOffice
    breaks a line inside a number ("已办结1 / 7项")."""
    rpr = doc.styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        rpr.append(lang)
    lang.set(qn("w:val"), "en-US")
    lang.set(qn("w:eastAsia"), "zh-CN")


def _off_grid(style_or_paragraph) -> None:
    """Text that is not 三号 body text (the 二号 title, the table, a paragraph with digits) keeps its own
    spacing, off the character grid: a character wider than the grid's pitch would take two cells."""
    owner = getattr(style_or_paragraph, "_p", None)
    ppr = (owner if owner is not None else style_or_paragraph.element).get_or_add_pPr()
    if ppr.find(qn("w:snapToGrid")) is not None:
        return
    snap = OxmlElement("w:snapToGrid")
    snap.set(qn("w:val"), "0")
    ppr.insert_element_before(snap, *AFTER_SNAP)  # the schema's order: Word refuses a misplaced element


def new_document():
    """An empty A4 document in the 公文 form, and its paragraph styles by kind (title, h1, h2, p, …)."""
    doc = Document()
    section = doc.sections[0]
    section.start_type = WD_SECTION.NEW_PAGE
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = MARGINS["top"], MARGINS["bottom"]
    section.left_margin, section.right_margin = MARGINS["left"], MARGINS["right"]
    section.footer_distance = Mm(28) - Mm(7)
    normal = _style(doc, "Normal", BODY_FONT, BODY_SIZE, align=WD_ALIGN_PARAGRAPH.JUSTIFY)
    # Every page holds its 22 lines (§5.2.2): no line is pushed over to spare a paragraph one line on a page.
    normal.paragraph_format.widow_control = False
    styles = {
        "title": _style(doc, "公文标题", TITLE_FONT, TITLE_SIZE, align=WD_ALIGN_PARAGRAPH.CENTER, indent=False),
        "addressee": _style(doc, "主送机关", BODY_FONT, BODY_SIZE, indent=False),
        "h1": _style(doc, "一级标题", H1_FONT, BODY_SIZE),
        "h2": _style(doc, "二级标题", H2_FONT, BODY_SIZE),
        "p": _style(doc, "公文正文", BODY_FONT, BODY_SIZE, align=WD_ALIGN_PARAGRAPH.JUSTIFY),
        # 署名 and 成文日期 right-aligned, four characters in from the right edge (GB/T 9704 §7.3.5.1).
        "signature": _style(doc, "发文机关署名", BODY_FONT, BODY_SIZE, align=WD_ALIGN_PARAGRAPH.RIGHT, indent=False),
        "date": _style(doc, "成文日期", BODY_FONT, BODY_SIZE, align=WD_ALIGN_PARAGRAPH.RIGHT, indent=False),
        "annex": _style(doc, "附件", H1_FONT, BODY_SIZE, indent=False),
    }
    styles["cell"] = _style(doc, "表格文字", BODY_FONT, CELL_SIZE, indent=False)
    styles["cell"].paragraph_format.line_spacing = CELL_LINE
    for key in ("title", "cell"):
        _off_grid(styles[key])
    for key in ("signature", "date"):
        styles[key].paragraph_format.right_indent = Pt(64)
    for key in ("h1", "h2"):  # a heading never ends a page without its first paragraph
        styles[key].paragraph_format.keep_with_next = True
    # The title takes more room than one body line; keep its lines exact at the title size.
    styles["title"].paragraph_format.line_spacing = Pt(36)
    styles["title"].paragraph_format.space_after = LINE
    _grid(section)
    _language(doc)
    doc.settings.odd_and_even_pages_header_footer = True
    _page_number(section.footer, WD_ALIGN_PARAGRAPH.RIGHT)
    _page_number(section.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT)
    return doc, styles


def add_block(doc, styles, kind: str, text: str, *, after_body: bool = False):
    """One paragraph of a kind (title, addressee, h1, h2, p, signature, date) in its font; `after_body` leaves
    the two blank lines the standard puts between the body and the 署名."""
    paragraph = doc.add_paragraph(style=styles[kind])
    if after_body:
        paragraph.paragraph_format.space_before = LINE * 2
    if NARROW.search(text or ""):
        _off_grid(paragraph)
    run = paragraph.add_run(for_file(text))  # lxml refuses control characters (issue 18.2)
    fonts(run, FONTS.get(kind, BODY_FONT), TITLE_SIZE if kind == "title" else BODY_SIZE)
    return paragraph


def set_properties(doc, title: str, author: str) -> None:
    """The file's title, language and author (no stray comments)."""
    props = doc.core_properties
    props.title, props.language = for_file(title), "zh-CN"
    props.author = props.last_modified_by = author
    props.comments = ""
