"""Property tests (issue 8) for every parser: dates people type, figures with units, the plan importer, and
the working-day arithmetic. Bounded example counts; no database (the working days run without an app context,
so they use the calendar package and its Monday–Friday fallback)."""
import calendar as month_calendar
from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from tracker.services.calendar import workdays
from tracker.services.errors import ValidationFailed
from tracker.services.importing.dates import parse_due
from tracker.services.importing.report import parse_report
from tracker.services.importing.rows import parse_section
from tracker.services.reporting.extract import UNITS, extract
from tracker.services.reporting.figures import number
from tracker.services.validation import TITLE_MAX, clean_date

FEW = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
SOME = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
days = st.dates(min_value=date(2000, 1, 1), max_value=date(2099, 12, 31))
cn_text = st.text(alphabet=st.sampled_from(list("0123456789年月日号底末旬上中下半季度第一二三四五六七八九十前之内完成止"
                                                 "-/. 元次件人余多,。、;:()\n开展普法宣讲调解")), max_size=30)
CN_MONTH = "一 二 三 四 五 六 七 八 九 十 十一 十二".split()


# --- dates people type -------------------------------------------------------------------------------------

@SOME
@given(day=days, year=st.integers(2000, 2099), style=st.integers(0, 5), tail=st.sampled_from(["", "前", "之前", "完成"]))
def test_a_full_date_in_any_usual_form_is_that_date(day, year, style, tail):
    text = [f"{day:%Y-%m-%d}", f"{day.year}/{day.month}/{day.day}", f"{day.year}年{day.month}月{day.day}日",
            f"{day:%Y%m%d}", f"{day.year}.{day.month}.{day.day}", f" {day.year} 年 {day.month} 月 {day.day} 号 "][style]
    assert parse_due(text + tail, year) == day


@SOME
@given(year=st.integers(2000, 2099), month=st.integers(1, 12), cn=st.booleans(), part=st.sampled_from(["底", "末", "", "份"]))
def test_a_month_alone_means_its_last_day_of_the_plan_year(year, month, cn, part):
    text = f"{CN_MONTH[month - 1] if cn else month}月{part}"
    assert parse_due(text, year) == date(year, month, month_calendar.monthrange(year, month)[1])


@SOME
@given(year=st.integers(2000, 2099), quarter=st.integers(1, 4), half=st.booleans())
def test_quarters_and_halves_end_on_their_last_day(year, quarter, half):
    if half:
        assert parse_due("上半年", year) == date(year, 6, 30) and parse_due("下半年", year) == date(year, 12, 31)
    month = 3 * quarter
    assert parse_due(f"第{'一二三四'[quarter - 1]}季度", year) == date(year, month, month_calendar.monthrange(year, month)[1])


@SOME
@given(serial=st.integers(20001, 79999))
def test_an_excel_serial_that_lost_its_format_is_still_a_date(serial):
    day = date(1899, 12, 30) + timedelta(days=serial)  # Excel's day zero
    if 2000 <= day.year <= 2100:
        assert parse_due(serial, 2026) == parse_due(str(serial), 2026) == day
    else:  # a far date is refused, with a reason (issue 18.3)
        with pytest.raises(ValueError, match="2000年到2100年之间"):
            parse_due(serial, 2026)


@SOME
@given(year=st.integers(2000, 2099), month=st.integers(1, 12), past_the_end=st.integers(1, 3))
def test_an_impossible_day_is_refused_with_a_reason(year, month, past_the_end):
    day = month_calendar.monthrange(year, month)[1] + past_the_end  # 2月30日, 4月31日, 1月32日
    for text in (f"{year}-{month:02d}-{day:02d}", f"{year}年{month}月{day}日"):
        try:
            parse_due(text, year)
        except ValueError as exc:
            assert "不存在" in str(exc)
        else:
            raise AssertionError(f"{text} was accepted")


