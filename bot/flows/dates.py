"""The one way a question asks for a date: what it accepts, and why it refuses a date in its own
words (a check-in records what happened; an appointment is to come; a record closes on a day
that has come…). "dd/mm" without a year is read as the nearest such day the question allows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from bot.dialog.types import Stay
from bot.i18n import _
from bot.rules.dates import DateProblem, parse_date


@dataclass(frozen=True)
class DateQuestion:
    """``when``: "past" (today or before), "future" (today or later), "after_today", or "any".
    ``refused``: what to say about a date on the wrong side of today (a message id, translated
    when said)."""

    when: str = "any"
    year_required: bool = False
    refused: str | None = None

    def read(self, text: str, today: date) -> date | Stay:
        earliest = {"future": today, "after_today": today + timedelta(days=1)}.get(self.when)
        latest = today if self.when == "past" else None
        day = parse_date(text, today, earliest=earliest, latest=latest, year_required=self.year_required)
        if isinstance(day, DateProblem):
            return Stay(self.problem(day))
        return day

    def problem(self, problem: DateProblem) -> str:
        if problem in (DateProblem.IN_FUTURE, DateProblem.IN_PAST):
            if self.refused:
                return _(self.refused)
            if problem is DateProblem.IN_FUTURE:
                return _("That date is in the future. Please type a date that has passed.")
            return _("That date has passed. Please type a date from today on.")
        if problem is DateProblem.IMPOSSIBLE:
            return _("That date does not exist. Please check the day and the month.")
        if problem is DateProblem.NEEDS_YEAR:
            return _("Please include the year, for example 15/03/1985.")
        return _("Please type a date like 20/11 or 20/11/2026, or “hôm nay”, “hôm qua”.")
