"""The supervision cycle's rules, written from legal-facts-2026.md §1: working days across Tết and
30/4–1/5, the grade proposed from a month's facts, the threshold of two, half the probation with
the month-end rules of BLDS Điều 147–148, and the absence limits (labelled data)."""

from __future__ import annotations

from datetime import date

import pytest

from bot.models import Category
from bot.rules import cycle


@pytest.mark.parametrize("breach, due", [
    (date(2026, 12, 1), date(2026, 12, 8)),    # Tuesday: Wed–Fri, Mon, Tue
    (date(2026, 2, 12), date(2026, 2, 26)),    # before Tết 2026 (16–20/02 off): 13/02, then 23–26/02
    (date(2026, 4, 28), date(2026, 5, 7)),     # 30/4 and 1/5 are public holidays
    (date(2026, 8, 28), date(2026, 9, 9)),     # Friday; 31/8 (substitute day), 1/9 and 2/9 off: 3, 4, 7, 8, 9/9
    (date(2027, 2, 3), date(2027, 2, 17)),     # Tết 2027: 04–10/02 off
])
def test_the_review_falls_within_five_working_days_across_public_holidays(breach, due):
    assert cycle.review_due(breach) == due


def test_a_day_off_the_commune_adds_moves_the_review_too():
    assert cycle.review_due(date(2026, 12, 1), days_off=[date(2026, 12, 4)]) == date(2026, 12, 9)


@pytest.mark.parametrize("category, breaches, fines, reached", [
    (Category.SUSPENDED, 1, 0, False), (Category.SUSPENDED, 2, 0, True), (Category.SUSPENDED, 1, 5, False),
    (Category.PAROLE, 1, 1, False), (Category.PAROLE, 0, 2, True), (Category.PAROLE, 2, 0, True),
    (Category.NON_CUSTODIAL, 2, 0, True), (Category.RELEASED, 3, 3, False),
])
def test_the_threshold_of_two(category, breaches, fines, reached):
    assert cycle.threshold_reached(category, breaches, fines) is reached


MONTH = dict(first_day=date(2026, 11, 1), last_day=date(2026, 11, 30))


@pytest.mark.parametrize("facts, grade, reason", [
    (dict(breaches=1, report_received=True, report_accepted=True, working=True), "poor", "breach_record"),
    (dict(fines=1, report_received=True, report_accepted=True), "poor", "administrative_fine"),
    (dict(refused_supervision=True), "poor", "refused_supervision"),
    (dict(report_received=False), "average", "no_report"),
    (dict(report_received=True, report_accepted=False), "average", "report_not_accepted"),
    (dict(report_received=True, report_accepted=True, roll_call_done=False), "average", "no_roll_call"),
    (dict(report_received=True, report_accepted=True), "fair", "complied"),
    (dict(report_received=True, report_accepted=True, working=True), "good", "working"),
])
def test_the_grade_proposed_from_the_months_facts(facts, grade, reason):
    proposed, reasons = cycle.propose_grade(cycle.MonthFacts(**MONTH, **facts))
    assert proposed == grade and reason in reasons


def test_a_partial_first_month_is_said():
    _grade, reasons = cycle.propose_grade(cycle.MonthFacts(date(2026, 11, 17), date(2026, 11, 30), report_due=False))
    assert reasons[0] == "partial_month"


@pytest.mark.parametrize("start, end, half", [
    (date(2026, 1, 10), date(2028, 1, 10), date(2027, 1, 10)),   # 24 months: 12
    (date(2026, 1, 10), date(2027, 4, 10), date(2026, 8, 25)),   # 15 months: 7 months and 15 days
    (date(2025, 8, 31), date(2026, 2, 28), date(2025, 11, 30)),  # 6 months from the 31st: the month's last day
    (date(2026, 3, 5), date(2026, 3, 25), date(2026, 3, 15)),    # not whole months: half of the days
])
def test_half_of_the_probation_with_the_month_end_rules(start, end, half):
    assert cycle.half_of_probation(start, end) == half


def test_absence_limits_are_data_and_the_total_is_a_third_of_the_term():
    per, total = cycle.absence_limits(Category.SUSPENDED, date(2026, 1, 1), date(2026, 12, 31))
    assert (per, total) == (60, 121)  # 365 days / 3, rounded down
    per, _total = cycle.absence_limits(Category.NON_CUSTODIAL, date(2026, 1, 1), date(2026, 12, 31))
    assert per == 30
    assert cycle.table()["absence"]["confirmed"] is False  # shown as needing confirmation