@SOME
@example("13月")
@example("2024-02-30")
@example("0月底")
@given(value=st.one_of(cn_text, st.text(max_size=20), st.integers(), st.floats(allow_nan=True), st.none(), st.booleans()))
def test_anything_typed_is_a_date_or_a_chinese_refusal(value):
    try:
        result = parse_due(value, 2026)
    except ValueError as exc:
        assert str(exc) and any("\u4e00" <= ch <= "\u9fff" for ch in str(exc))
    else:
        assert isinstance(result, date)


@SOME
@given(value=st.one_of(st.text(max_size=20), days.map(date.isoformat), st.integers(), st.none()))
def test_clean_date_never_raises_and_round_trips_iso_dates(value):
    errors: dict = {}
    result = clean_date(errors, "due_date", "完成时限", value)
    if result is None:
        assert value in (None, "") or errors["due_date"].startswith("完成时限")
    else:
        assert not errors and result == date.fromisoformat(value.strip())


@FEW
@given(n=st.integers(1, 7), form=st.sampled_from(["{d}", "{c}", "({c})", "（{c}）", "第{c}", "第{c}部分", " {d} "]))
def test_a_report_section_in_the_forms_people_write_is_its_number(n, form):
    assert parse_section(form.format(d=n, c="一二三四五六七"[n - 1])) == n


@FEW
@given(text=st.one_of(st.text(max_size=12), cn_text))
def test_any_section_text_is_a_number_or_nothing(text):
    # Out-of-range numbers (0, 8, 99) come back as numbers: check_rows refuses them with a message.
    section = parse_section(text)
    assert section is None or (isinstance(section, int) and section >= 0)


# --- figures with units ------------------------------------------------------------------------------------

values = st.one_of(st.integers(0, 10**9).map(Decimal),
                   st.decimals(min_value=0, max_value=10**6, places=2, allow_nan=False, allow_infinity=False))


@SOME
@given(value=values, unit=st.sampled_from(UNITS), approx=st.sampled_from(["", "余", "多"]),
       lead=st.sampled_from(["开展普法宣讲", "全年共调解纠纷", "组织网格员培训", "办理行政许可"]))
def test_a_figure_in_a_sentence_is_found_with_its_value_and_unit(value, unit, approx, lead):
    text = f"{lead}{number(value)}{approx}{unit}。"
    found = extract(text)
    assert len(found) == 1, (text, found)
    figure = found[0]
    assert (figure.value, figure.unit, figure.is_approximate) == (value, unit, bool(approx))
    assert figure.display == f"{number(value)}{'余' if approx else ''}{unit}"


@SOME
@example("10批11人次")
@example("一、\n(三)开展9999999999999999999999次")
@given(text=st.one_of(cn_text, st.text(max_size=60)))
def test_any_text_gives_well_formed_candidates(text):
    for figure in extract(text):
        assert figure.value >= 0 and figure.unit in UNITS
        assert 0 < len(figure.name) <= 100 and len(figure.source) <= 500
        assert figure.section is None or 1 <= figure.section <= 10


@SOME
@given(value=st.decimals(allow_nan=False, allow_infinity=False, places=4, min_value=-10**12, max_value=10**12))
def test_number_writes_a_value_exactly_without_trailing_zeros(value):
    text = number(value)
    assert Decimal(text) == value
    assert "e" not in text.lower() and not ("." in text and text.endswith(("0", ".")))


# --- the plan importer -------------------------------------------------------------------------------------

THEME_CHARS = list("法新实学治惠廉智和信")
MEASURES = ["严格落实学法制度", "组织干部旁听庭审", "深化一村一法律顾问工作", "推进村规民约修订完善",
            "开展法律服务进万家活动", "为困难群众提供法律援助", "健全矛盾纠纷排查化解机制", "举办法治讲座不少于4场"]


