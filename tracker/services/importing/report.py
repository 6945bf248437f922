"""Reading the next-year plan out of a report: find the part, its themes, and the measures of each theme."""
import re
from collections import Counter

from tracker.services.errors import ValidationFailed
from tracker.services.importing import measures
from tracker.services.importing.numbering import heading_of, is_sequence, line_marker, split_inline, theme_char
from tracker.services.importing.sections import suggest_section

# Headings of the plan part, however a township words them.
PLAN_STRONG = re.compile(r"下一?年度?.{0,20}(安排|计划|打算|思路|举措|重点|目标|部署)|下一?步.{0,12}(安排|计划|打算|思路|"
                         r"举措|重点|措施|方向|工作)|(明年|来年|新的一年|今后一个时期|今后).{0,12}(工作)?(计划|安排|打算|思路|重点|举措)")
PLAN_YEAR = re.compile(r"(20\d\d)年(度)?.{0,20}(计划|安排|打算|思路|工作重点|重点工作|要点|目标任务|举措)")
PAST = re.compile(r"总结|报告|情况|成效|回顾|完成|不足|问题")
PLAN_GENERIC = re.compile(r"^(主要|重点)?工作(计划|打算|思路|安排|举措)$")
CLOSING = re.compile(r"^(特此报告|特此|以上报告|专此报告|附件|附:)|^\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日$")
ORG_LINE = re.compile(r"^[\u4e00-\u9fa5()（）]{2,30}(镇|乡|局|委员会|人民政府|政府|办公室|街道办事处|中心|所)$")
YEAR = re.compile(r"(20\d\d)\s*年")
HEADING_MAX = 40
SOURCE_MAX = 500
NO_PLAN = ("没有找到下一年度工作安排部分:报告中应有“下一年度……主要安排”“下一步工作打算”"
           "或“20XX年工作计划”之类的标题")


def _heading_text(line: str) -> tuple[str, object]:
    marker = line_marker(line)
    text = marker.rest if marker else line
    head, _ = heading_of(text, HEADING_MAX)
    return head or (text if len(text) <= HEADING_MAX else ""), marker


def find_plan_part(lines: list[str]) -> tuple[int, list[str], str]:
    """The index of the plan heading, the part's lines (the heading's own trailing text first) and the heading."""
    strong, by_year = [], []
    for i, line in enumerate(lines):
        head, _ = _heading_text(line)
        if not head:
            continue
        looks_back = bool(PAST.search(head))
        if PLAN_STRONG.search(head) or PLAN_GENERIC.match(head):
            strong.append((looks_back, i))
        elif (found := PLAN_YEAR.search(head)) and not looks_back:
            by_year.append((-int(found.group(1)), i))
    if not strong and not by_year:
        raise ValidationFailed(NO_PLAN, {"file": NO_PLAN})
    # A heading that only plans beats a title that also reports ("…工作总结及下一步工作打算"); among
    # "20XX年…计划" headings the latest year wins (part 一 may be "2023年…主要举措").
    start = min(strong)[1] if strong else min(by_year)[1]
    head, marker = _heading_text(lines[start])
    text = marker.rest if marker else lines[start]
    remainder = text[len(head):].lstrip("。;；:：!！ ") if text.startswith(head) else ""
    body = [remainder] if remainder else []
    for line in lines[start + 1:]:
        other = line_marker(line)
        if marker and other and other.style == marker.style and other.ordinal > marker.ordinal \
                and marker.style in ("dun_cn", "di_cn"):
            break
        if CLOSING.match(line):
            break
        body.append(line)
    # A signature line (the organisation's name) just before the date is not part of the plan.
    while body and ORG_LINE.match(body[-1]):
        body.pop()
    if not body:
        raise ValidationFailed("下一年度工作安排部分是空的,没有可导入的任务", {"file": "计划部分为空"})
    return start, body, head


def plan_year(lines: list[str], start: int, heading: str, body: list[str]) -> int | None:
    """The year the plan is for, as the text says it."""
    found = YEAR.search(heading)
    if found:
        return int(found.group(1))
    for line in body[:2]:
        found = re.match(r"\s*(20\d\d)\s*年", line)
        if found:
            return int(found.group(1))
    earlier = Counter(int(y) for line in lines[:start] for y in YEAR.findall(line))
    if earlier and (PLAN_STRONG.search(heading) or PLAN_GENERIC.match(heading)):
        return earlier.most_common(1)[0][0] + 1
    return None


