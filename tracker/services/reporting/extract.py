"""Last year's figures out of last year's report text: numbers with units and what they count.

Handles `68件`, `780余次` (a lower bound), `820余人`, `10批11人次` (two figures of one statement), and a
statement repeated in two sections (the seed repeats its 普法 figures in (五) and (七)), which counts once."""
import re
from dataclasses import dataclass, field
from decimal import Decimal

from tracker.services.errors import ValidationFailed
from tracker.services.figures.catalogue import ALIASES, kind_of
from tracker.services.importing.numbering import parse_numeral

UNITS = ("人次", "场次", "批次", "户次", "件", "次", "人", "名", "批", "起", "场", "份", "个", "项", "类", "条",
         "家", "户", "所", "期", "篇", "处", "台", "万元", "元")
# Digits, or a Chinese numeral before a counting unit ("两起不予立案"); 第一次 / 一是 are not figures.
FIGURE = re.compile(r"(?<![\d.第])(\d+(?:\.\d+)?|[两二三四五六七八九十]{1,3})(余|多)?(" + "|".join(UNITS) + ")")
CN_UNITS = ("起", "件", "人", "名", "次", "场", "批", "份")
# Words that make a figure a standing total (现有网格员44人), not an addition.
# Names that say nothing on their own ("对服务平台4项清单", "现有成员35人", "5个村"): listed, not ticked.
VAGUE = frozenset({"清单", "成员", "村", "人员", "(待命名)"})
STOCK_CUES = ("共选配", "现有", "配备", "组建", "在岗", "选配")
# A clause ends at these; "、" too, since enumerations ("网格长5人、网格员44人") list one figure per item.
NEAR = re.compile(r"[,，、;；。:：()（）!！?？\n]")
WIDE = re.compile(r"[,，;；。:：!！?？\n]")
PART = re.compile(r"^\s*([一二三四五六七八九十]+)、")
SECTION = re.compile(r"^\s*[(（]([一二三四五六七八九十]+)[)）]")
QUOTES = str.maketrans("", "", "“”\"‘’'《》「」")
LEADING = ("今年以来", "截至目前", "截止目前", "截至", "全年", "全镇", "我镇", "辖区", "乡镇赋权后", "共", "累计",
           "先后", "其中", "同时", "现场", "积极参与", "参与", "组织开展", "开展", "组织", "办理", "配备", "组建了",
           "组建", "选配", "新增", "现有", "签订", "划分", "为群众提供", "提供", "通过", "涉及", "已", "正在",
           "对", "的", "了", "均", "也")
TRAILING = ("共", "达", "累计", "约", "等", "计", "为")
SUFFIX_STOP = re.compile(r"(进行|已|正在|也|均|不予|开展|覆盖|的工作|工作)")
# A qualifier before what a figure counts narrows it (the seed's 2023 培训 are 综合行政执法队伍培训等, where the
# catalogue's 培训 counts every kind): the figure's scope, so that next year's draft does not compare unlike sums.
# (catalogue name → the word it counts and the qualifiers that narrow it, longest first)
QUALIFIED = {"培训": ("培训", ("行政执法", "综合执法", "执法")), "培训人次": ("培训", ("行政执法", "综合执法", "执法"))}
QUALIFIER_GAP = 4  # characters allowed between a qualifier and the word ("行政执法队伍培训")
SENTENCE = re.compile(r"[。;；!！?？\n]")
# What one paste may hold (issue 18.11): a year's report is ~20,000 characters with ~100 figures; a 200,000-
# character line took 156 s, past every server's timeout. Clauses are looked for this far either side.
TEXT_MAX, FIGURES_MAX, CLAUSE_MAX = 200_000, 300, 500


