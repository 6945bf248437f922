"""China's working-day calendar (the facts the reminders issue names)."""
from datetime import date

from tracker.services.calendar.workdays import add_workdays, effective_due, is_provisional, is_workday, workdays_between


def test_national_day_2024_holidays_and_make_up_days():
    assert not any(is_workday(date(2024, 10, d)) for d in range(1, 8))
    assert is_workday(date(2024, 9, 29))    # Sunday, make-up working day
    assert is_workday(date(2024, 10, 12))   # Saturday, make-up working day
    assert not is_workday(date(2024, 10, 13))


def test_three_working_days_after_2026_09_30():
    assert add_workdays(date(2026, 9, 30), 3) == date(2026, 10, 10)


def test_due_date_on_a_day_off_moves_to_the_next_working_day():
    assert effective_due(date(2024, 10, 1)) == date(2024, 10, 8)
    assert effective_due(date(2024, 10, 8)) == date(2024, 10, 8)


def test_unknown_year_falls_back_to_weekdays_and_is_provisional():
    day = date(2031, 10, 1)  # a Wednesday, surely a holiday once the schedule exists
    assert is_provisional(day)
    assert is_workday(day)
    assert not is_workday(date(2031, 10, 4))  # Saturday
    assert not is_provisional(date(2024, 10, 1))


def test_workdays_between_counts_both_ways():
    assert workdays_between(date(2024, 9, 30), date(2024, 10, 8)) == 1
    assert workdays_between(date(2024, 10, 8), date(2024, 9, 30)) == -1
    assert workdays_between(date(2026, 11, 25), date(2026, 11, 25)) == 0
