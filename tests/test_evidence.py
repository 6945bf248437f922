"""Evidence files on progress updates: multipart POST /api/v1/tasks/<id>/progress and
GET /api/v1/evidence/<id>. Files are checked by content, capped in size, stored under UPLOAD_DIR
and served only to those who may read the task."""
import hashlib
import io
import struct
import zipfile
import zlib
from pathlib import Path

import pytest
from flask import current_app
from sqlalchemy import func, select

from tracker.extensions import db
from tracker.models import AuditEntry, Evidence, ProgressUpdate, UpdateMetric

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


# ───────────────────────── real small files ─────────────────────────

def png_bytes(padding: int = 0) -> bytes:
    """A valid 1×1 RGB PNG; `padding` adds an ancillary text chunk to make it bigger."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    extra = chunk(b"tEXt", b"Comment\x00" + b"x" * padding) if padding else b""
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + extra
            + chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00")) + chunk(b"IEND", b""))


def pdf_bytes() -> bytes:
    return (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
            b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n")


def office_bytes(kind: str) -> bytes:
    """A minimal Office Open XML package: [Content_Types].xml first, then the main part."""
    main = {"docx": ("word/document.xml", "<w:document/>"), "xlsx": ("xl/workbook.xml", "<workbook/>")}[kind]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as package:
        package.writestr("[Content_Types].xml", '<?xml version="1.0" encoding="UTF-8"?>'
                         '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>')
        package.writestr("_rels/.rels", "<Relationships/>")
        package.writestr(*main)
    return buffer.getvalue()


def zip_bytes(members: dict) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 48 + b"This program cannot be run"

# (filename, bytes, content type served back, shown inline rather than as an attachment)
FILES = [
    ("现场照片.png", png_bytes(), "image/png", True),
    ("宣讲签到表.pdf", pdf_bytes(), "application/pdf", False),
    ("工作总结.docx", office_bytes("docx"), DOCX, False),
    ("台账.xlsx", office_bytes("xlsx"), XLSX, False),
]
GOOD_FILES = [pytest.param(*f, id=f[0].rsplit(".", 1)[-1]) for f in FILES]


# ───────────────────────── helpers ─────────────────────────

def post_progress(caller, task_id, *files, percent="40", note="开展普法宣讲1场,照片和签到表已上传",
                  metrics='[{"name": "普法宣讲", "value": 1, "unit": "次"}]', **extra):
    """A multipart progress update with `files` as (filename, bytes) under the field "evidence"."""
    data = {"percent": percent, "note": note, "metrics": metrics, **extra}
    if files:
        data["evidence"] = [(io.BytesIO(content), name) for name, content in files]
    return caller.post(f"/tasks/{task_id}/progress", data=data, content_type="multipart/form-data")


def upload(api, task, filename, content, who="cadre") -> dict:
    """Post one file and return the evidence item of the answer."""
    response = post_progress(api(who), task.id, (filename, content))
    assert response.status_code == 201, response.get_json()
    [item] = response.get_json()["evidence"]
    return item


def download(caller, url):
    """Follow a returned evidence url with the caller's bearer token."""
    return caller.client.get(url, headers={"Authorization": f"Bearer {caller.token}"})


def stored_files() -> list[Path]:
    folder = Path(current_app.config["UPLOAD_DIR"])
    return sorted(p for p in folder.rglob("*") if p.is_file()) if folder.exists() else []


def count(model) -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count()).select_from(model))


def assert_error(response, status, field=None):
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.is_json, response.get_data(as_text=True)
    error = response.get_json()["error"]
    assert any("\u4e00" <= ch <= "\u9fff" for ch in error["message"]), error
    if field:
        assert field in error["fields"], error
    return error


def assert_nothing_saved(task, progress_before=0):
    assert stored_files() == []
    assert count(ProgressUpdate) == 0 and count(Evidence) == 0 and count(UpdateMetric) == 0
    db.session.refresh(task)
    assert task.progress == progress_before and task.status == "assigned"


# ───────────────────────── accepted files ─────────────────────────

@pytest.mark.parametrize("filename, content, content_type, inline", GOOD_FILES)
def test_evidence_is_accepted_and_stored(api, world, filename, content, content_type, inline):
    task = world.task()
    response = post_progress(api("cadre"), task.id, (filename, content))
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["percent"] == 40 and body["author"] == "cadre"
    assert body["metrics"] == [{"name": "普法宣讲", "value": 1.0, "unit": "次"}]
    [item] = body["evidence"]
    assert (item["filename"], item["content_type"], item["size"]) == (filename, content_type, len(content))
    assert item["url"] == f"/api/v1/evidence/{item['id']}"

    # Kept on disk under UPLOAD_DIR, not under its original name, with the same bytes.
    [on_disk] = stored_files()
    assert on_disk.read_bytes() == content
    assert filename not in on_disk.name
    db.session.rollback()
    row = db.session.get(Evidence, item["id"])
    assert (row.size, row.is_image, row.content_type) == (len(content), inline, content_type)
    assert row.sha256 == hashlib.sha256(content).hexdigest()

    task_after = db.session.get(type(task), task.id)
    assert task_after.progress == 40 and task_after.status == "in_progress"
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.task_id == task.id,
                                                       AuditEntry.action == "task.progress"))
    assert entry.changes["evidence"] == [filename]
    assert entry.changes["metrics"] == [{"name": "普法宣讲", "value": 1.0, "unit": "次"}]