@dataclass
class Candidate:
    """A figure found in the text, to be reviewed before it is saved as a baseline."""

    name: str
    value: Decimal
    unit: str
    is_approximate: bool
    section: int | None
    source: str
    sections: list[int] = field(default_factory=list)
    selected: bool = True
    kind: str = "flow"
    parts: list[str] = field(default_factory=list)  # each statement summed into this figure
    scope: str = ""  # what the figure counted where the text narrows it ("仅计行政执法队伍培训")

    @property
    def display(self) -> str:
        value = str(int(self.value)) if self.value == self.value.to_integral_value() else str(self.value)
        return f"{value}{'余' if self.is_approximate else ''}{self.unit}"


def _strip(text: str) -> str:
    text = text.translate(QUOTES).strip()
    changed = True
    while changed and text:
        changed = False
        for word in LEADING:
            if text.startswith(word) and len(text) - len(word) >= 2:
                text, changed = text[len(word):], True
        for word in TRAILING:
            if text.endswith(word):
                text, changed = text[: -len(word)], True
    return text.strip()


def _catalogue_name(unit: str, *texts: str) -> str | None:
    for text in texts:
        for (name, cat_unit), words in ALIASES.items():
            if cat_unit == unit and any(w in text for w in words):
                return name
    return None


def _clause_start(text: str, end: int, pattern: re.Pattern) -> int:
    """Where the clause before `end` starts, looking back CLAUSE_MAX characters at most (linear, not quadratic)."""
    low = max(0, end - CLAUSE_MAX)
    starts = [m.end() for m in pattern.finditer(text, low, end)]
    return starts[-1] if starts else low


def _clause_end(text: str, start: int) -> int:
    """Where the clause after `start` ends, looking CLAUSE_MAX characters ahead at most."""
    match = NEAR.search(text, start, start + CLAUSE_MAX)
    return match.start() if match else min(len(text), start + CLAUSE_MAX)


def _suffix(text: str, start: int) -> str:
    """The noun right after the unit ("113人公安义警" → 公安义警), cut at the next verb or clause end."""
    tail = text[start: _clause_end(text, start)]
    tail = SUFFIX_STOP.split(tail, maxsplit=1)[0] if not tail.startswith(("已", "正在")) else tail
    return _strip(tail)


def _scope(name: str, paragraph: str, clause_start: int, figure_start: int) -> str:
    """"仅计行政执法队伍培训" where a qualifier narrows every mention of what the figure counts, in its clause or
    — when the clause does not name it ("累计参训人次达16人次") — earlier in its sentence; else ""."""
    if name not in QUALIFIED:
        return ""
    word, qualifiers = QUALIFIED[name]
    clause = paragraph[clause_start:figure_start]
    where = clause if word in clause else paragraph[_clause_start(paragraph, figure_start, SENTENCE):figure_start]
    # "执法队伍培训等各类学习培训": what follows 等 names the same trainings again, not other ones.
    where = re.sub(f"等[\u4e00-\u9fff]{{0,{QUALIFIER_GAP}}}{word}", "", where)
    narrowed = re.findall(f"(?:{'|'.join(qualifiers)})[\u4e00-\u9fff]{{0,{QUALIFIER_GAP}}}?{word}", where)
    return f"仅计{narrowed[-1]}" if narrowed and len(narrowed) == where.count(word) else ""


def _figures_in(paragraph: str):
    """(name, value, unit, approximate, clause) for each figure in one paragraph."""
    previous_end, previous_prefix = -1, ""
    for match in FIGURE.finditer(paragraph):
        raw, approx, unit = match.group(1), bool(match.group(2)), match.group(3)
        if not raw.isdigit() and not raw.replace(".", "").isdigit():
            numeral = parse_numeral(raw.replace("两", "二"))  # 两 is how 2 is said before a unit
            if unit not in CN_UNITS or not numeral:
                continue
            value = Decimal(numeral)
        else:
            value = Decimal(raw)
        near_start = _clause_start(paragraph, match.start(), NEAR)
        if match.start() == previous_end:  # 10批11人次: the second figure shares the first one's words
            prefix = previous_prefix
        else:
            prefix = paragraph[near_start:match.start()]
        wide = paragraph[_clause_start(paragraph, match.start(), WIDE):match.start()]
        suffix = _suffix(paragraph, match.end())
        name = _catalogue_name(unit, prefix, suffix, wide)
        if name is None:
            name = suffix or _strip(prefix) or "(待命名)"
        clause = paragraph[near_start: _clause_end(paragraph, match.end())].strip()
        previous_end, previous_prefix = match.end(), prefix
        stock = any(cue in wide + prefix for cue in STOCK_CUES)
        yield name[:100], value, unit, approx, clause[:500], stock, _scope(name, paragraph, near_start, match.start())