@FEW
# At most four: five or more short themes of one measure each read as one flat list (report.split_themes).
@given(keys=st.lists(st.sampled_from(THEME_CHARS), min_size=2, max_size=4, unique=True),
       picks=st.lists(st.lists(st.sampled_from(MEASURES), min_size=1, max_size=3, unique=True), min_size=5, max_size=5))
def test_a_plan_written_by_theme_characters_comes_back_theme_by_theme(keys, picks):
    lines = ["某镇2025年度法治政府建设年度报告", "一、上一年度法治政府建设的主要举措和成效", "全年开展普法活动21场。",
             "二、上一年度法治政府建设存在的不足和原因", "一是覆盖面不够广。",
             "三、下一年度推进法治政府建设的主要安排", f"2026年,某镇将围绕“{'、'.join(keys)}”{len(keys)}个方面推进。"]
    for key, measures in zip(keys, picks):
        lines.append(f"以“{key}”字推进工作。" + "，".join(measures) + "。")
    parsed = parse_report(lines)
    assert [t["key"] for t in parsed["themes"]] == keys
    assert parsed["year"] in (2026, None)
    for theme in parsed["themes"]:
        assert theme["tasks"]
        for task in theme["tasks"]:
            assert 0 < len(task["title"]) <= TITLE_MAX
            assert task["report_section"] is None or 1 <= task["report_section"] <= 7


@FEW
@given(lines=st.lists(st.one_of(cn_text, st.text(max_size=40),
                                st.sampled_from(["三、下一年度推进法治政府建设的主要安排", "(一)加强学习", "1.开展宣讲",
                                                 "一是强化普法", "以“法”字推进"])), max_size=12))
def test_any_document_is_a_plan_or_a_chinese_refusal(lines):
    try:
        parsed = parse_report(lines)
    except ValidationFailed as exc:
        assert exc.message and exc.fields
    else:
        assert parsed["themes"] and all(t["tasks"] for t in parsed["themes"])
        assert len({t["key"] for t in parsed["themes"]}) == len(parsed["themes"])


# --- working days ------------------------------------------------------------------------------------------

any_day = st.dates(min_value=date(2005, 1, 1), max_value=date(2150, 12, 31))


@SOME
@given(start=any_day, n=st.integers(1, 60))
def test_adding_working_days_then_counting_back(start, n):
    later = workdays.add_workdays(start, n)
    assert later > start and workdays.is_workday(later)
    assert workdays.workdays_between(start, later) == n
    assert workdays.workdays_between(later, start) == -n
    back = workdays.sub_workdays(later, n)
    # Back to the start when it is a working day, else to the last working day before it.
    expected = start
    while not workdays.is_workday(expected):
        expected -= timedelta(days=1)
    assert back == expected


@SOME
@given(day=any_day)
def test_the_effective_due_date_is_the_next_working_day_on_or_after(day):
    due = workdays.effective_due(day)
    assert due >= day and workdays.is_workday(due)
    assert all(not workdays.is_workday(day + timedelta(days=k)) for k in range((due - day).days))
    assert workdays.nth_workday_from(day, 1) == due


@SOME
@given(day=st.dates(min_value=date(2100, 1, 1), max_value=date(9998, 12, 1)), n=st.integers(1, 30))
def test_an_unknown_year_falls_back_to_monday_to_friday(day, n):
    assert not workdays.is_known_year(day.year)
    assert workdays.is_workday(day) == (day.weekday() < 5)
    assert workdays.is_provisional(day)
    later = workdays.add_workdays(day, n)
    assert later.weekday() < 5 and workdays.workdays_between(day, later) == n
    assert workdays.any_provisional(day, later)


@FEW
@given(a=any_day, span=st.integers(-800, 800))
def test_working_days_between_is_antisymmetric_and_bounded(a, span):
    b = a + timedelta(days=span)
    n = workdays.workdays_between(a, b)
    assert n == -workdays.workdays_between(b, a)
    assert abs(n) <= abs((b - a).days)
