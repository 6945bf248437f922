"""The numbering people put in front of headings and items: 一是, (一), 一、, 1., (1), 第一, ①, 以"X"字."""
import re
from dataclasses import dataclass

CN = "[一二三四五六七八九十]{1,3}"
CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"
QUOTE_OPEN = "\"“‘'「『"
QUOTE_CLOSE = "\"”’'」』"
THEME_CHAR = re.compile(rf"以[{QUOTE_OPEN}]([^{QUOTE_CLOSE}\s]{{1,2}})[{QUOTE_CLOSE}]字")

# Line-start styles, tried in this order; each captures the ordinal and the text after the marker.
LINE_STYLES = (
    ("shi", re.compile(rf"^({CN})是\s*[,，、:：]?\s*(.*)$")),
    ("paren_cn", re.compile(rf"^[（(]\s*({CN})\s*[）)]\s*[、,，.．:：]?\s*(.*)$")),
    ("dun_cn", re.compile(rf"^({CN})\s*[、,，.．:：]\s*(.*)$")),
    ("di_cn", re.compile(rf"^第({CN})(?:是|[,，、:：]|部分[,，、:：]?|项[,，、:：]?)\s*(.*)$")),
    ("paren_num", re.compile(r"^[（(]\s*(\d{1,2})\s*[）)]\s*[、,，.．:：]?\s*(.*)$")),
    ("num", re.compile(r"^(\d{1,2})\s*(?:[.．、,，:：](?!\d)|\s)\s*(.*)$")),
    ("circled", re.compile(rf"^([{CIRCLED}])\s*[、,，.．]?\s*(.*)$")),
)
# Inline styles: markers inside a running paragraph, after a sentence end or at its start.
INLINE_STYLES = (
    ("shi", re.compile(rf"(?:^|(?<=[。；;！!：:]))\s*({CN})是\s*[,，、:：]?")),
    ("paren_cn", re.compile(rf"(?:^|(?<=[。；;！!：:]))\s*[（(]({CN})[）)]\s*[、,，]?")),
    ("paren_num", re.compile(r"(?:^|(?<=[。；;！!：:]))\s*[（(](\d{1,2})[）)]\s*[、,，]?")),
    ("circled", re.compile(rf"\s*([{CIRCLED}])\s*[、,，]?")),
    ("di_cn", re.compile(rf"(?:^|(?<=[。；;！!]))\s*第({CN})(?:是|[,，、:：])")),
)


@dataclass
class Marker:
    style: str
    ordinal: int
    rest: str


def parse_numeral(text: str) -> int:
    """一 → 1, 十二 → 12, ③ → 3, 12 → 12; 0 for what is no number (cn2an reads the Chinese numerals)."""
    if text.isdecimal():
        return int(text)
    if text in CIRCLED:
        return CIRCLED.index(text) + 1
    from cn2an import cn2an  # 0.13 s to import: only where a numeral is read, not at every start-up
    try:
        value = cn2an(text, "strict")
    except ValueError:
        return 0
    return int(value) if value == int(value) and value > 0 else 0


def line_marker(line: str) -> Marker | None:
    """The numbering at the start of a line, if any."""
    for style, pattern in LINE_STYLES:
        match = pattern.match(line)
        if match and match.group(2).strip():
            ordinal = parse_numeral(match.group(1))
            if ordinal:
                return Marker(style, ordinal, match.group(2).strip())
    return None


def is_sequence(ordinals: list[int]) -> bool:
    """1, 2, 3 … from one, tolerating a repeated number (a typo like the seed's two 二是)."""
    if len(ordinals) < 2 or ordinals[0] != 1:
        return False
    return all(b in (a, a + 1) for a, b in zip(ordinals, ordinals[1:])) and ordinals[-1] >= 2


def split_inline(text: str, styles=None) -> tuple[str, list[str]] | None:
    """Split a paragraph at inline markers (一是…二是…): the lead-in and the items, or None."""
    for style, pattern in INLINE_STYLES:
        if styles and style not in styles:
            continue
        matches = list(pattern.finditer(text))
        ordinals = [parse_numeral(m.group(1)) for m in matches]
        # Keep the longest run that counts up from one.
        if not is_sequence(ordinals):
            start = next((i for i, o in enumerate(ordinals) if o == 1), None)
            if start is None:
                continue
            matches, ordinals = matches[start:], ordinals[start:]
            end = 1
            while end < len(ordinals) and ordinals[end] in (ordinals[end - 1], ordinals[end - 1] + 1):
                end += 1
            matches, ordinals = matches[:end], ordinals[:end]
            if not is_sequence(ordinals):
                continue
        items = []
        for i, m in enumerate(matches):
            stop = matches[i + 1].start() if i + 1 < len(matches) else len(text)
            items.append(text[m.end():stop].strip())
        lead_in = text[:matches[0].start()].strip()
        if all(items):
            return lead_in, items
    return None


def theme_char(text: str) -> str | None:
    """The X of 以"X"字 in a theme heading."""
    match = THEME_CHAR.search(text[:40])
    return match.group(1) if match else None


def heading_of(text: str, max_len: int = 50) -> tuple[str, str]:
    """Split an item into its heading (up to the first 。；：) and the rest."""
    match = re.search(r"[。；;：:！!]", text)
    if match and match.start() <= max_len:
        return text[:match.start()].strip(), text[match.end():].strip()
    if match is None and len(text) <= max_len:
        return text.strip(), ""
    return "", text.strip()
