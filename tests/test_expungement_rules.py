"""BLHS 2015 (amended 2017) Điều 69–73 and 107, limb by limb, and the CLI contract."""

from __future__ import annotations

import json
from datetime import date

import pytest

from bot.rules.expungement import Case, InvalidCase, Status, assess, from_json
from tests.test_cli import hoanhap


def case(**overrides) -> Case:
    base = dict(age_at_offence=30, offence_chapter="ordinary", offence_category="serious", intent="intentional",
                penalty="prison", prison_months=36, main_penalty_completed_on=date(2024, 3, 10))
    base.update(overrides)
    return Case(**base)


# Điều 69 khoản 2 and Điều 107 khoản 1: no record at all.
@pytest.mark.parametrize("overrides, basis", [
    (dict(penalty="exempted", prison_months=None), "BLHS 2015 Điều 69 khoản 2"),
    (dict(intent="unintentional", offence_category="less_serious"), "BLHS 2015 Điều 69 khoản 2"),
    (dict(intent="unintentional", offence_category="serious"), "BLHS 2015 Điều 69 khoản 2"),
    (dict(age_at_offence=15, offence_category="especially_serious"), "BLHS 2015 Điều 107 khoản 1 điểm a"),
    (dict(age_at_offence=17, offence_category="less_serious"), "BLHS 2015 Điều 107 khoản 1 điểm b"),
    (dict(age_at_offence=17, offence_category="serious"), "BLHS 2015 Điều 107 khoản 1 điểm b"),
    (dict(age_at_offence=16, offence_category="very_serious", intent="unintentional"), "BLHS 2015 Điều 107 khoản 1 điểm b"),
])
def test_no_criminal_record(overrides, basis):
    result = assess(case(**overrides))
    assert (result.status, result.date, result.basis) == (Status.NO_RECORD, None, basis)


def test_an_unintentional_very_serious_crime_by_an_adult_still_leaves_a_record():
    assert assess(case(intent="unintentional", offence_category="very_serious")).status is Status.AUTOMATIC


# Điều 70 khoản 2: automatic, 1 / 2 / 3 / 5 years.
@pytest.mark.parametrize("penalty, months, expected, limb", [
    ("warning", None, date(2025, 3, 10), "a"),
    ("fine", None, date(2025, 3, 10), "a"),
    ("non_custodial_reform", None, date(2025, 3, 10), "a"),
    ("suspended", 36, date(2025, 3, 10), "a"),
    ("prison", 60, date(2026, 3, 10), "b"),
    ("prison", 61, date(2027, 3, 10), "c"),
    ("prison", 180, date(2027, 3, 10), "c"),
    ("prison", 181, date(2029, 3, 10), "d"),
    ("life", None, date(2029, 3, 10), "d"),
    ("death_commuted", None, date(2029, 3, 10), "d"),
])
def test_automatic_expungement_periods(penalty, months, expected, limb):
    result = assess(case(penalty=penalty, prison_months=months))
    assert (result.status, result.date, result.basis) == (Status.AUTOMATIC, expected, f"BLHS 2015 Điều 70 khoản 2 điểm {limb}")


def test_a_longer_supplementary_penalty_or_unpaid_decisions_push_the_date():
    later = assess(case(supplementary_completed_on=date(2027, 1, 1)))
    assert (later.date, later.basis, later.decided_by) == (date(2027, 1, 1), "BLHS 2015 Điều 70 khoản 2", "supplementary")
    fees = assess(case(other_decisions_completed_on=date(2026, 9, 1)))
    assert (fees.date, fees.decided_by) == (date(2026, 9, 1), "other_decisions")
    earlier = assess(case(supplementary_completed_on=date(2025, 1, 1)))
    assert earlier.date == date(2026, 3, 10)


# Điều 71: the court decides for Chương XIII and XXVI; the date is the first day to apply.
@pytest.mark.parametrize("chapter", ["national_security", "war_crimes"])
@pytest.mark.parametrize("penalty, months, expected, limb, unconfirmed", [
    ("suspended", 24, date(2025, 3, 11), "a", False),
    ("prison", 48, date(2027, 3, 11), "b", True),
    ("prison", 120, date(2029, 3, 11), "c", True),
    ("life", None, date(2031, 3, 11), "d", False),
])
def test_court_decision_for_national_security_and_war_crimes(chapter, penalty, months, expected, limb, unconfirmed):
    result = assess(case(offence_chapter=chapter, penalty=penalty, prison_months=months))
    assert (result.status, result.date, result.basis) == (Status.COURT_DECISION, expected,
                                                          f"BLHS 2015 Điều 71 khoản 2 điểm {limb}")
    assert result.unconfirmed is unconfirmed


