"""The report's register: full-width Chinese punctuation (GB/T 15834) and the office's notes cleaned as they enter."""
import re

# ASCII marks a cadre types on a phone keyboard, and their full-width forms in Chinese text.
FULL_WIDTH = {",": "，", ";": "；", ":": "：", "(": "（", ")": "）", "?": "？", "!": "！"}
# 1,000 and 10:30 keep their ASCII marks: they belong to the number, not the sentence.
_ASCII = re.compile(r"(?<!\d),|,(?!\d)|(?<!\d):|:(?!\d)|[;()?!]")
# A full stop typed as "." after a Chinese character or a closing mark; 2.5 keeps its point.
_STOP = re.compile(r"(?<=[\u4e00-\u9fff）”》])\.(?!\d)")
# Who phoned it in is for the tracker's trail, not the report: "刘村村书记电话报告：…".
_REPORTED_BY = re.compile(r"^[^，。；：]{1,15}?(?:电话|口头|微信)?(?:报告|反映|汇报)[：:]")
# The request's own words ("…，申请办结。") end an owner's note, not the report's sentence.
_REQUEST = re.compile(r"[，,；;]\s*(?:现|特此)?申请(?:办结|销号|结项)[。.]?$")


def _quotes(text: str) -> str:
    """Straight double quotes as “…” pairs."""
    out, opening = [], True
    for char in text:
        if char == '"':
            out.append("“" if opening else "”")
            opening = not opening
        else:
            out.append(char)
    return "".join(out)


def official(text: str) -> str:
    """The text with full-width punctuation; numbers (1,000 / 10:30 / 2.5) keep theirs."""
    if not text:
        return ""
    text = _ASCII.sub(lambda m: FULL_WIDTH[m.group(0)], text)
    text = _STOP.sub("。", text)
    return _quotes(text) if '"' in text else text


def sentence(text: str) -> str:
    """One paragraph's text in the report's punctuation, ending with 。."""
    text = official(" ".join((text or "").split()))
    text = text.strip().rstrip("。；，、： ")
    return text + "。" if text else ""


def office_words(note: str) -> str:
    """An owner's note as the report's sentence: who phoned it in and the closing request dropped."""
    text = " ".join((note or "").split())
    text = _REPORTED_BY.sub("", text, count=1)
    text = _REQUEST.sub("", text.rstrip())
    return sentence(text)


def ascii_marks(text: str) -> int:
    """How many ASCII sentence marks remain outside numbers (the test of GB/T 15834 in the draft)."""
    return len(_ASCII.findall(text)) + len(_STOP.findall(text)) + text.count('"')
