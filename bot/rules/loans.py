"""Who can borrow under Quyết định 22/2023/QĐ-TTg (NHCSXH loans for people who completed a prison term).

Điều 3 khoản 2 điểm a: at most 5 years from completing the sentence to the loan; on the
commune's list (drawn up by commune police, confirmed by the commune People's Committee, Mẫu số
01). Điều 3 khoản 3: no outstanding NHCSXH debt for the same purpose. Điều 6: the amounts.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from bot.rules.dates import add_years

WINDOW_YEARS = 5


@dataclass(frozen=True)
class LoanCheck:
    verdict: str  # "eligible" | "not_eligible" | "check" (depends on something the person must confirm)
    problems: tuple[str, ...]  # "window_passed", "outstanding_debt", "not_on_list", "list_unknown", "no_certificate"
    last_day: date | None  # the last day a loan can be made (5 years after completion)


def check(*, completed_on: date | None, today: date, on_list: bool | None, outstanding_same_purpose: bool) -> LoanCheck:
    problems = []
    last_day = add_years(completed_on, WINDOW_YEARS) if completed_on else None
    if completed_on is None:
        problems.append("no_certificate")
    elif today > last_day:
        problems.append("window_passed")
    if outstanding_same_purpose:
        problems.append("outstanding_debt")
    if on_list is False:
        problems.append("not_on_list")
    elif on_list is None:
        problems.append("list_unknown")
    hard = {"window_passed", "outstanding_debt", "no_certificate"}
    if hard & set(problems):
        verdict = "not_eligible"
    elif problems:
        verdict = "check"
    else:
        verdict = "eligible"
    return LoanCheck(verdict, tuple(problems), last_day)
