"""The import pages: upload, review (edit, merge, split, drop, change section), create; bad files refused."""
import io

import pytest
from sqlalchemy import func, select

from tests.conftest import SEED
from tests.import_fixtures import DATA, login, make_docx, make_xlsx, page_token, zip_bomb
from tracker.extensions import db
from tracker.models import ImportSession, Plan, PlanTask


def _upload(client, name, data, year=2024):
    token = page_token(client, "/imports/")
    return client.post("/imports/", data={"csrf_token": token, "year": str(year),
                                          "file": (io.BytesIO(data), name)}, content_type="multipart/form-data")


def _review_data(session, token, action="save", change=None):
    data = {"csrf_token": token, "action": action}
    for i, t in enumerate(session.payload["themes"]):
        data[f"themes-{i}-key"], data[f"themes-{i}-title"] = t["key"], t["title"]
    for i, c in enumerate(session.payload["candidates"]):
        row = {"id": str(c["id"]), "title": c["title"], "theme": c["theme"],
               "report_section": str(c["report_section"]), "description": c["description"]}
        if c["keep"]:
            row["keep"] = "y"
        row.update((change or {}).get(c["id"], {}))
        data.update({f"candidates-{i}-{k}": v for k, v in row.items() if v is not None})
    return data


def _counts():
    return (db.session.scalar(select(func.count()).select_from(Plan)),
            db.session.scalar(select(func.count()).select_from(PlanTask)))


def test_report_is_reviewed_before_anything_is_created(client, world):
    login(client, "office")
    before = _counts()
    response = _upload(client, "云乐镇报告.txt", SEED.read_bytes())
    assert response.status_code == 302
    session = db.session.scalar(select(ImportSession))
    assert session.kind == "report" and session.status == "pending"
    assert _counts() == before  # nothing created by the upload
    page = client.get(f"/imports/{session.id}").get_data(as_text=True)
    assert "以“法”字推进法治云乐" in page and "确认并创建2024年计划" in page and "原文" in page
    # The review survives a reload: the candidates are kept in the database.
    assert client.get(f"/imports/{session.id}").status_code == 200

    token = page_token(client, f"/imports/{session.id}")
    first, second, _, fourth = (c["id"] for c in session.payload["candidates"][:4])
    total = len(session.payload["candidates"])
    # Edit one title and its section, then drop the second candidate.
    client.post(f"/imports/{session.id}", data=_review_data(
        session, token, f"drop:{second}", {first: {"title": "学法规强宣传(已改)", "report_section": "7"}}))
    db.session.expire_all()
    candidates = session.payload["candidates"]
    assert candidates[0]["title"] == "学法规强宣传(已改)" and candidates[0]["report_section"] == 7
    assert candidates[1]["keep"] is False
    # Merge the fourth into the one above it, then split a long one.
    client.post(f"/imports/{session.id}", data=_review_data(session, token, f"merge:{fourth}"))
    db.session.expire_all()
    assert len(session.payload["candidates"]) == total - 1
    long_one = max(session.payload["candidates"], key=lambda c: len(c["description"]))
    client.post(f"/imports/{session.id}", data=_review_data(session, token, f"split:{long_one['id']}"))
    db.session.expire_all()
    assert len(session.payload["candidates"]) == total
    # Move a candidate to another theme.
    moved = session.payload["candidates"][-1]["id"]
    client.post(f"/imports/{session.id}", data=_review_data(session, token, "save", {moved: {"theme": "法"}}))
    db.session.expire_all()
    assert _counts() == before

    response = client.post(f"/imports/{session.id}", data=_review_data(session, token, "commit"))
    assert response.status_code == 302
    plan = db.session.scalar(select(Plan).where(Plan.year == 2024))
    # The office lands on the new plan's page, its tasks ready to assign (issue 16).
    assert response.headers["Location"].endswith(f"/plans?plan_id={plan.id}")
    tasks = db.session.scalars(select(PlanTask).where(PlanTask.plan_id == plan.id)).all()
    assert len(tasks) == total - 1  # one dropped
    edited = next(t for t in tasks if t.title == "学法规强宣传(已改)")
    assert edited.report_section == 7 and edited.theme.key == "法"
    assert next(t for t in tasks if t.id == max(t.id for t in tasks)).theme.key == "法"
    db.session.refresh(session)
    assert session.status == "imported" and session.plan_id == plan.id
    assert client.get(f"/imports/{session.id}").status_code == 404


def test_a_report_for_a_year_that_has_a_plan_is_refused_at_upload(client, world):
    """A report makes a new plan: an existing one is named at once, not after the review (issue 16)."""
    login(client, "office")
    response = _upload(client, "云乐镇报告.txt", SEED.read_bytes(), year=2026)  # the world's plan year
    assert "2026年计划已经存在" in response.get_data(as_text=True)  # on the upload form, beside the year
    assert db.session.scalar(select(func.count()).select_from(ImportSession)) == 0


def test_each_candidates_source_is_the_documents_sentence_as_written(client, world):
    """So the office finds it by searching the document: its own ending (;) kept, nothing added."""
    from tracker.services.importing.report import split_tasks
    text = "强化行政执法监督，年内完成两轮评查；加强执法人员培训，全年不少于两次。"
    sources = [c["source"] for c in split_tasks(text)]
    assert sources and all(source in text for source in sources)  # "…评查。" (the old ending) is not in it
    assert any("评查；" in source for source in sources)


