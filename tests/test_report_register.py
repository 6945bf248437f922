"""The demo's 2024 report as an office sends it: its own words, like-with-like changes, full-width marks, 公文 form."""
import re
import shutil
import subprocess
import zipfile
from datetime import date
from io import BytesIO

import pytest
from docx import Document

from tests.conftest import SEED, TODAY
from tracker.extensions import db
from tracker.services.demo import load_demo
from tracker.services.people import users
from tracker.services.reporting import draft as drafts
from tracker.services.reporting.baseline import as_rows, save_baseline
from tracker.services.reporting.extract import decode, extract
from tracker.services.reporting.render import blocks, to_docx, to_markdown
from tracker.services.reporting.wording import ascii_marks, office_words, official

REMARKS = ("年度目标", "未达目标", "年底进度", "该任务已取消", "未填写单位", "暂无可报告", "已办结0项",
           "电话报告", "审核意见", "退回", "更正", "按退回意见")


@pytest.fixture
def report(app):
    load_demo(TODAY)
    db.session.commit()
    office = users.get_user("office")
    result = drafts.generate(office, office.org, 2024, date(2025, 1, 15))
    db.session.commit()
    return result


def body_of(draft) -> str:
    return "\n".join(b.text for b in blocks(draft))


def docx_text(content: bytes) -> str:
    xml = zipfile.ZipFile(BytesIO(content)).read("word/document.xml").decode()
    return "".join(re.findall(r"<w:t[^>]*>([^<]*)</w:t>", xml))


def test_full_width_punctuation_in_every_line_of_the_draft_and_the_word_file(report):
    body = body_of(report)
    assert ascii_marks(body) == 0, [line for line in body.split("\n") if ascii_marks(line)][:3]
    text = docx_text(to_docx(report))
    assert sum(text.count(c) for c in ",;:(") == 0 and text.count("，") > 50
    # numbers keep their own marks
    assert official("时间10:30,金额1,000元,比例2.5倍(约)") == "时间10:30，金额1,000元，比例2.5倍（约）"


def test_no_generator_remarks_and_never_every_note(report):
    body = body_of(report)
    for remark in REMARKS:
        assert remark not in body, remark
    # each task's paragraph is its 办结情况 without the request, not the four quarterly notes
    one = report.section("1.1").text
    assert "全年专题学法6次、年终述法1次" in one and "3月中心组" not in one and "申请办结" not in one
    assert len(to_markdown(report).split("附件：")[0]) < 9000  # the old draft's body ran to about 6,000 characters


def test_figures_open_each_section_in_catalogue_order_six_at_most_a_sentence(report):
    five = report.section("1.5").text.split("\n")[0]
    assert five.startswith("全年平安建设专题研究5次，与上年持平；平安建设责任书20份，较上年增加2份；矛盾纠纷排查28次")
    for sentence in re.split("。", five):
        assert sentence.count("；") <= 5


def test_like_with_like_comparisons(report):
    one, seven = report.section("1.1").text, report.section("1.7").text
    assert "专题学习6次，较上年增加1次" in one  # against 3 中心组 + 2 “芝荟谈” sessions
    assert "现有网格员50人，较上年增加6人" in seven  # a stock against the standing 44
    assert re.search("新增网格员6人[；。]", seven)  # an addition, with no stock to compare with
    assert re.search("培训11场[；。]", seven)  # last year counted law-enforcement training only
    assert any("培训" in n and "口径不同" in n for n in report.notes)
    assert "矛盾纠纷排查28次，较上年增加4次" in report.section("1.5").text  # 2023's 分析研判, one entry now


def test_part_two_in_general_terms_with_causes_and_part_three_from_the_following_plan(report):
    two, three = report.section("2").text, report.section("3").text
    assert "原因主要是" in two and "“" not in two.split("原因主要是")[0].split("不足。")[1][:30]
    assert "申请延长" not in two and "延期" not in two
    assert all(t not in two for t in ("芝乡议事厅", "积分制", "风险隐患"))
    year = three[:4]
    assert three.startswith(f"{year}年") and "一是以“法”字推进法治云乐。" in three and "二是" in three


