"""Evidence files: checked by content, capped in size, kept on disk outside the database."""
import hashlib
import io
import os
import uuid
import zipfile
from dataclasses import dataclass
from pathlib import Path

import filetype
from flask import current_app

from tracker.services.errors import TooLarge, ValidationFailed
from tracker.services.infra.safe_text import file_name

# Extension -> the MIME type its content must show (filetype reads the magic bytes).
ALLOWED = {
    "jpg": "image/jpeg", "jpeg": "image/jpeg", "png": "image/png", "gif": "image/gif", "webp": "image/webp",
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "doc": "application/msword", "xls": "application/vnd.ms-excel",
}
MAX_FILES = 10
NAME_MAX = 255  # the column's length


@dataclass
class IncomingFile:
    """An uploaded file's name and bytes, before it is stored."""

    filename: str
    data: bytes


@dataclass
class StoredFile:
    filename: str
    stored_name: str
    content_type: str
    size: int
    sha256: str
    is_image: bool


def chosen(files: list[IncomingFile]) -> list[IncomingFile]:
    """Drop the empty part a browser sends for a file input left blank."""
    return [f for f in files if f.filename or f.data]


def _size_label(size: int) -> str:
    return f"{size / 1048576:g}MB" if size >= 1048576 else f"{size / 1024:g}KB"


def display_name(raw) -> str:
    """The name a file is shown and downloaded under: no folders, controls, line breaks or bidi tricks, ≤ 255."""
    return file_name(os.path.basename(str(raw or "").replace("\\", "/")), NAME_MAX)


def check(files: list[IncomingFile]) -> None:
    """Refuse anything that is too big or is not what its name claims."""
    if len(files) > MAX_FILES:
        raise ValidationFailed(f"一次最多上传{MAX_FILES}个文件", {"evidence": f"最多{MAX_FILES}个文件"})
    cap = current_app.config["EVIDENCE_MAX_BYTES"]
    for f in files:
        name = display_name(f.filename)
        ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
        if len(f.data) > cap:
            raise TooLarge(f"文件“{name}”超过{_size_label(cap)}", {"evidence": f"文件不能超过{_size_label(cap)}"})
        if not f.data:
            raise ValidationFailed(f"文件“{name}”是空的", {"evidence": "空文件"})
        if ext not in ALLOWED:
            raise ValidationFailed(f"不支持的文件类型“{name}”:只接受图片、PDF、Word、Excel",
                                   {"evidence": "不支持的文件类型"})
        kind = filetype.guess(f.data)
        detected = kind.mime if kind else None
        if detected != ALLOWED[ext] and not _same_family(ext, detected, f.data):
            raise ValidationFailed(f"文件“{name}”的内容与扩展名不符", {"evidence": "文件内容与类型不符"})


# The part every real Word or Excel file has; a plain zip renamed .docx has not.
OFFICE_MARKERS = {"docx": "word/document.xml", "xlsx": "xl/workbook.xml"}


def _same_family(ext: str, detected: str | None, data: bytes) -> bool:
    """Old Office files share one container format; docx/xlsx that read as plain zips must hold their main part."""
    if ext in ("doc", "xls") and detected in ("application/x-ole-storage", "application/msword",
                                             "application/vnd.ms-excel"):
        return True
    if ext in OFFICE_MARKERS and detected == "application/zip":
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:  # reads the index only, never inflates
                names = set(archive.namelist())
        except (zipfile.BadZipFile, ValueError):
            return False
        return "[Content_Types].xml" in names and OFFICE_MARKERS[ext] in names
    return False


def store(files: list[IncomingFile]) -> list[StoredFile]:
    """Write checked files under UPLOAD_DIR with unguessable names."""
    folder = Path(current_app.config["UPLOAD_DIR"])
    folder.mkdir(parents=True, exist_ok=True)
    stored = []
    for f in files:
        name = display_name(f.filename)
        ext = name.rsplit(".", 1)[-1].lower()
        stored_name = f"{uuid.uuid4().hex}.{ext}"
        (folder / stored_name).write_bytes(f.data)
        stored.append(StoredFile(name, stored_name, ALLOWED[ext], len(f.data),
                                 hashlib.sha256(f.data).hexdigest(), ALLOWED[ext].startswith("image/")))
    return stored


def discard(stored: list[StoredFile]) -> None:
    """Remove files written for a change that did not go through."""
    folder = Path(current_app.config["UPLOAD_DIR"])
    for s in stored:
        (folder / s.stored_name).unlink(missing_ok=True)


def path_of(stored_name: str) -> Path:
    return Path(current_app.config["UPLOAD_DIR"]) / stored_name
