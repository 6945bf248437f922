"""The characters we accept and write: one rule for typed text, files and file names (issue 18.2, 18.4, 18.14).

Input is cleaned once, by `validation.clean_text` with `typed`; `for_file` and `cell` are the writers' own guard
for rows stored before that rule or written outside the app (a restore, a SQL console), so one stray character
never breaks an export.
"""
import re

# C0 controls other than tab and newline, DEL, C1 controls, lone surrogates and the non-characters U+FFFE/U+FFFF:
# pasted from other programs, they make XML (so .xlsx and .docx) invalid and openpyxl raise IllegalCharacterError.
_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
# Bidi embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069), marks, and zero-width characters:
# invisible, they make a title or a file name read as something else ("Trojan Source", CVE-2021-42574).
_INVISIBLE = re.compile("[\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]")
# What Windows and zip tools refuse in a file name, and what a download header or a path must not carry.
_NAME_UNSAFE = re.compile(r'[\\/:*?"<>|\t\n]')
# OWASP "CSV Injection": a cell that starts with one of these is run as a formula by Excel, LibreOffice, WPS.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# The most an Excel cell holds; longer text is cut by Excel or the file refused by WPS.
CELL_MAX = 32767


def _lines(text: str) -> str:
    """CR LF and a bare CR (old Mac, some pasted text) as LF: a bare CR splits lines in ics and mail headers."""
    return text.replace("\r\n", "\n").replace("\r", "\n") if "\r" in text else text


def typed(text: str) -> str:
    """Typed or imported text as we keep it: line ends as LF, no control or invisible characters."""
    return _INVISIBLE.sub("", _CONTROLS.sub("", _lines(text)))


def for_file(value) -> str:
    """The text with every character a file format refuses removed, and line ends as LF."""
    if value is None:
        return ""
    return _CONTROLS.sub("", _lines(str(value)))


def one_line(value) -> str:
    """A name, title or subject on one line: for_file's text with line breaks and runs of spaces made one space."""
    return " ".join(for_file(value).split())


def cell(value):
    """A spreadsheet cell (xlsx or CSV): text is made writable and kept text, other values pass unchanged."""
    if not isinstance(value, str):
        return value
    text = for_file(value)
    # Checked before and after cleaning: a leading CR becomes LF, and "\x0b=1" becomes "=1".
    if value.startswith(FORMULA_START) or text.startswith(FORMULA_START):
        text = "'" + text
    return text[:CELL_MAX]


def cells(values) -> list:
    """A row of spreadsheet cells."""
    return [cell(v) for v in values]


def file_name(name, limit: int = 120, default: str = "未命名") -> str:
    """A file name safe to store, zip and send in a header: no controls, invisible characters or separators."""
    text = _NAME_UNSAFE.sub("_", _INVISIBLE.sub("", for_file(name))).strip(" ").rstrip(".")
    if text.startswith("."):  # nothing before the extension (a name of NULs and ".png"), or a hidden file
        text = default + text
    if len(text) > limit:  # cut the stem, keep the extension (.pdf, .jpg) the download is opened by
        stem, dot, ext = text.rpartition(".")
        keep = dot + ext if dot and len(ext) <= 10 else ""
        text = text[:limit - len(keep)].rstrip(" .") + keep
    return text or default
