"""Checking the rows of a task table against the organisation's users, dates and the plan's themes."""
import re
from datetime import date

from sqlalchemy import select

from tracker.extensions import db
from tracker.models import Organisation, Plan, User
from tracker.services.importing.dates import parse_due
from tracker.services.importing.numbering import line_marker, parse_numeral, theme_char
from tracker.services.importing.sections import suggest_section
from tracker.services.plans.sections import SECTIONS, sections_for
from tracker.services.validation import TEXT_MAX, TITLE_MAX, UNIT_MAX

FIELD_LABELS = {"title": "工作任务", "theme": "主题", "owner": "责任人", "lead": "牵头领导", "co_owners": "协办人",
                "unit": "责任单位", "due": "完成时限", "start": "开始时间", "section": "报告板块",
                "description": "任务描述"}
LEAD_ROLES = ("leader", "committee")
DEFAULT_THEME = "年度重点任务"


class People:
    """The organisation's active users, found by username or by name as people type them in tables."""

    def __init__(self, org: Organisation):
        users = db.session.scalars(select(User).where(User.org_id == org.id, User.is_active_account.is_(True))).all()
        self.by_username = {u.username: u for u in users}
        self.by_name: dict[str, list[User]] = {}
        for u in users:
            self.by_name.setdefault(u.name, []).append(u)

    def find(self, text: str, label: str, roles=None) -> tuple[User | None, str | None]:
        text = re.sub(r"[(（].*?[)）]", "", text).strip()  # "王晓燕(党政办)" → 王晓燕
        user = self.by_username.get(text)
        matches = [user] if user else self.by_name.get(text, [])
        if not matches:
            return None, f"{label}“{text}”不是本单位的用户"
        if len(matches) > 1:
            names = "、".join(u.username for u in matches)
            return None, f"{label}“{text}”有重名,请改填用户名({names})"
        if roles and matches[0].role not in roles:
            return None, f"{label}“{text}”须为分管领导或党政办人员"
        return matches[0], None


def parse_section(text: str, titles=SECTIONS) -> int | None:
    """A number, 五, (五), 第五, or the start of one of the section titles."""
    text = text.strip().strip("()（）第部分板块")
    if text.isdecimal():
        return int(text)
    marker = line_marker(text + "、x") if text else None
    if marker:
        return marker.ordinal
    if re.fullmatch(r"[一二三四五六七八九十]+", text):
        return parse_numeral(text)
    for i, name in enumerate(titles, 1):
        if text and (name.startswith(text[:6]) or text in name):
            return i
    return None


def theme_keys(names: list[str]) -> dict[str, str]:
    """Keys for new themes in their order: 以"X"字's X when every theme has a distinct one, else 1, 2, …"""
    chars = [theme_char(n) for n in names]
    keyed = all(chars) and len(set(chars)) == len(chars)
    return {n: (chars[i] if keyed else str(i + 1)) for i, n in enumerate(names)}


def _theme_for(text: str, plan: Plan) -> str | None:
    """The key of an existing plan's theme named by a cell (its key, title, or 以"X"字)."""
    text = text.strip()
    for theme in plan.themes:
        if text in (theme.key, theme.title) or (theme_char(text) and theme_char(text) == theme.key):
            return theme.key
    stripped = line_marker(text).rest if line_marker(text) else text
    return next((t.key for t in plan.themes if stripped == t.title or (stripped and stripped in t.title)), None)