@pytest.mark.parametrize("filename, content, content_type, inline", GOOD_FILES)
def test_evidence_is_served_to_readers(api, world, filename, content, content_type, inline):
    task = world.task()
    item = upload(api, task, filename, content)
    for reader in ("cadre", "cadre2", "leader", "office", "town_viewer", "viewer", "county_office"):
        got = download(api(reader), item["url"])
        assert got.status_code == 200, reader
        assert got.data == content, reader
        assert got.mimetype == content_type
        disposition = got.headers["Content-Disposition"]
        assert disposition.startswith("inline" if inline else "attachment"), disposition


def test_several_files_in_one_update(api, world):
    task = world.task()
    files = [(name, content) for name, content, *_ in FILES]
    response = post_progress(api("cadre2"), task.id, *files)  # a co-owner may report too
    assert response.status_code == 201, response.get_json()
    evidence = response.get_json()["evidence"]
    assert [e["filename"] for e in evidence] == [name for name, _ in files]
    assert len(stored_files()) == len(files)
    assert sorted(p.read_bytes() for p in stored_files()) == sorted(content for _, content in files)
    detail = api("office").get(f"/tasks/{task.id}").get_json()
    assert [e["id"] for e in detail["updates"][0]["evidence"]] == [e["id"] for e in evidence]


def test_committee_posts_evidence_on_the_owners_behalf(api, world):
    task = world.task()
    response = post_progress(api("office"), task.id, ("电话记录.pdf", pdf_bytes()))
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["on_behalf_of"] == "cadre"
    assert response.get_json()["author"] == "office"
    assert [p.read_bytes() for p in stored_files()] == [pdf_bytes()]


def test_update_without_files_is_fine_as_multipart(api, world):
    task = world.task()
    response = post_progress(api("cadre"), task.id, metrics="")
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["evidence"] == [] and response.get_json()["metrics"] == []
    assert stored_files() == []


