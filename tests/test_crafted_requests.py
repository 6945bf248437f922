"""Crafted requests that once got a 500 (issue 18.11), each reproduced; tests/test_web_fuzz.py sweeps every route."""
import io
import re
import zipfile

import pytest
from sqlalchemy import select

from tests.import_fixtures import make_docx
from tests.web_fixtures import login, post
from tracker.extensions import db
from tracker.models import Evidence, ReportSection
from tracker.services.errors import ValidationFailed
from tracker.services.importing import read_report
from tracker.services.importing.files import docx_paragraphs
from tracker.services.reporting.extract import FIGURES_MAX, TEXT_MAX, extract

HUGE = "9" * 5000  # int() refuses over 4,300 digits (ValueError), unlike isdecimal()
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 64


def test_url_for_argument_names_in_the_query_string_of_a_paged_list(client, world):
    for n in range(3):
        world.task(title=f"分页任务{n}")
    login(client, "office")
    response = client.get(f"/plans?plan={world.plan.id}&per_page=1&endpoint=x&_method=DELETE&_external=1")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    link = re.search(r'<a rel="next" href="([^"]+)"', html).group(1).replace("&amp;", "&")
    assert link.startswith("/plans?") and "endpoint=x" in link and "page=2" in link and "_method=DELETE" in link
    assert client.get(link).status_code == 200


def test_numbers_over_4300_digits_in_forms_and_query_strings(client, world):
    task = world.task()
    login(client, "office")
    assert client.get(f"/reports?year={HUGE}").status_code == 200
    assert client.get(f"/dashboard?year={HUGE}").status_code == 200
    page = f"/plans/{world.plan.id}/tasks/new"
    response = post(client, page, {"title": "新任务", "theme": "法", "report_section": HUGE, "unit": "司法所"},
                    page=page)
    assert response.status_code == 200 and "报告板块必须是" in response.get_data(as_text=True)  # the form again
    post(client, f"/reports/{world.plan.org_id}/2026/generate", {}, page="/reports")
    key = db.session.scalar(select(ReportSection.key).limit(1))
    url = f"/reports/{world.plan.org_id}/2026/sections/{key}"
    response = post(client, url, {"text": "改写。", "base_version": HUGE}, page=url)
    assert response.status_code < 500
    assert task.id


def test_deeply_nested_metrics_in_a_multipart_progress_post(client, world, api):
    task = world.task()
    for depth in (100_000, 5_000):
        response = api("cadre").post(f"/tasks/{task.id}/progress", content_type="multipart/form-data",
                                     data={"percent": "50", "note": "电话报告",
                                           "metrics": "[" * depth + "]" * depth})
        assert response.status_code == 400, depth
        assert "metrics" in response.get_json()["error"]["fields"]


# Raw CR/LF in a multipart header is not what a browser sends (it writes %0D%0A); services see them in
# tests/test_hostile_text.py.
@pytest.mark.parametrize("name", ["\x00\x00.png", "长" * 400 + ".png", "照片\u202egnp.exe.png", ".png"])
def test_crafted_evidence_file_names_are_stored_cleaned_and_download(client, world, api, name):
    task = world.task()
    response = api("cadre").post(f"/tasks/{task.id}/progress", content_type="multipart/form-data",
                                 data={"percent": "50", "note": "附照片", "evidence": [(io.BytesIO(PNG), name)]})
    assert response.status_code == 201, response.get_json()
    item = db.session.scalar(select(Evidence))
    assert len(item.filename) <= 255 and item.filename.endswith(".png")
    assert not re.search("[\x00-\x1f\u202e]", item.filename) and not item.filename.startswith(".")
    login(client, "cadre")
    download = client.get(f"/evidence/{item.id}")
    assert download.status_code == 200
    assert api("cadre").get(f"/evidence/{item.id}").status_code == 200


def _with_xml(data: bytes, change) -> bytes:
    """The .docx with its document part rewritten by `change`."""
    source, out = zipfile.ZipFile(io.BytesIO(data)), io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for member in source.infolist():
            body = source.read(member)
            if member.filename == "word/document.xml":
                body = change(body.decode()).encode()
            target.writestr(member, body)
    return out.getvalue()


def _comment(xml: str) -> str:
    return xml.replace("<w:body>", "<w:body><!-- a comment --><?pi x?>", 1).replace(
        "<w:t>", "<!-- inside --><w:t>", 1)


def _doctype(xml: str) -> str:
    head, _, rest = xml.partition("?>")
    return head + '?><!DOCTYPE w:document [<!ENTITY e "实体">]>' + rest.replace("<w:t>", "<w:t>&e;", 1)


@pytest.mark.parametrize("change", [_comment, _doctype], ids=["comment", "doctype"])
def test_a_docx_with_an_xml_comment_or_doctype(app, change):
    data = _with_xml(make_docx(["一、2024年度主要工作", "全年开展安全生产执法检查126次。", "二、存在的不足",
                                "执法力量不足。"]), change)
    try:
        lines = docx_paragraphs(data)
    except ValidationFailed as exc:  # refused with a message is fine too; a crash is not
        assert "Word" in exc.message
        return
    assert "全年开展安全生产执法检查126次。" in "".join(lines)
    try:
        read_report("报告.docx", data, 2025)
    except ValidationFailed:
        pass


def test_the_baseline_extractor_refuses_too_much_text_or_too_many_figures(client, world):
    with pytest.raises(ValidationFailed, match=f"超过{TEXT_MAX}字"):
        extract("宣讲" * (TEXT_MAX // 2 + 1))
    with pytest.raises(ValidationFailed, match=f"超过{FIGURES_MAX}项"):
        extract("".join(f"开展普法宣讲{i}次," for i in range(FIGURES_MAX + 1)))
    with pytest.raises(ValidationFailed, match=f"超过{FIGURES_MAX}项"):
        extract("7次" * 60_000)  # one statement over and over: once 5 s, a single line of 200,000 once 156 s
    (summed,) = extract("".join(f"开展普法宣讲{i}次," for i in range(FIGURES_MAX)))  # at the limit: one figure
    assert summed.value == sum(range(FIGURES_MAX)) and len(summed.parts) == FIGURES_MAX
    login(client, "office")
    page = f"/reports/{world.plan.org_id}/2025/baseline"
    response = post(client, f"{page}/extract", {"x-text": "7次," * 1000}, page=page)
    assert response.status_code == 400 and f"数据不能超过{FIGURES_MAX}项" in response.get_data(as_text=True)
    response = post(client, f"{page}/extract", {"x-text": "宣" * (TEXT_MAX + 1)}, page=page)
    assert response.status_code == 400 and f"不能超过{TEXT_MAX}字" in response.get_data(as_text=True)
