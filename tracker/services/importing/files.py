"""Checking an uploaded file before anything parses it: size, type by content, zip bombs, text encoding."""
import io
import os
import zipfile

from flask import current_app

from tracker.services.errors import TooLarge, ValidationFailed

REPORT_EXTENSIONS = ("txt", "docx")
TABLE_EXTENSIONS = ("xlsx",)
# Members an Office file must hold, by extension (ECMA-376 part names).
OFFICE_MAIN_PART = {"docx": "word/document.xml", "xlsx": "xl/workbook.xml"}
MAX_ZIP_MEMBERS = 2000
# Real documents compress XML about 5–20×; far beyond that is a bomb (zip bombs run at 1000× and more).
MAX_ZIP_RATIO = 200


def _refuse(message: str) -> None:
    raise ValidationFailed(message, {"file": message})


def extension(filename: str) -> str:
    """The lower-case extension of a file name, without the dot."""
    name = os.path.basename(filename or "").strip()
    return name.rsplit(".", 1)[-1].lower() if "." in name else ""


def check_upload(filename: str, data: bytes, allowed: tuple[str, ...]) -> str:
    """Refuse what is too big, empty, of the wrong type or not what its name claims; returns the extension."""
    cap = current_app.config["IMPORT_MAX_BYTES"]
    ext = extension(filename)
    if ext not in allowed:
        kinds = "、".join(f".{e}" for e in allowed)
        _refuse(f"不支持的文件类型“{os.path.basename(filename or '')}”:只接受 {kinds} 文件")
    if len(data) > cap:
        message = f"文件过大({len(data) / 1048576:.1f}MB),导入文件不能超过{cap // 1048576}MB"
        raise TooLarge(message, {"file": message})
    if not data.strip():
        _refuse("文件是空的,没有可导入的内容")
    if data[:2] == b"MZ" or data[:4] == b"\x7fELF":
        _refuse("这是一个程序文件,不是文档,已拒绝")
    if ext in OFFICE_MAIN_PART:
        check_office_zip(data, ext)
    return ext


def check_office_zip(data: bytes, ext: str) -> None:
    """A .docx/.xlsx is a zip: refuse a corrupt one, a zip bomb, or one that is not that kind of document."""
    label = "Word" if ext == "docx" else "Excel"
    if not data.startswith(b"PK\x03\x04"):
        if data.startswith(b"\xd0\xcf\x11\xe0"):
            _refuse(f"这是旧版 {label} 文件(.{ext[:-1]}),请在 {label} 中“另存为” .{ext} 后再导入")
        _refuse(f"文件不是有效的 .{ext} 文件(可能已损坏或只是改了扩展名)")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError, EOFError):
        _refuse(f"文件不是有效的 .{ext} 文件(可能已损坏)")
    if len(members) > MAX_ZIP_MEMBERS:
        _refuse(f"文件结构异常(包含{len(members)}个部件),已拒绝")
    # zipfile never inflates a member beyond its declared size (it stops with a CRC error), so the declared
    # sizes bound what any reader will decompress.
    unpacked = sum(m.file_size for m in members)
    cap = current_app.config["IMPORT_MAX_UNZIPPED_BYTES"]
    if unpacked > cap or unpacked > MAX_ZIP_RATIO * max(len(data), 1024):
        _refuse(f"文件解压后过大({unpacked // 1048576}MB),疑似压缩炸弹,已拒绝")
    names = {m.filename for m in members}
    if OFFICE_MAIN_PART[ext] not in names:
        other = "Excel" if ext == "docx" else "Word"
        if OFFICE_MAIN_PART["xlsx" if ext == "docx" else "docx"] in names:
            _refuse(f"这是 {other} 文件,扩展名却是 .{ext},请检查后重新选择")
        _refuse(f"文件不是有效的 .{ext} 文件(缺少文档主体)")


def decode_text(data: bytes) -> str:
    """Text as townships save it: UTF-8 (with or without BOM), UTF-16 with BOM, or GBK/GB18030 from Windows."""
    if data.startswith(b"\xef\xbb\xbf"):
        return _text_or_refuse(data[3:], "utf-8")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return _text_or_refuse(data, "utf-16")
    if b"\x00" in data[:4096]:
        _refuse("文件不是文本文件(含有二进制内容),请上传 .txt 或 .docx 报告")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    # GB18030 is a superset of GBK and GB2312, so one decoder covers all three.
    return _text_or_refuse(data, "gb18030")


def _text_or_refuse(data: bytes, encoding: str) -> str:
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError:
        _refuse("无法识别文件的文字编码(支持 UTF-8、GBK、GB18030),请另存为 UTF-8 文本后重试")
    controls = sum(1 for ch in text[:20000] if ord(ch) < 32 and ch not in "\r\n\t\f")
    if controls > 20 or "\x00" in text:
        _refuse("文件不是文本文件(含有二进制内容),请上传 .txt 或 .docx 报告")
    return text


def docx_paragraphs(data: bytes) -> list[str]:
    """The paragraphs of a Word document in reading order, table cells included."""
    import docx  # python-docx; imported here so the app starts without parsing Word on every request
    from docx.opc.exceptions import PackageNotFoundError
    try:
        document = docx.Document(io.BytesIO(data))
    except (PackageNotFoundError, KeyError, ValueError, zipfile.BadZipFile, OSError) as exc:
        _refuse(f"Word 文件已损坏,无法读取({type(exc).__name__})")
    except Exception:  # lxml raises its own syntax errors on broken XML inside a valid zip
        _refuse("Word 文件已损坏,无法读取")
    from docx.oxml.ns import qn
    paragraph, table, text = qn("w:p"), qn("w:tbl"), qn("w:t")
    lines = []
    # Elements asked for by tag: comments, processing instructions and entity references (a crafted file's
    # XML comment or DOCTYPE) have no string tag and once gave a 500 here (issue 18.11).
    for child in document.element.body.iterchildren(paragraph, table):
        for p in [child] if child.tag == paragraph else child.iter(paragraph):
            lines.append("".join(t.text or "" for t in p.iter(text)))
    return lines


def report_lines(filename: str, data: bytes) -> list[str]:
    """The non-empty lines of an uploaded report (.txt or .docx), after every check."""
    ext = check_upload(filename, data, REPORT_EXTENSIONS)
    raw = docx_paragraphs(data) if ext == "docx" else decode_text(data).splitlines()
    lines = [line.replace("\u3000", " ").replace("\xa0", " ").strip() for line in raw]
    return [line for line in lines if line]
