"""The report page: countdown, generate, preview with sources, edit with versions, downloads, baseline review."""
import re
from datetime import date
from io import BytesIO

from docx import Document

from tests.conftest import SEED
from tests.factories import PASSWORD, csrf_token
from tests.report_fixtures import baseline, year_plan  # noqa: F401
from tracker.services.reporting.baseline import baseline_rows


def login(client, username):
    token = csrf_token(client.get("/login").get_data(as_text=True))
    response = client.post("/login", data={"username": username, "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 302


def page(client, url):
    response = client.get(url)
    return response, response.get_data(as_text=True)


def post_form(client, page_url, action, data):
    _, html = page(client, page_url)
    return client.post(action, data={**data, "csrf_token": csrf_token(html)})


def test_generate_preview_and_download(client, world, year_plan, baseline):
    login(client, "office")
    org = world.plan.org_id
    response, html = page(client, "/reports")
    assert response.status_code == 200 and "2027年4月1日前" in html and "还有" in html  # the countdown
    assert "生成报告初稿" in html
    response = post_form(client, "/reports", f"/reports/{org}/2026/generate", {})
    assert response.status_code == 302
    _, html = page(client, f"/reports?org={org}&year=2026")
    assert "（七）强化法治政府建设保障" in html and "普法宣讲12次，较上年增加5次" in html
    assert f"任务#{year_plan['lecture'].id}" in html  # every figure points at its tasks and updates
    response = client.get(f"/reports/{org}/2026/download?format=docx")
    assert response.status_code == 200 and response.mimetype.endswith("wordprocessingml.document")
    assert Document(BytesIO(response.data)).paragraphs[0].text == "云乐镇2026年度法治政府建设工作报告"
    response = client.get(f"/reports/{org}/2026/download?format=md&part=1")
    assert response.get_data(as_text=True).startswith("## 一、")
    assert client.get(f"/reports/{org}/2026/download?format=pdf").status_code == 400


def test_edit_a_section_and_keep_it_through_regeneration(client, world, year_plan):
    login(client, "office")
    org = world.plan.org_id
    post_form(client, "/reports", f"/reports/{org}/2026/generate", {})
    url = f"/reports/{org}/2026/sections/1.7"
    _, html = page(client, url)
    assert "版本记录" in html and "第1版" in html
    version = html.split('name="base_version"')[1].split('value="')[1].split('"')[0]
    response = post_form(client, url, url, {"text": "党政办改写的第七部分。", "base_version": version})
    assert response.status_code == 302
    post_form(client, "/reports", f"/reports/{org}/2026/generate", {})
    _, html = page(client, f"/reports?org={org}&year=2026")
    assert "党政办改写的第七部分。" in html and "已人工修改" in html
    # empty text is refused on the form, with what was typed kept
    response = post_form(client, url, url, {"text": "  ", "base_version": "2"})
    assert response.status_code == 200 and "内容不能为空" in response.get_data(as_text=True)


def test_baseline_extracted_reviewed_then_saved(client, world):
    login(client, "office")
    org = world.plan.org_id
    url = f"/reports/{org}/2026/baseline"
    response = post_form(client, url, f"{url}/extract", {"x-text": SEED.read_text(encoding="utf-8")})
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "核对提取结果" in html and "接待来访人次" in html
    assert baseline_rows(world.plan.org, 2025) == []  # nothing saved before review
    data = {"csrf_token": csrf_token(html),
            "rows-0-keep": "y", "rows-0-name": "行政许可", "rows-0-value": "68", "rows-0-unit": "件",
            "rows-1-keep": "y", "rows-1-name": "政策咨询", "rows-1-value": "780", "rows-1-unit": "次",
            "rows-1-is_approximate": "y", "rows-1-report_section": "2",
            "rows-2-name": "不保存", "rows-2-value": "1", "rows-2-unit": "次",
            "rows-3-keep": "y", "rows-3-name": "网格员", "rows-3-value": "44", "rows-3-unit": "人",
            "rows-3-is_stock": "y",
            "rows-4-keep": "y", "rows-4-name": "培训", "rows-4-value": "4", "rows-4-unit": "场",
            "rows-4-scope": "仅计行政执法队伍培训（编辑后）"}
    # the extracted scope is offered for editing: 2023's 培训 were law-enforcement training only
    assert re.search(r'name="rows-\d+-scope"[^>]*value="仅计行政执法队伍培训"', html)
    # the review holds one 专题学习 of 5, summed from the 中心组 and 芝荟谈 sessions, and ticks stocks
    assert re.search(r'value="专题学习"[^>]*>', html) and html.count('value="专题学习"') == 1
    assert re.search(r'<input[^>]*checked[^>]*name="rows-\d+-is_stock"', html)
    assert client.post(f"{url}/save", data=data).status_code == 302
    rows = {(b.name, b.unit): b for b in baseline_rows(world.plan.org, 2025)}
    assert set(rows) == {("行政许可", "件"), ("政策咨询", "次"), ("网格员", "人"), ("培训", "场")}
    assert rows[("培训", "场")].scope == "仅计行政执法队伍培训（编辑后）" and rows[("行政许可", "件")].scope == ""
    assert "仅计行政执法队伍培训（编辑后）" in client.get(url).get_data(as_text=True)
    assert rows[("政策咨询", "次")].is_approximate and rows[("网格员", "人")].kind == "stock"
    assert rows[("行政许可", "件")].kind == "flow"
    # a figure without unit: refused on its row, nothing saved
    data = {"csrf_token": csrf_token(html), "rows-0-keep": "y", "rows-0-name": "普法宣讲", "rows-0-value": "7",
            "rows-0-unit": ""}
    response = client.post(f"{url}/save", data=data)
    assert response.status_code == 400 and "缺少单位" in response.get_data(as_text=True)
    assert len(baseline_rows(world.plan.org, 2025)) == 4
    # by hand
    response = post_form(client, url, f"{url}/add", {"m-name": "合法性审查", "m-value": "4", "m-unit": "次"})
    assert response.status_code == 302 and len(baseline_rows(world.plan.org, 2025)) == 5


def test_catalogue_page_lists_and_adds(client, world):
    login(client, "office")
    url = f"/reports/{world.plan.org_id}/catalogue"
    _, html = page(client, url)
    assert "行政许可" in html and "接待来访人次" in html
    response = post_form(client, url, url, {"name": "反诈宣传", "unit": "场"})
    assert response.status_code == 302
    _, html = page(client, url)
    assert "反诈宣传" in html
    response = post_form(client, url, url, {"name": "反诈宣传", "unit": "场"})
    assert response.status_code == 400 and "已在数据目录中" in response.get_data(as_text=True)


def test_a_viewer_reads_but_does_not_generate(client, world, year_plan):
    login(client, "viewer")
    response, html = page(client, "/reports")
    assert response.status_code == 200 and "生成报告初稿" not in html and "2027年4月1日" in html
    assert client.post(f"/reports/{world.plan.org_id}/2026/generate").status_code in (400, 403)


def test_another_organisation_gets_404(client, world, year_plan):
    login(client, "other_office")
    assert client.get(f"/reports/{world.plan.org_id}/2026/baseline").status_code == 404
    assert client.get(f"/reports/{world.plan.org_id}/2026/download?format=md").status_code == 404
    assert client.get(f"/reports/{world.plan.org_id}/2026/sections/1.1").status_code == 404


def test_a_cadre_has_no_report_page(client, world):
    login(client, "cadre")
    assert client.get("/reports").status_code == 403


def test_catalogue_over_the_api(api, world):
    response = api("cadre").get("/catalogue")
    assert response.status_code == 200
    items = {(i["name"], i["unit"]) for i in response.get_json()["items"]}
    assert ("普法宣讲", "次") in items and ("接待来访人次", "人次") in items
    assert api("cadre").client.get("/api/v1/catalogue").status_code == 401
    spec = api("cadre").client.get("/api/v1/openapi.json").get_json()
    assert "/api/v1/catalogue" in spec["paths"] or "/catalogue" in spec["paths"]


def test_the_report_page_opens_on_the_report_due_next():
    """The running year's from April; January to March the previous year's, whose deadline is 1 April."""
    from tracker.services.reporting.page import default_year
    years = [2027, 2026, 2024]  # newest first, as the page lists them; no 2025 plan
    assert default_year(years, date(2026, 12, 3)) == 2026  # not 2024, 611 days late
    assert default_year(years, date(2027, 3, 31)) == 2026
    assert default_year(years, date(2027, 4, 1)) == 2027
    assert default_year([2024], date(2026, 12, 3)) == 2024  # the latest there is before the one due
    assert default_year([2027], date(2026, 12, 3)) == 2027  # only a plan ahead: that one
    assert default_year([], date(2026, 12, 3)) is None
