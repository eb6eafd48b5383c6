"""The pure rules: dates as typed, month arithmetic, and when a contact is due."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.rules.cadence import DueState, due, parse_rule
from bot.rules.dates import DateProblem, add_months, parse_date

TODAY = date(2026, 11, 22)


@pytest.mark.parametrize(
    "typed, expected",
    [
        ("hôm nay", TODAY), ("hom nay", TODAY), ("Hôm qua", date(2026, 11, 21)), ("hom kia", date(2026, 11, 20)),
        ("today", TODAY), ("yesterday", date(2026, 11, 21)),
        ("20/11", date(2026, 11, 20)), ("5/3/2026", date(2026, 3, 5)), ("05-03-26", date(2026, 3, 5)),
        ("1.2.1985", date(1985, 2, 1)), ("15/3/85", date(1985, 3, 15)), ("2026-11-01", date(2026, 11, 1)),
    ],
)
def test_dates_as_people_type_them(typed, expected):
    assert parse_date(typed, TODAY) == expected


def test_no_future_dates_where_only_the_past_makes_sense():
    assert parse_date("23/11/2026", TODAY, past_only=True) is DateProblem.IN_FUTURE
    assert parse_date("30/12", date(2027, 1, 5), past_only=True) == date(2026, 12, 30)  # last year's
    assert parse_date("ngày mai", TODAY) is DateProblem.UNREADABLE
    assert parse_date("31/02/2026", TODAY) is DateProblem.IMPOSSIBLE
    assert parse_date("12/05", TODAY, year_required=True) is DateProblem.NEEDS_YEAR


@pytest.mark.parametrize(
    "start, months, expected",
    [
        (date(2026, 1, 31), 1, date(2026, 2, 28)),  # no 31 February: the month's last day
        (date(2024, 1, 31), 1, date(2024, 2, 29)),  # leap year
        (date(2024, 2, 29), 12, date(2025, 2, 28)),
        (date(2024, 2, 29), 48, date(2028, 2, 29)),
        (date(2026, 11, 30), 3, date(2027, 2, 28)),
        (date(2026, 5, 15), -6, date(2025, 11, 15)),
    ],
)
def test_month_arithmetic_follows_the_civil_code(start, months, expected):
    assert add_months(start, months) == expected


MONTHLY = parse_rule("window:1:5")
QUARTERLY_WINDOW = parse_rule("window:3:5")
EVERY_3_MONTHS = parse_rule("interval:3:14")


def test_monthly_window_due_then_overdue_then_satisfied_by_a_late_contact():
    enrolled = date(2026, 1, 10)
    assert due(MONTHLY, enrolled_on=enrolled, contacts=[], today=date(2026, 3, 3)).state is DueState.DUE
    overdue = due(MONTHLY, enrolled_on=enrolled, contacts=[], today=date(2026, 3, 6))
    assert overdue.state is DueState.OVERDUE and overdue.deadline == date(2026, 3, 5)
    late = due(MONTHLY, enrolled_on=enrolled, contacts=[date(2026, 3, 9)], today=date(2026, 3, 20))
    assert late.state is DueState.OK and (late.window_start, late.deadline) == (date(2026, 4, 1), date(2026, 4, 5))


def test_a_contact_last_month_does_not_cover_this_month():
    result = due(MONTHLY, enrolled_on=date(2026, 1, 1), contacts=[date(2026, 2, 27)], today=date(2026, 3, 2))
    assert result.state is DueState.DUE and result.last_contact == date(2026, 2, 27)


def test_enrolled_mid_month_is_first_due_next_month():
    result = due(MONTHLY, enrolled_on=date(2026, 3, 3), contacts=[], today=date(2026, 3, 10))
    assert result.state is DueState.OK and result.deadline == date(2026, 4, 5)
    on_the_first = due(MONTHLY, enrolled_on=date(2026, 3, 1), contacts=[], today=date(2026, 3, 6))
    assert on_the_first.state is DueState.OVERDUE


def test_a_window_over_a_year_end_and_in_february():
    assert due(MONTHLY, enrolled_on=date(2025, 6, 1), contacts=[date(2025, 12, 2)],
               today=date(2025, 12, 31)).deadline == date(2026, 1, 5)
    four_weeks = parse_rule("window:1:28")
    assert due(four_weeks, enrolled_on=date(2023, 6, 1), contacts=[], today=date(2024, 2, 28)).state is DueState.DUE
    leap_day = due(four_weeks, enrolled_on=date(2023, 6, 1), contacts=[], today=date(2024, 2, 29))
    assert leap_day.state is DueState.OVERDUE and leap_day.deadline == date(2024, 2, 28)


def test_quarterly_windows_are_anchored_to_calendar_quarters():
    result = due(QUARTERLY_WINDOW, enrolled_on=date(2026, 1, 1), contacts=[date(2026, 4, 2)], today=date(2026, 5, 20))
    assert (result.state, result.window_start) == (DueState.OK, date(2026, 7, 1))
    assert due(QUARTERLY_WINDOW, enrolled_on=date(2026, 1, 1), contacts=[], today=date(2026, 5, 20)).state is DueState.OVERDUE


def test_every_three_months_from_the_last_contact_with_month_ends():
    opens_later = due(EVERY_3_MONTHS, enrolled_on=date(2025, 6, 1), contacts=[date(2025, 11, 30)], today=date(2026, 2, 1))
    assert opens_later.state is DueState.OK
    assert (opens_later.window_start, opens_later.deadline) == (date(2026, 2, 15), date(2026, 2, 28))
    assert due(EVERY_3_MONTHS, enrolled_on=date(2025, 6, 1), contacts=[date(2025, 11, 30)],
               today=date(2026, 2, 28)).state is DueState.DUE
    assert due(EVERY_3_MONTHS, enrolled_on=date(2025, 6, 1), contacts=[date(2025, 11, 30)],
               today=date(2026, 3, 1)).state is DueState.OVERDUE
    never = due(EVERY_3_MONTHS, enrolled_on=date(2026, 8, 31), contacts=[], today=date(2026, 11, 22))
    assert never.deadline == date(2026, 11, 30) and never.state is DueState.DUE


def test_future_contacts_are_ignored_and_a_closed_record_is_never_due():
    assert due(MONTHLY, enrolled_on=date(2026, 1, 1), contacts=[date(2026, 12, 1)],
               today=date(2026, 11, 10)).state is DueState.OVERDUE
    closed = due(MONTHLY, enrolled_on=date(2026, 1, 1), contacts=[], today=date(2026, 11, 10), closed_on=date(2026, 11, 1))
    assert closed.state is DueState.CLOSED


@pytest.mark.parametrize("bad", ["window:0:5", "weekly:1:1", "window:1:40", "interval:3", "x"])
def test_malformed_rules_are_refused(bad):
    with pytest.raises(ValueError):
        parse_rule(bad)


def test_deadlines_in_a_period_with_their_outcomes():
    from bot.rules.cadence import deadlines

    contacts = [date(2026, 1, 3), date(2026, 2, 20), date(2026, 4, 1)]
    found = deadlines(MONTHLY, enrolled_on=date(2025, 12, 15), contacts=contacts, start=date(2026, 1, 1),
                      end=date(2026, 5, 31), today=date(2026, 5, 3))
    assert found == [(date(2026, 1, 5), "on_time"), (date(2026, 2, 5), "late"), (date(2026, 3, 5), "missed"),
                     (date(2026, 4, 5), "on_time"), (date(2026, 5, 5), "open")]
    every = deadlines(EVERY_3_MONTHS, enrolled_on=date(2025, 11, 30), contacts=[date(2026, 2, 10), date(2026, 6, 1)],
                      start=date(2026, 1, 1), end=date(2026, 12, 31), today=date(2026, 10, 1))
    assert every == [(date(2026, 2, 28), "on_time"), (date(2026, 5, 10), "late"), (date(2026, 9, 1), "missed"),
                     (date(2026, 12, 1), "open")]
    closed = deadlines(MONTHLY, enrolled_on=date(2025, 12, 15), contacts=[], start=date(2026, 1, 1),
                       end=date(2026, 12, 31), today=date(2026, 12, 31), closed_on=date(2026, 3, 1))
    assert [d for d, _ in closed] == [date(2026, 1, 5), date(2026, 2, 5)]


def plain_deadlines(rule, *, enrolled_on, contacts, start, end, today, closed_on=None):
    """The rules of ``deadlines`` walked one period at a time, from enrolment: the oracle for the
    fast version reports use."""
    from bot.rules.cadence import _period_start

    stop = min(end, closed_on - timedelta(days=1) if closed_on else end)
    out = []
    if rule.kind == "window":
        period = _period_start(enrolled_on, rule.months)
        if period < enrolled_on:
            period = add_months(period, rule.months)
        while period <= stop:
            deadline = period + timedelta(days=rule.days - 1)
            following = add_months(period, rule.months)
            in_period = [c for c in contacts if period <= c]
            first = in_period[0] if in_period else None
            if start <= deadline <= stop:
                if first is not None and first <= deadline:
                    out.append((deadline, "on_time"))
                elif today <= deadline:
                    out.append((deadline, "open"))
                elif first is not None and first < following:
                    out.append((deadline, "late"))
                else:
                    out.append((deadline, "missed"))
            period = following
        return out
    base = enrolled_on
    while (deadline := add_months(base, rule.months)) <= stop:
        after = [c for c in contacts if c > base]
        first = after[0] if after else None
        if first is not None and first <= deadline:
            outcome, base = "on_time", first
        elif today <= deadline:
            outcome, base = "open", deadline
        elif first is not None:
            outcome, base = "late", first
        else:
            outcome, base = "missed", deadline
        if deadline >= start:
            out.append((deadline, outcome))
    return out


days_in = st.dates(min_value=date(2023, 1, 1), max_value=date(2027, 12, 31))


@settings(max_examples=300, deadline=None)
@given(rule=st.sampled_from(["window:1:5", "window:3:20", "window:2:1", "window:1:28", "interval:3:14", "interval:1:7",
                             "interval:6:30"]),
       enrolled_on=days_in, contacts=st.lists(days_in, max_size=25), start=days_in, length=st.integers(0, 800),
       today=days_in, closed_after=st.one_of(st.none(), st.integers(0, 1200)))
def test_the_fast_deadlines_agree_with_walking_every_period(rule, enrolled_on, contacts, start, length, today,
                                                            closed_after):
    from bot.rules.cadence import deadlines

    contacts = sorted(contacts)  # two check-ins on one day happen
    end = start + timedelta(days=length)
    closed_on = enrolled_on + timedelta(days=closed_after) if closed_after is not None else None
    args = dict(enrolled_on=enrolled_on, contacts=contacts, start=start, end=end, today=today, closed_on=closed_on)
    assert deadlines(parse_rule(rule), **args) == plain_deadlines(parse_rule(rule), **args)


@pytest.mark.parametrize("typed, today, bounds, expected", [
    ("5/12", date(2026, 12, 1), "past", DateProblem.IN_FUTURE),   # not 05/12/2025
    ("30/12", date(2027, 1, 5), "past", date(2026, 12, 30)),      # last December
    ("28/11", date(2026, 12, 1), "past", date(2026, 11, 28)),
    ("5/1", date(2026, 12, 20), "future", date(2027, 1, 5)),      # an appointment: next January
    ("25/11", date(2026, 12, 1), "future", DateProblem.IN_PAST),  # not 25/11/2027
    ("29/2", date(2027, 3, 1), "past", DateProblem.IMPOSSIBLE),  # 2027 has no 29/02
    ("29/2", date(2028, 3, 1), "past", date(2028, 2, 29)),
    ("hôm qua", date(2026, 12, 1), "future", DateProblem.IN_PAST),
])
def test_a_day_without_a_year_is_the_nearest_one_the_question_allows(typed, today, bounds, expected):
    limits = {"past": {"latest": today}, "future": {"earliest": today}}[bounds]
    assert parse_date(typed, today, **limits) == expected
