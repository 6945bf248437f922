"""From document to plan: a report's next-year part or an Excel task table, parsed for review, then created."""
from tracker.services.importing.files import report_lines
from tracker.services.importing.report import parse_report


def read_report(filename: str, data: bytes, year: int | None = None) -> dict:
    """Check and parse an uploaded report; warns when the text names another year than the one given."""
    parsed = parse_report(report_lines(filename, data))
    if year is not None and parsed["year"] and parsed["year"] != year:
        parsed["warnings"].append(f"报告正文写的是{parsed['year']}年的安排,将按指定的{year}年导入")
    return parsed


def dry_run_json(parsed: dict, year: int) -> dict:
    """The fixed shape of `plan import --dry-run` (issue 6)."""
    return {"year": year, "themes": [
        {"key": t["key"], "title": t["title"],
         "tasks": [{"title": c["title"], "report_section": c["report_section"], "source": c["source"]}
                   for c in t["tasks"]]}
        for t in parsed["themes"]]}