def test_the_word_file_in_gbt_9704_form(report):
    content = to_docx(report)
    document = Document(BytesIO(content))
    xml = zipfile.ZipFile(BytesIO(content)).read("word/document.xml").decode()
    grid = re.search(r"<w:docGrid [^>]*/>", xml).group(0)
    assert 'w:type="linesAndChars"' in grid and 'w:linePitch="579"' in grid  # 22 lines in the 225 mm type area
    settings = zipfile.ZipFile(BytesIO(content)).read("word/settings.xml").decode()
    assert "evenAndOddHeaders" in settings
    styles = zipfile.ZipFile(BytesIO(content)).read("word/styles.xml").decode()
    assert 'w:eastAsia="zh-CN"' in styles
    assert document.core_properties.author == "云乐镇" and document.core_properties.language == "zh-CN"
    heading = document.styles["一级标题"].paragraph_format
    assert heading.keep_with_next and document.styles["二级标题"].paragraph_format.keep_with_next
    texts = [p.text for p in document.paragraphs if p.text.strip()]
    end = texts.index("附件")
    assert texts[end - 3:end] == ["中共云乐镇委员会", "云乐镇人民政府", "2025年1月15日"] or \
        texts[end - 3:end - 1] == ["中共云乐镇委员会", "云乐镇人民政府"]
    assert document.tables and document.tables[0].rows[0].cells[1].text == "重点任务"
    assert len(document.tables[0].rows) == 21  # the header and the demo's 20 tasks


def test_baseline_extraction_sums_same_named_figures_reads_numerals_and_other_encodings():
    seed = SEED.read_text(encoding="utf-8")
    study = [c for c in extract(seed) if c.name == "专题学习"]
    assert len(study) == 1 and study[0].value == 5 and study[0].selected and len(study[0].parts) == 2
    grid = next(c for c in extract(seed) if c.name == "网格长")
    assert grid.kind == "stock"
    vague = {c.name: c.selected for c in extract(seed) if c.name in ("清单", "成员", "村")}
    assert vague and not any(vague.values())
    found = extract("一、主要举措\n(四)严格执法\n全年办理执法案件7起,自规局两起不予立案。")
    assert [(c.value, c.unit) for c in found if c.value == 2] == [(2, "起")]
    assert decode(seed.encode("gbk", errors="ignore")) is not None
    assert decode("网格员44人".encode("gb18030")) == "网格员44人" and decode(b"\xff\xfe\x00") is None


def test_office_words_drop_who_phoned_and_the_request():
    assert office_words("刘村村书记电话报告:已召开议事会3次,申请办结。") == "已召开议事会3次。"
    assert office_words("拟在明年一季度形成总结后再申请办结") == "拟在明年一季度形成总结后再申请办结。"


LINE_BOX = re.compile(r'<line xMin="([\d.]+)" yMin="[\d.]+" xMax="([\d.]+)" yMax="[\d.]+">(.*?)</line>', re.S)
MM = 72 / 25.4  # PDF points per millimetre


@pytest.mark.skipif(not shutil.which("libreoffice") or not shutil.which("pdftotext"),
                    reason="LibreOffice and poppler-utils render the Word file")
