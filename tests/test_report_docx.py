"""The Word file: GB/T 9704 page, margins, styles and fonts (East Asian names too), page numbers."""
from io import BytesIO

import pytest
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml.ns import qn
from docx.shared import Pt

from tests.report_fixtures import TODAY, baseline, year_plan  # noqa: F401
from tracker.extensions import db
from tracker.services.people import users
from tracker.services.reporting import draft as drafts
from tracker.services.reporting.render import to_docx


@pytest.fixture
def document(world, year_plan, baseline):
    draft = drafts.generate(users.get_user("office"), world.plan.org, 2026, TODAY)
    db.session.commit()
    return Document(BytesIO(to_docx(draft)))


def east_asian(element) -> str | None:
    rpr = element.find(qn("w:rPr"))
    fonts = rpr.find(qn("w:rFonts")) if rpr is not None else None
    return fonts.get(qn("w:eastAsia")) if fonts is not None else None


def test_page_is_a4_with_official_margins(document):
    section = document.sections[0]
    assert round(section.page_width.mm) == 210 and round(section.page_height.mm) == 297
    assert [round(m.mm) for m in (section.top_margin, section.bottom_margin, section.left_margin,
                                  section.right_margin)] == [37, 35, 28, 24]  # 订口 28 ± 1 mm
    type_area = section.page_height.mm - section.top_margin.mm - section.bottom_margin.mm
    line = document.styles["公文正文"].paragraph_format.line_spacing
    assert line.pt == pytest.approx(28.95, abs=0.01)
    # GB/T 9704 §5.2.2: 22 lines a page, 28 characters of 三号 (16 pt) a line
    assert round(type_area / (line.pt * 25.4 / 72)) == 22
    width = section.page_width.mm - section.left_margin.mm - section.right_margin.mm
    # each of the 28 characters gets a whole 16 pt cell (a narrower pitch makes LibreOffice give it two)
    assert width / (16 * 25.4 / 72) >= 28 and round(width / (16 * 25.4 / 72)) == 28


@pytest.mark.parametrize("style, font, size", [
    ("公文标题", "方正小标宋简体", 22), ("公文正文", "仿宋_GB2312", 16), ("一级标题", "黑体", 16),
    ("二级标题", "楷体_GB2312", 16), ("Normal", "仿宋_GB2312", 16),
])
def test_styles_name_their_fonts_for_east_asian_text(document, style, font, size):
    s = document.styles[style]
    assert s.font.name == font and s.font.size == Pt(size)
    assert east_asian(s.element) == font
    assert s.paragraph_format.line_spacing_rule == WD_LINE_SPACING.EXACTLY


def test_paragraphs_use_the_styles_in_order(document):
    paragraphs = [p for p in document.paragraphs if p.text.strip()]
    title = paragraphs[0]
    assert title.style.name == "公文标题" and title.text == "云乐镇2026年度法治政府建设工作报告"
    assert title.style.paragraph_format.alignment == WD_ALIGN_PARAGRAPH.CENTER
    assert east_asian(title.runs[0]._r) == "方正小标宋简体" and title.runs[0].font.size == Pt(22)
    assert paragraphs[1].text == "县委、县政府："
    h1 = [p.text for p in paragraphs if p.style.name == "一级标题"]
    h2 = [p for p in paragraphs if p.style.name == "二级标题"]
    assert [t[:2] for t in h1] == ["一、", "二、", "三、"]
    assert [p.text[:3] for p in h2] == [f"（{n}）" for n in "一二三四五六七"]
    assert all(east_asian(p.runs[0]._r) == "楷体_GB2312" for p in h2)
    body = [p for p in paragraphs if p.style.name == "公文正文"]
    assert body and all(east_asian(r._r) == "仿宋_GB2312" for p in body for r in p.runs)
    assert any("普法宣讲12次，较上年增加5次" in p.text for p in body)


def test_footer_numbers_pages_with_a_page_field(document):
    footer = document.sections[0].footer
    xml = footer._element.xml
    assert "PAGE" in xml and 'w:fldCharType="begin"' in xml and 'w:fldCharType="end"' in xml
    # GB/T 9704 §7.5: odd pages right, even pages left, with Word's different odd and even footers on.
    assert footer.paragraphs[0].alignment == WD_ALIGN_PARAGRAPH.RIGHT
    even = document.sections[0].even_page_footer
    assert even.paragraphs[0].alignment == WD_ALIGN_PARAGRAPH.LEFT and "PAGE" in even._element.xml
    assert document.settings.odd_and_even_pages_header_footer