# Điều 107 khoản 2: offenders aged 16 to under 18, intentional very serious or especially serious.
@pytest.mark.parametrize("penalty, months, expected, limb", [
    ("suspended", 24, date(2024, 9, 10), "a"),  # 6 months
    ("prison", 60, date(2025, 3, 10), "b"),
    ("prison", 100, date(2026, 3, 10), "c"),
    ("prison", 200, date(2027, 3, 10), "d"),
])
def test_minors_periods(penalty, months, expected, limb):
    result = assess(case(age_at_offence=17, offence_category="very_serious", penalty=penalty, prison_months=months))
    assert (result.status, result.date, result.basis) == (Status.AUTOMATIC, expected,
                                                          f"BLHS 2015 Điều 107 khoản 2 điểm {limb}")


# Điều 73 khoản 2: a new conviction restarts the old period; a pending case blocks the calculation.
def test_a_pending_new_case_means_no_date_yet():
    result = assess(case(new_conviction_pending=True))
    assert (result.status, result.date, result.basis) == (Status.PENDING, None, "BLHS 2015 Điều 73 khoản 2")


def test_a_later_conviction_restarts_the_period_from_the_new_sentence():
    new = case(penalty="prison", prison_months=12, main_penalty_completed_on=date(2025, 6, 30))
    result = assess(case(new_conviction=new))
    # old: 2 years from 30/06/2025; new: 2 years from 30/06/2025
    assert (result.status, result.date, result.basis) == (Status.AUTOMATIC, date(2027, 6, 30), "BLHS 2015 Điều 73 khoản 2")
    longer = assess(case(penalty="prison", prison_months=200, new_conviction=case(
        penalty="fine", prison_months=None, main_penalty_completed_on=date(2025, 1, 31))))
    assert longer.date == date(2030, 1, 31)  # the old 5-year period, counted again from 31/01/2025


def test_with_a_national_security_conviction_the_court_decides_for_all():
    new = case(offence_chapter="national_security", prison_months=24, main_penalty_completed_on=date(2025, 6, 30))
    result = assess(case(new_conviction=new))
    assert result.status is Status.COURT_DECISION and result.basis == "BLHS 2015 Điều 73 khoản 2 và khoản 3"
    assert result.date == date(2028, 7, 1)  # Điều 71 khoản 2 điểm b: 3 years, then the first day to apply


# BLDS 2015 Điều 147-148: periods end on the corresponding day, or the month's last day.
@pytest.mark.parametrize("completed, penalty, months, expected", [
    (date(2024, 2, 29), "prison", 24, date(2026, 2, 28)),  # 29 February → 28 February
    (date(2023, 8, 31), "suspended", 12, date(2024, 8, 31)),
    (date(2025, 8, 31), "suspended", 12, date(2026, 8, 31)),
    (date(2024, 2, 29), "fine", None, date(2025, 2, 28)),
    (date(2027, 2, 28), "fine", None, date(2028, 2, 28)),
    (date(2025, 12, 31), "prison", 12, date(2027, 12, 31)),
])
def test_period_arithmetic_at_month_ends_and_29_february(completed, penalty, months, expected):
    assert assess(case(penalty=penalty, prison_months=months, main_penalty_completed_on=completed)).date == expected


def test_minor_six_months_from_31_august_ends_on_28_february():
    result = assess(case(age_at_offence=17, offence_category="especially_serious", penalty="fine", prison_months=None,
                         main_penalty_completed_on=date(2025, 8, 31)))
    assert result.date == date(2026, 2, 28)