def test_rendered_pages_hold_28_characters_a_line_and_22_lines_a_page(report, tmp_path):
    (tmp_path / "r.docx").write_bytes(to_docx(report))
    subprocess.run(["libreoffice", "--headless", f"-env:UserInstallation=file://{tmp_path}/lo", "--convert-to",
                    "pdf", "--outdir", str(tmp_path), str(tmp_path / "r.docx")], check=True, capture_output=True,
                   timeout=180)
    subprocess.run(["pdftotext", "-bbox-layout", str(tmp_path / "r.pdf"), str(tmp_path / "r.html")], check=True,
                   capture_output=True)
    pages = [[(float(x0), float(x1), "".join(re.findall(r">([^<]*)</word>", words)))
              for x0, x1, words in LINE_BOX.findall(page)]
             for page in (tmp_path / "r.html").read_text(encoding="utf-8").split("<page ")[1:]]
    annex = next(i for i, lines in enumerate(pages) if lines[0][2] == "附件")
    assert len(pages) <= 6 and annex == len(pages) - 1  # body, 署名 and 成文日期 in five pages; the annex on one
    body = [[line for line in lines if "—" not in line[2]] for lines in pages[:annex]]  # page numbers aside
    left = min(x0 for lines in body for x0, _, _ in lines)
    assert 27 <= left / MM <= 29  # the 订口, GB/T 9704 §7.1: 28 ± 1 mm
    # 22 lines on every full page; the first holds the title (two lines' height) and the addressee, the last
    # ends the body
    assert [len(lines) for lines in body[1:-1]] == [22] * (annex - 2) and len(body[0]) == 20
    texts = [text for lines in body for _, _, text in lines]
    assert not [a + "/" + b for a, b in zip(texts, texts[1:]) if a[-1].isdigit() and b[0].isdigit()]  # “1/7项”
    right = max(x1 for lines in body for x0, x1, text in lines if text[-1] not in "。，；：、）”")
    full = [text for lines in body for x0, x1, text in lines
            if abs(x0 - left) < 1 and x1 > right - 2 and not re.search(r"[0-9A-Za-z]", text)]
    # Every full line of Chinese holds 28 characters (a closing mark may hang past the edge as a 29th)
    assert len(full) >= 5 and all(len(text) == 28 or len(text) == 29 and text[-1] in "。，；：、）”"
                                   for text in full), [t for t in full if len(t) not in (28, 29)]
    # and a line with digits about as many or more (no gaps after the digits; a number too long for the line's
    # end moves whole onto the next line)
    digits = [len(text) for lines in body for x0, x1, text in lines
              if abs(x0 - left) < 1 and x1 > right - 2 and re.search(r"[0-9]", text)]
    assert len(digits) >= 10 and min(digits) >= 27 and sum(digits) / len(digits) >= 28


def test_the_seed_saved_as_the_2023_baseline_gives_like_with_like_changes(report):
    office = users.get_user("office")
    rows = [r for r in as_rows(extract(SEED.read_text(encoding="utf-8"))) if r.pop("selected")]
    saved = {(b.name, b.unit): b for b in save_baseline(office, office.org, 2023, rows)}
    assert saved[("专题学习", "次")].value == 5 and saved[("网格员", "人")].kind == "stock"
    assert ("清单", "项") not in saved and ("成员", "人") not in saved
    # the seed's 培训 counted law-enforcement training only: its scope says so and keeps it from the comparison
    assert saved[("培训", "场")].scope == saved[("培训人次", "人次")].scope == "仅计行政执法队伍培训"
    assert not saved[("专题学习", "次")].scope and not saved[("网格员", "人")].scope
    db.session.commit()
    draft = drafts.generate(office, office.org, 2024, date(2025, 1, 15))
    assert "专题学习6次，较上年增加1次" in draft.section("1.1").text
    assert "现有网格员50人，较上年增加6人" in draft.section("1.7").text
    assert re.search("培训11场[；。]", draft.section("1.7").text)  # stated alone, with the reason on the page
    assert "培训：上年统计口径为“仅计行政执法队伍培训”，本年为“组织或参加的执法、业务培训场次”，口径不同，未作同比。" \
        in draft.notes
    figure = next(f for f in draft.figures if f["name"] == "培训")
    assert figure["baseline"] is None and "口径不同" in figure["not_compared"]
