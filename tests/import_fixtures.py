"""Helpers for the import and export tests: logins, and Word/Excel/zip files built on the spot."""
import io
import zipfile

from tests.factories import PASSWORD, csrf_token

DATA = __import__("pathlib").Path(__file__).resolve().parent / "data" / "import"


def login(client, username):
    token = csrf_token(client.get("/login").get_data(as_text=True))
    response = client.post("/login", data={"username": username, "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]


def page_token(client, path):
    return csrf_token(client.get(path).get_data(as_text=True))


def make_docx(paragraphs: list[str]) -> bytes:
    import docx
    document = docx.Document()
    for text in paragraphs:
        document.add_paragraph(text)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def make_xlsx(rows: list[list], sheet="任务分解表") -> bytes:
    from openpyxl import Workbook
    book = Workbook()
    ws = book.active
    ws.title = sheet
    for row in rows:
        ws.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def zip_bomb(main_part: str, unpacked_mb: int = 300) -> bytes:
    """A small .docx/.xlsx-looking zip whose one member inflates to hundreds of megabytes."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        with archive.open(main_part, "w", force_zip64=True) as member:
            chunk = b"\0" * (1024 * 1024)
            for _ in range(unpacked_mb):
                member.write(chunk)
    return buffer.getvalue()