def test_review_refuses_an_empty_title_and_keeps_what_was_typed(client, world):
    login(client, "office")
    _upload(client, "r.txt", (DATA / "county_market_bureau.txt").read_bytes(), 2025)
    session = db.session.scalar(select(ImportSession))
    token = page_token(client, f"/imports/{session.id}")
    first = session.payload["candidates"][0]["id"]
    response = client.post(f"/imports/{session.id}", data=_review_data(session, token, "commit",
                                                                        {first: {"title": "  "}}))
    assert response.status_code == 400
    assert "任务名称不能为空" in response.get_data(as_text=True)
    assert db.session.scalar(select(Plan.id).where(Plan.year == 2025)) is None


def test_only_the_committee_imports_and_only_its_own_sessions(client, world):
    login(client, "cadre")
    assert client.get("/imports/").status_code == 403
    client.post("/logout", data={"csrf_token": page_token(client, "/")})
    login(client, "other_office")
    _upload(client, "r.txt", SEED.read_bytes())
    theirs = db.session.scalar(select(ImportSession))
    client.post("/logout", data={"csrf_token": page_token(client, "/")})
    login(client, "office")
    assert client.get(f"/imports/{theirs.id}").status_code == 404


def test_table_errors_are_listed_by_row_and_fixed_on_screen(client, world):
    login(client, "office")
    rows = [["序号", "工作任务", "责任人", "牵头领导", "完成时限"],
            [1, "开展普法宣讲", "cadre", "leader", "2025-06-30"],
            [2, "推进合法性审查", "张三", "leader", "2025-02-30"],
            [3, "深化一站式解纷", "cadre2", "leader", "年底"]]
    assert _upload(client, "表.xlsx", make_xlsx(rows), 2025).status_code == 302
    session = db.session.scalar(select(ImportSession))
    page = client.get(f"/imports/{session.id}").get_data(as_text=True)
    assert "第3行:责任人“张三”不是本单位的用户" in page and "第3行:完成时限" in page
    assert "导入全部" not in page
    token = page_token(client, f"/imports/{session.id}")
    # Committing while a row is bad imports nothing.
    fix = {"csrf_token": token, "action": "save", "rows-0-number": "3", "rows-0-title": "推进合法性审查",
           "rows-0-owner": "cadre3", "rows-0-lead": "leader", "rows-0-due": "2025年6月30日"}
    assert client.post(f"/imports/{session.id}", data=fix).status_code == 302
    page = client.get(f"/imports/{session.id}").get_data(as_text=True)
    assert "全部3行均无误" in page
    response = client.post(f"/imports/{session.id}", data={"csrf_token": token, "action": "commit"})
    assert response.status_code == 302
    plan = db.session.scalar(select(Plan).where(Plan.year == 2025))
    titles = sorted(t.title for t in db.session.scalars(select(PlanTask).where(PlanTask.plan_id == plan.id)))
    assert titles == ["开展普法宣讲", "推进合法性审查", "深化一站式解纷"]


BAD_FILES = [
    ("setup.docx", b"MZ\x90\x00\x03" + b"\x00" * 2000, "程序文件"),
    ("plan.xlsx", b"MZ\x90\x00" + b"\x00" * 500, "程序文件"),
    ("bomb.docx", None, "压缩炸弹"),
    ("bomb.xlsx", None, "压缩炸弹"),
    ("broken.xlsx", b"PK\x03\x04" + b"garbage" * 200, "损坏"),
    ("broken.docx", b"PK\x03\x04" + b"garbage" * 200, "损坏"),
    ("empty.txt", b"", "空的"),
    ("empty.docx", b"   ", "空的"),
    ("nothing.txt", (DATA / "township_no_plan.txt").read_bytes(), "没有找到下一年度工作安排"),
    ("report.pdf", b"%PDF-1.4 something", "不支持的文件类型"),
    ("binary.txt", b"\x00\x01\x02\x03" * 100, "不是文本文件"),
]


@pytest.mark.parametrize("name, data, message", BAD_FILES)
def test_bad_files_are_refused_cleanly(client, world, name, data, message):
    if data is None:
        data = zip_bomb("word/document.xml" if name.endswith("docx") else "xl/workbook.xml")
        assert len(data) < 1024 * 1024
    login(client, "office")
    before = _counts()
    response = _upload(client, name, data)
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(ImportSession)) == 0
    assert _counts() == before


def test_corrupt_office_files_that_are_valid_zips(client, world):
    login(client, "office")
    swapped = _upload(client, "plan.docx", make_xlsx([["工作任务"], ["x"]]))
    assert "这是 Excel 文件" in swapped.get_data(as_text=True)
    good = make_docx(["三、下一步工作打算", "1.开展普法宣讲。"])
    broken = good.replace(b"word/document.xml", b"word/documenX.xml")
    assert "损坏" in _upload(client, "b.docx", broken).get_data(as_text=True) or \
        "不是有效" in _upload(client, "b.docx", broken).get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(ImportSession)) == 0


def test_a_50_mb_upload_is_refused(client, world):
    login(client, "office")
    token = page_token(client, "/imports/")
    response = client.post("/imports/", data={"csrf_token": token, "year": "2024",
                                              "file": (io.BytesIO(b"a" * (50 * 1024 * 1024)), "big.txt")},
                           content_type="multipart/form-data")
    assert response.status_code == 413
    assert "上传的内容过大" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(ImportSession)) == 0


def test_cli_refuses_bad_files_without_a_traceback(runner, world, tmp_path):
    for name, data, message in BAD_FILES + [("big.txt", b"x" * (11 * 1024 * 1024), "文件过大")]:
        if data is None:
            data = zip_bomb("word/document.xml" if name.endswith("docx") else "xl/workbook.xml", 150)
        path = tmp_path / name
        path.write_bytes(data)
        result = runner.invoke(args=["plan", "import", str(path), "--year", "2024", "--org", "云乐镇"])
        assert result.exit_code == 1, (name, result.output)
        assert message in result.output and "Traceback" not in result.output, (name, result.output)
    assert _counts()[0] == 2
