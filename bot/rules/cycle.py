"""The supervision cycle's rules under Luật THAHS 127/2025/QH15 and Nghị định 231/2026 (and, where
the fact sheet marks a value UNCONFIRMED, the 2019 law's value from ``cycle_rules.toml``, shown
labelled): working days across Vietnamese public holidays, the grade proposed from a month's
facts, the breach threshold, the half of the probation, the absence limits. Pure functions over
dates; nothing here decides for an authority or a court."""

from __future__ import annotations

import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache
from importlib import resources

import holidays

from bot.models import Category
from bot.rules.dates import add_months

GRADES = ("good", "fair", "average", "poor")  # Tốt, Khá, Trung bình, Kém (NĐ 231 Điều 8 khoản 3)
REVIEW_WITHIN_WORKING_DAYS = 5  # NĐ 231 Điều 9: kiểm điểm within 5 working days of the breach record
THRESHOLD = 2  # BLHS Điều 65 khoản 5, Điều 66 khoản 4: "02 lần trở lên"


@lru_cache(maxsize=None)
def table() -> dict:
    return tomllib.loads(resources.files("bot.rules").joinpath("cycle_rules.toml").read_text(encoding="utf-8"))


@lru_cache(maxsize=64)
def _public_holidays(year: int) -> frozenset[date]:
    """Vietnam's public holidays of ``year`` (Tết, 30/4, 1/5, 2/9… and the substitute days), from
    the ``holidays`` library."""
    return frozenset(holidays.country_holidays("VN", years=year))


def is_working_day(day: date, days_off: Iterable[date] = ()) -> bool:
    """Monday to Friday, not a public holiday, not a day off the commune added."""
    return day.weekday() < 5 and day not in _public_holidays(day.year) and day not in set(days_off)


def working_days_after(start: date, count: int, days_off: Iterable[date] = ()) -> date:
    """The ``count``-th working day after ``start`` (``start`` itself not counted)."""
    extra = set(days_off)
    day, left = start, count
    while left > 0:
        day += timedelta(days=1)
        if is_working_day(day, extra):
            left -= 1
    return day


def review_due(breach_on: date, days_off: Iterable[date] = ()) -> date:
    """The last day for the review meeting (kiểm điểm) after a breach record or fine (NĐ 231 Điều 9)."""
    return working_days_after(breach_on, REVIEW_WITHIN_WORKING_DAYS, days_off)


# ---- breaches ---------------------------------------------------------------------------------

def threshold_reached(category: Category, intentional_breaches: int, fines: int) -> bool:
    """Two or more intentional breaches (conditional release: or two or more administrative fines):
    the court *may* order the prison term served, or cancel the release."""
    if category is Category.PAROLE:
        return intentional_breaches >= THRESHOLD or fines >= THRESHOLD
    if category in (Category.SUSPENDED, Category.NON_CUSTODIAL):
        return intentional_breaches >= THRESHOLD
    return False


def threshold_basis(category: Category) -> str:
    return {Category.PAROLE: "BLHS 2015 Điều 66 khoản 4", Category.SUSPENDED: "BLHS 2015 Điều 65 khoản 5",
            Category.NON_CUSTODIAL: "Luật THAHS 2019 Điều 105 (quy định cũ)"}.get(category, "")


# ---- the monthly grade ------------------------------------------------------------------------

@dataclass(frozen=True)
class MonthFacts:
    """What happened in one month for one person (first and last months may be partial)."""
    first_day: date  # of the part of the month under supervision
    last_day: date
    breaches: int = 0  # breach records (biên bản vi phạm nghĩa vụ)
    fines: int = 0  # administrative sanctions
    refused_supervision: bool = False
    report_due: bool = True
    report_received: bool = False
    report_accepted: bool = False
    roll_call_done: bool = True
    contacts: int = 0
    working: bool = False  # the report says work or study
    commended: bool = False
    reasons: tuple[str, ...] = field(default=())


def partial(facts: MonthFacts) -> bool:
    month_start = facts.first_day.replace(day=1)
    month_end = add_months(month_start, 1) - timedelta(days=1)
    return facts.first_day > month_start or facts.last_day < month_end


def propose_grade(facts: MonthFacts) -> tuple[str, tuple[str, ...]]:
    """A proposal for the officer, with its reasons (codes the catalog words): NĐ 231 Điều 8
    khoản 3 makes a breach record, an administrative sanction or not complying with supervision
    "Kém"; lawful but passive, or short of an obligation, "Trung bình"; the officer decides."""
    reasons: list[str] = ["partial_month"] if partial(facts) else []
    if facts.breaches:
        return "poor", (*reasons, "breach_record")
    if facts.fines:
        return "poor", (*reasons, "administrative_fine")
    if facts.refused_supervision:
        return "poor", (*reasons, "refused_supervision")
    if facts.report_due and not facts.report_received:
        return "average", (*reasons, "no_report")
    if facts.report_received and not facts.report_accepted:
        return "average", (*reasons, "report_not_accepted")
    if not facts.roll_call_done:
        return "average", (*reasons, "no_roll_call")
    if facts.working or facts.commended:
        return "good", (*reasons, "complied", "commended" if facts.commended else "working")
    return "fair", (*reasons, "complied")


# ---- shortening the probation ----------------------------------------------------------------

def half_of_probation(start: date, end: date) -> date:
    """The day half of the probation has passed (BLHS Điều 65 khoản 4, Điều 66 khoản 5), counted
    in months as BLDS Điều 147–148 count them (a month ends on the same day number, or the month's
    last day; half a month is 15 days, Điều 145 khoản 2 — an odd number of months leaves one)."""
    months = (end.year - start.year) * 12 + end.month - start.month
    if add_months(start, months) != end:  # not a whole number of months: half of the days
        return start + timedelta(days=((end - start).days + 1) // 2)
    half = add_months(start, months // 2)
    return half + timedelta(days=15) if months % 2 else half


def may_be_proposed_from(category: Category, start: date | None, end: date | None) -> date | None:
    if category not in (Category.SUSPENDED, Category.PAROLE) or start is None or end is None:
        return None
    return half_of_probation(start, end)


# ---- absences ----------------------------------------------------------------------------------

def absence_limits(category: Category, term_start: date, term_end: date) -> tuple[int | None, int]:
    """(days allowed per absence, days allowed in total) under the values of ``cycle_rules.toml``
    (the 2019 law's, UNCONFIRMED under the 2025 law)."""
    rules = table()["absence"]
    per = rules["per_absence_days"].get(category.value)
    numerator, denominator = rules["total_share_of_term"]
    total = ((term_end - term_start).days + 1) * numerator // denominator
    return per, total


def absence_days(first: date, last: date) -> int:
    return (last - first).days + 1