@pytest.mark.parametrize("data, message", [
    ([], "one JSON object"),
    ({"offence_chapter": "ordinary"}, "age_at_offence is required"),
    ({**json.loads('{"age_at_offence": 30, "offence_chapter": "ordinary", "offence_category": "serious", '
                   '"intent": "intentional", "penalty": "prison", "main_penalty_completed_on": "2024-03-10"}')},
     "prison_months"),
    ({"age_at_offence": 12, "offence_chapter": "ordinary", "offence_category": "serious", "intent": "intentional",
      "penalty": "fine", "main_penalty_completed_on": "2024-03-10"}, "age_at_offence"),
    ({"age_at_offence": 30, "offence_chapter": "treason", "offence_category": "serious", "intent": "intentional",
      "penalty": "fine", "main_penalty_completed_on": "2024-03-10"}, "offence_chapter"),
    ({"age_at_offence": 30, "offence_chapter": "ordinary", "offence_category": "serious", "intent": "intentional",
      "penalty": "fine", "main_penalty_completed_on": "10/03/2024"}, "YYYY-MM-DD"),
    ({"age_at_offence": 30, "offence_chapter": "ordinary", "offence_category": "serious", "intent": "intentional",
      "penalty": "suspended", "prison_months": 48, "main_penalty_completed_on": "2024-03-10"}, "3 years"),
    ({"age_at_offence": 30, "offence_chapter": "ordinary", "offence_category": "serious", "intent": "intentional",
      "penalty": "fine", "main_penalty_completed_on": "2024-03-10", "new_conviction": {"pending": False}},
     "new_conviction"),
    ({"age_at_offence": "30", "offence_chapter": "ordinary", "offence_category": "serious", "intent": "intentional",
      "penalty": "fine", "main_penalty_completed_on": "2024-03-10"}, "whole number"),
])
def test_invalid_input_is_refused_with_the_field_named(data, message):
    with pytest.raises(InvalidCase, match=message):
        from_json(data)


def test_the_cli_reads_one_case_and_prints_one_result(env, tmp_path):
    payload = {"age_at_offence": 25, "offence_chapter": "ordinary", "offence_category": "serious",
               "intent": "intentional", "penalty": "prison", "prison_months": 30,
               "main_penalty_completed_on": "2024-03-10",
               "new_conviction": {"age_at_offence": 27, "offence_chapter": "ordinary", "offence_category": "serious",
                                  "intent": "intentional", "penalty": "fine",
                                  "main_penalty_completed_on": "2025-01-15"}}
    done = hoanhap("expungement", "--json", env=env, cwd=tmp_path, stdin=json.dumps(payload))
    result = json.loads(done.stdout)
    assert done.returncode == 0
    assert (result["status"], result["date"], result["basis"]) == ("automatic", "2027-01-15", "BLHS 2015 Điều 73 khoản 2")
    assert result["explanation"].startswith("Theo tính toán sơ bộ")

    done = hoanhap("expungement", "--json", "--lang", "en", env=env, cwd=tmp_path,
                   stdin=json.dumps({**payload, "new_conviction": {"pending": True}}))
    assert json.loads(done.stdout)["status"] == "pending" and json.loads(done.stdout)["date"] is None
    assert json.loads(done.stdout)["explanation"].startswith("Preliminary calculation")

    for bad in ("not json", json.dumps({**payload, "penalty": "caning"})):
        done = hoanhap("expungement", "--json", env=env, cwd=tmp_path, stdin=bad)
        assert done.returncode == 2 and done.stdout == "" and "hoanhap:" in done.stderr


def test_the_readme_documents_every_value_the_json_case_accepts():
    from pathlib import Path

    from bot.rules import expungement as rules

    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    table = readme[readme.index("| `age_at_offence` |"):readme.index("| `new_conviction` |")]
    for value in (*rules.PENALTIES, *rules.CATEGORIES, *rules.CHAPTERS, *rules.INTENTS):
        assert f"`{value}`" in table, value


def test_the_cli_asks_only_for_what_the_case_needs(env, tmp_path):
    """An exempted person has no penalty to complete: no completion date is asked for."""
    case = {"age_at_offence": 30, "offence_chapter": "ordinary", "offence_category": "serious",
            "intent": "intentional", "penalty": "exempted"}
    done = hoanhap("expungement", "--json", env=env, cwd=tmp_path, stdin=json.dumps(case))
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["status"] == "no_record"
    minor = {**case, "penalty": "prison", "prison_months": 12, "age_at_offence": 15}
    assert json.loads(hoanhap("expungement", "--json", env=env, cwd=tmp_path,
                              stdin=json.dumps(minor)).stdout)["status"] == "no_record"

    needed = {**case, "penalty": "fine"}
    done = hoanhap("expungement", "--json", env=env, cwd=tmp_path, stdin=json.dumps(needed))
    assert done.returncode == 2 and "main_penalty_completed_on is required" in done.stderr