def _segments(body: list[str]) -> tuple[str, list[tuple[str, str]]] | None:
    """Top-level items of the body by line numbering: (style, [(item text incl. its following lines)])."""
    marks = [(i, line_marker(line)) for i, line in enumerate(body)]
    styles = []
    for _, m in marks:
        if m and m.style not in styles:
            styles.append(m.style)
    for style in styles:
        positions = [(i, m) for i, m in marks if m and m.style == style]
        ordinals = [m.ordinal for _, m in positions]
        first_one = next((k for k, o in enumerate(ordinals) if o == 1), None)
        if first_one is None:
            continue
        run = [positions[first_one]]
        for i, m in positions[first_one + 1:]:
            if m.ordinal in (run[-1][1].ordinal, run[-1][1].ordinal + 1):
                run.append((i, m))
            else:
                break
        if not is_sequence([m.ordinal for _, m in run]):
            continue
        items = []
        for k, (i, m) in enumerate(run):
            stop = run[k + 1][0] if k + 1 < len(run) else len(body)
            items.append(("\n".join([m.rest] + body[i + 1:stop])))
        return style, items
    return None


def _theme_char_segments(body: list[str]) -> list[str] | None:
    """Themes written 以"X"字… at the start of lines without any numbering."""
    starts = [i for i, line in enumerate(body) if theme_char(line) and theme_char(line) == theme_char(line[:12])]
    if len(starts) < 2:
        return None
    return ["\n".join(body[i:(starts[k + 1] if k + 1 < len(starts) else len(body))]) for k, i in enumerate(starts)]


def split_themes(body: list[str], heading: str) -> list[tuple[str, str]]:
    """(theme title, theme text) pairs, whatever the numbering."""
    found = _segments(body)
    items = found[1] if found else _theme_char_segments(body)
    if items is None:
        inline = split_inline("".join(body), ("shi", "paren_cn", "di_cn"))
        items = inline[1] if inline else None
    if items is None:
        paragraphs = [p for p in body if measures.group_measures(p)]
        if len(paragraphs) >= 2 and not re.match(r"\s*20\d\d\s*年", paragraphs[0][:6]) or len(paragraphs) > 2:
            items = paragraphs[1:] if _is_intro(paragraphs[0]) and len(paragraphs) > 2 else paragraphs
        else:
            return [(heading or "年度工作安排", "\n".join(body))]
    themes = []
    for item in items:
        first, _, rest = item.partition("\n")
        title, after = heading_of(first, 50)
        if not title:
            title = measures.title_of(measures.group_measures(first)[0]) if measures.group_measures(first) \
                else measures.clip(first, 30)
            after = first
        themes.append((title, "\n".join(p for p in (after, rest) if p)))
    # A flat list of short single measures is one theme of tasks, not many themes of one task each.
    if len(themes) >= 5 and all(len(t) + len(b) <= 120 and "\n" not in b for t, b in themes):
        return [(heading or "年度工作安排", "\n".join(body))]
    return themes


def _is_intro(paragraph: str) -> bool:
    return bool(re.search(r"为指导|坚持以|全面贯彻|深入贯彻|总体要求|指导思想", paragraph[:80]))


def split_tasks(text: str) -> list[dict]:
    """Candidate tasks of one theme: its numbered items, else its measures found clause by clause."""
    lines = [line for line in text.split("\n") if line.strip()]
    found = _segments(lines)
    items = found[1] if found else None
    if items is None:
        inline = split_inline(" ".join(lines))
        items = inline[1] if inline else None
    if items is not None:
        out = []
        for item in items:
            item = item.replace("\n", "")
            head, rest = heading_of(item, HEADING_MAX)
            groups = measures.group_measures(item)
            title = head or (measures.title_of(groups[0]) if groups else measures.clip(item))
            out.append(_candidate(title, item))
        return out
    out = []
    for group in measures.group_measures(" ".join(lines)):
        description = "，".join(group["clauses"])
        out.append(_candidate(measures.title_of(group), description, "".join(group["written"])))
    return out


def _candidate(title: str, description: str, source: str | None = None) -> dict:
    """A task to review; `source` is the document's own words as written, so the office can search for them."""
    title = measures.clip(title)
    source = (source or description).strip()
    return {"title": title, "report_section": suggest_section(title, description),
            "source": source[:SOURCE_MAX], "description": description.strip()[:2000]}


def parse_report(lines: list[str]) -> dict:
    """The plan a report proposes: {"year", "heading", "themes": [{key, title, tasks}], "warnings"}."""
    start, body, heading = find_plan_part(lines)
    themes = []
    for title, text in split_themes(body, heading):
        tasks = split_tasks(text) or ([_candidate(title, text or title)] if (text or title) else [])
        if tasks:
            themes.append({"title": measures.clip(title, 100), "tasks": tasks})
    if not themes:
        raise ValidationFailed("下一年度工作安排中没有找到具体任务", {"file": "没有找到任务"})
    chars = [theme_char(t["title"]) for t in themes]
    keyed = all(chars) and len(set(chars)) == len(chars)
    for i, theme in enumerate(themes):
        theme["key"] = chars[i] if keyed else str(i + 1)
    return {"year": plan_year(lines, start, heading, body), "heading": heading,
            "themes": [{"key": t["key"], "title": t["title"], "tasks": t["tasks"]} for t in themes],
            "warnings": []}