def check_rows(org: Organisation, year: int, rows: list[dict], plan: Plan | None) -> tuple[list[dict], list]:
    """Each row with its cleaned values and errors; and the themes a new plan would get as (key, title)."""
    people = People(org)
    titles = sections_for(org, year)
    names = []
    for row in rows:
        name = row["values"].get("theme", "").strip()
        if name and name not in names:
            names.append(name)
    keys = theme_keys(names) if plan is None else {}
    new_themes = [(keys[n], n) for n in names] if plan is None else []
    if plan is None and not names:
        new_themes = [("1", DEFAULT_THEME)]
    checked = []
    for row in rows:
        values = {k: (v or "").strip() for k, v in row["values"].items()}
        errors, clean = {}, {}
        title = values.get("title", "")
        if not title:
            errors["title"] = "工作任务为空"
        elif len(title) > TITLE_MAX:
            errors["title"] = f"工作任务超过{TITLE_MAX}个字"
        clean["title"] = title
        description = values.get("description", "")
        if values.get("co_unit"):
            description = "\n".join(p for p in (description, f"配合单位:{values['co_unit']}") if p)
        if len(description) > TEXT_MAX:
            errors["description"] = f"任务描述超过{TEXT_MAX}个字"
        clean["description"] = description
        theme = values.get("theme", "")
        if plan is not None:
            key = _theme_for(theme, plan) if theme else (plan.themes[0].key if len(plan.themes) == 1 else None)
            if key is None:
                options = "、".join(f"{t.key}({t.title})" for t in plan.themes)
                errors["theme"] = f"主题“{theme}”不在{year}年计划中(可选:{options})" if theme else f"请填写主题(可选:{options})"
            clean["theme"] = key
        else:
            clean["theme"] = keys.get(theme, new_themes[0][0])
        section = values.get("section", "")
        number = parse_section(section, titles) if section else suggest_section(title, description)
        if number is None or not 1 <= number <= len(titles):
            errors["section"] = f"报告板块“{section}”无法识别(填1–{len(titles)}或板块名称)"
        clean["report_section"] = number
        for field, roles in (("owner", None), ("lead", LEAD_ROLES)):
            if values.get(field):
                user, message = people.find(values[field], FIELD_LABELS[field], roles)
                clean[field] = user.username if user else None
                if message:
                    errors[field] = message
        helpers = [p for p in re.split(r"[、,，;；/\s]+", values.get("co_owners", "")) if p]
        clean["co_owners"] = []
        for name in helpers:
            user, message = people.find(name, "协办人")
            if message:
                errors["co_owners"] = message
            elif user.username != clean.get("owner") and user.username not in clean["co_owners"]:
                clean["co_owners"].append(user.username)
        unit = values.get("unit", "")
        if len(unit) > UNIT_MAX:
            errors["unit"] = f"责任单位超过{UNIT_MAX}个字"
        clean["unit"] = unit
        for field in ("due", "start"):
            clean[field] = None
            if values.get(field):
                try:
                    clean[field] = parse_due(values[field], year).isoformat()
                except ValueError as exc:
                    errors[field] = f"{FIELD_LABELS[field]}:{exc}"
        if clean.get("owner") and not clean["due"] and "due" not in errors:
            errors["due"] = "有责任人的任务须填写完成时限"
        if clean["due"] and clean["start"] and clean["due"] < clean["start"]:
            errors["due"] = "完成时限早于开始时间"
        checked.append({"number": row["number"], "values": values, "clean": clean, "errors": errors})
    return checked, new_themes


def error_lines(checked: list[dict]) -> list[str]:
    """"第5行:责任人“张三”不是本单位的用户" for every problem, in row order."""
    return [f"第{row['number']}行:{message}" for row in checked for message in row["errors"].values()]


def task_data(clean: dict) -> dict:
    """A checked row as tracker.services.tasks.verbs.create_task takes it."""
    data = {"theme": clean["theme"], "title": clean["title"], "description": clean["description"],
            "report_section": clean["report_section"], "unit": clean["unit"], "co_owners": clean["co_owners"]}
    for field, key in (("owner", "owner"), ("lead", "lead")):
        if clean.get(field):
            data[key] = clean[field]
    if clean.get("due"):
        data["due_date"] = date.fromisoformat(clean["due"])
    if clean.get("start"):
        data["start_date"] = date.fromisoformat(clean["start"])
    return data