def test_unchosen_file_input_is_ignored(api, world):
    task = world.task()
    boundary = "----formboundary7MA4YWxkTrZu0gW"
    parts = [("percent", "30"), ("note", "本月开展巡查2次")]
    body = "".join(f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n' for k, v in parts)
    body += (f'--{boundary}\r\nContent-Disposition: form-data; name="evidence"; filename=""\r\n'
             f"Content-Type: application/octet-stream\r\n\r\n\r\n--{boundary}--\r\n")
    caller = api("cadre")
    response = caller.post(f"/tasks/{task.id}/progress", data=body.encode(),
                           content_type=f"multipart/form-data; boundary={boundary}")
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["evidence"] == []


# ───────────────────────── who may download ─────────────────────────

def test_other_township_gets_404_as_for_a_missing_file(api, world):
    task = world.task()
    url = upload(api, task, "现场照片.png", png_bytes())["url"]
    missing = download(api("other_office"), "/api/v1/evidence/999999")
    for outsider in ("other_office", "other_cadre"):
        got = download(api(outsider), url)
        assert_error(got, 404)
        assert got.get_json() == missing.get_json()
        assert png_bytes() not in got.data


def test_download_needs_a_login(api, world, client):
    task = world.task()
    url = upload(api, task, "现场照片.png", png_bytes())["url"]
    assert_error(client.get(url), 401)
    assert_error(client.get(url, headers={"Authorization": "Bearer not-a-token"}), 401)


@pytest.mark.parametrize("url", ["/api/v1/evidence/0", "/api/v1/evidence/424242",
                                 "/api/v1/evidence/99999999999999999999999"])
def test_unknown_evidence_is_404(api, url):
    assert_error(download(api("viewer"), url), 404)


def test_file_missing_on_disk_is_404_not_500(api, world):
    task = world.task()
    url = upload(api, task, "现场照片.png", png_bytes())["url"]
    for path in stored_files():
        path.unlink()
    assert_error(download(api("cadre"), url), 404)


# ───────────────────────── refused files ─────────────────────────

@pytest.mark.parametrize("filename, content, fragment", [
    pytest.param("photo.jpg", EXE, "不符", id="exe-renamed-jpg"),
    pytest.param("签到表.pdf", png_bytes(), "不符", id="png-named-pdf"),
    pytest.param("总结.docx", office_bytes("xlsx"), "不符", id="xlsx-named-docx"),
    pytest.param("总结.docx", zip_bytes({"setup.exe": EXE}), "不符", id="zip-of-exe-named-docx"),
    pytest.param("照片.png", b"just some text, not an image", "不符", id="text-named-png"),
    pytest.param("说明.txt", b"plain text notes", "不支持", id="txt"),
    pytest.param("setup.exe", EXE, "不支持", id="exe"),
    pytest.param("noextension", png_bytes(), "不支持", id="no-extension"),
    pytest.param("空文件.pdf", b"", "空", id="empty-file"),
])
def test_bad_file_is_refused_and_nothing_is_saved(api, world, filename, content, fragment):
    task = world.task()
    response = post_progress(api("cadre"), task.id, (filename, content))
    error = assert_error(response, 400, "evidence")
    assert fragment in error["message"]
    assert_nothing_saved(task)
    refused = db.session.scalar(select(AuditEntry).where(AuditEntry.task_id == task.id,
                                                         AuditEntry.action == "task.progress.refused"))
    assert refused is None  # an input mistake, not a refusal of rights or state


def test_one_bad_file_refuses_the_whole_update(api, world):
    task = world.task()
    response = post_progress(api("cadre"), task.id, ("现场照片.png", png_bytes()), ("photo.jpg", EXE))
    assert_error(response, 400, "evidence")
    assert_nothing_saved(task)


def test_file_over_the_evidence_cap_is_413(app, api, world):
    app.config["EVIDENCE_MAX_BYTES"] = 2048
    task = world.task()
    small, big = png_bytes(), png_bytes(padding=4096)
    assert len(small) < 2048 < len(big)
    error = assert_error(post_progress(api("cadre"), task.id, ("大照片.png", big)), 413)
    assert error["code"] == "too_large" and "大照片.png" in error["message"]
    assert_nothing_saved(task)
    # Just under the cap is fine.
    assert post_progress(api("cadre"), task.id, ("小照片.png", small)).status_code == 201


def test_evidence_cap_message_states_the_real_cap(app, api, world):
    app.config["EVIDENCE_MAX_BYTES"] = 512 * 1024
    task = world.task()
    error = assert_error(post_progress(api("cadre"), task.id, ("大照片.png", png_bytes(padding=600 * 1024))), 413)
    assert "超过0MB" not in error["message"]


def test_file_over_the_cap_is_refused_and_not_audited(app, api, world):
    app.config["EVIDENCE_MAX_BYTES"] = 2048
    task = world.task()
    assert_error(post_progress(api("cadre"), task.id, ("大照片.png", png_bytes(padding=4096))), 413)
    refused = db.session.scalar(select(AuditEntry).where(AuditEntry.task_id == task.id,
                                                         AuditEntry.action == "task.progress.refused"))
    assert refused is None  # too large is an input mistake


def test_body_over_max_content_length_is_413_json(app, api, world):
    app.config["MAX_CONTENT_LENGTH"] = 4096
    task = world.task()
    response = post_progress(api("cadre"), task.id, ("大照片.png", png_bytes(padding=8192)))
    error = assert_error(response, 413)
    assert error["code"] == "too_large"
    assert_nothing_saved(task)


# ───────────────────────── bad form fields ─────────────────────────

@pytest.mark.parametrize("fields, field", [
    pytest.param({"metrics": "{not json"}, "metrics", id="metrics-not-json"),
    pytest.param({"metrics": '{"name": "普法宣讲"}'}, "metrics", id="metrics-not-a-list"),
    pytest.param({"metrics": '[{"name": "普法宣讲", "value": -1, "unit": "次"}]'}, "metrics", id="metrics-negative"),
    pytest.param({"metrics": '[{"name": "", "value": 1, "unit": "次"}]'}, "metrics", id="metrics-no-name"),
    pytest.param({"metrics": '[{"name": "普法宣讲", "value": "三", "unit": "次"}]'}, "metrics",
                 id="metrics-value-not-number"),
    pytest.param({"percent": "abc"}, "percent", id="percent-not-number"),
    pytest.param({"percent": "101"}, "percent", id="percent-over-100"),
    pytest.param({"percent": "-5"}, "percent", id="percent-negative"),
    pytest.param({"percent": "12.5"}, "percent", id="percent-fraction"),
    pytest.param({"note": ""}, "note", id="note-empty"),
    pytest.param({"note": "字" * 5001}, "note", id="note-too-long"),
])
def test_bad_fields_are_400_and_nothing_is_saved(api, world, fields, field):
    task = world.task()
    response = post_progress(api("cadre"), task.id, ("现场照片.png", png_bytes()), **fields)
    error = assert_error(response, 400)
    assert any(key == field or key.startswith(field + ".") for key in error["fields"]), error
    assert_nothing_saved(task)


def test_reader_who_may_not_report_cannot_upload(api, world):
    task = world.task()
    for outsider, status in (("viewer", 403), ("town_viewer", 403), ("leader", 403), ("other_cadre", 404)):
        assert_error(post_progress(api(outsider), task.id, ("现场照片.png", png_bytes())), status)
    assert_nothing_saved(task)