def extract(text: str) -> list[Candidate]:
    """Figures with units in a report's text, in order, each statement once; part 一's sections noted.

    Two statements of one figure in one section (中心组学习3次, "芝荟谈"学习研讨2次 → 专题学习) are summed
    into one candidate that keeps both sources; the committee may split them again in the review. Text over
    TEXT_MAX characters or with over FIGURES_MAX figures is refused (ValidationFailed)."""
    if len(text or "") > TEXT_MAX:
        raise ValidationFailed(f"文本过长(超过{TEXT_MAX}字),请只粘贴报告中写成效的部分",
                               {"text": f"不能超过{TEXT_MAX}字(现有{len(text)}字)"})
    found: dict[tuple, Candidate] = {}
    by_name: dict[tuple, Candidate] = {}
    seen = 0
    part, section = None, None
    for line in (text or "").splitlines():
        if m := PART.match(line):
            part, section = (parse_numeral(m.group(1)) or None), None
            continue
        if m := SECTION.match(line):
            section = (parse_numeral(m.group(1)) or None) if part in (None, 1) else None
            continue
        if part not in (None, 1):
            continue  # parts 二 and 三 hold weaknesses and plans, not last year's figures
        for name, value, unit, approx, clause, stock, scope in _figures_in(line):
            seen += 1  # repeats too: a statement repeated in two sections counts twice here, once below
            if seen > FIGURES_MAX * 3:
                raise ValidationFailed(f"文本中的数据超过{FIGURES_MAX}项,请分段粘贴(每次一部分)",
                                       {"text": f"数据不能超过{FIGURES_MAX}项"})
            key = (name, unit, value, re.sub(r"\s+", "", clause))
            if key in found:
                if section and section not in found[key].sections:
                    found[key].sections.append(section)
                continue
            if len(found) >= FIGURES_MAX:
                raise ValidationFailed(f"文本中的数据超过{FIGURES_MAX}项,请分段粘贴(每次一部分)",
                                       {"text": f"数据不能超过{FIGURES_MAX}项"})
            statement = clause
            same = by_name.get((name, unit, section))
            if same is not None and same.kind == "flow" and not stock:
                same.value += value
                same.is_approximate = same.is_approximate or approx
                same.parts.append(statement)
                same.source = "；".join(same.parts)[:500]
                # A narrowed part summed with one that is not counts more than the qualifier says: no scope then.
                same.scope = "；".join(dict.fromkeys((same.scope, scope)))[:500] if same.scope and scope else ""
                found[key] = same
                continue
            # A stock stated twice, or a figure in another section, stays a row of its own, unticked.
            candidate = Candidate(name, value, unit, approx, section, clause, [section] if section else [],
                                  name not in VAGUE and len(name) > 1
                                  and not any((c.name, c.unit) == (name, unit) for c in by_name.values()),
                                  "stock" if stock or kind_of(name, unit) == "stock" else "flow", [statement], scope)
            found[key] = candidate
            by_name.setdefault((name, unit, section), candidate)
    unique: dict[int, Candidate] = {}
    for candidate in found.values():
        unique.setdefault(id(candidate), candidate)
    return list(unique.values())


def decode(raw: bytes) -> str | None:
    """A report file's text: UTF-8 (with or without BOM), else GB18030, which covers GBK and GB2312."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    return None
