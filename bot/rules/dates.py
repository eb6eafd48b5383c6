"""Dates as people type them, and calendar arithmetic as the Civil Code counts it.

Accepted: "hôm nay" / "hom nay" / "today", "hôm qua" / "yesterday", "hôm kia", "dd/mm",
"dd/mm/yyyy", "d/m/yy" (also with "-" or "."), and ISO "yyyy-mm-dd".
"""

from __future__ import annotations

import calendar
import re
from datetime import date, timedelta
from enum import Enum

from bot.textnorm import fold

_RELATIVE = {
    "hom nay": 0, "today": 0, "nay": 0,
    "hom qua": 1, "yesterday": 1, "qua": 1,
    "hom kia": 2,
}
_DMY = re.compile(r"^(\d{1,2})\s*[/.\-]\s*(\d{1,2})(?:\s*[/.\-]\s*(\d{2}|\d{4}))?$")
_ISO = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")


class DateProblem(str, Enum):
    UNREADABLE = "unreadable"
    IMPOSSIBLE = "impossible"  # 31/02
    IN_FUTURE = "in_future"  # later than the question allows
    IN_PAST = "in_past"  # earlier than the question allows
    NEEDS_YEAR = "needs_year"


def add_months(start: date, months: int) -> date:
    """The corresponding day ``months`` later, or the last day of that month (BLDS 2015 Điều 148)."""
    index = start.year * 12 + start.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    last = calendar.monthrange(year, month)[1]
    return date(year, month, min(start.day, last))


def add_years(start: date, years: int) -> date:
    return add_months(start, 12 * years)


def parse_date(text: str, today: date, *, earliest: date | None = None, latest: date | None = None,
               year_required: bool = False, past_only: bool = False) -> date | DateProblem:
    """Read a date a question allows between ``earliest`` and ``latest`` (``past_only``: up to today).

    "dd/mm" without a year is the nearest such day to today that the question allows — the last one
    for a past contact, the next one for an appointment — and only when that is closer than the
    same day on the wrong side of today: "5/12" typed on 01/12 for a past contact is in the future,
    not a year ago; "30/12" typed on 05/01 is last December."""
    if past_only:
        latest = today if latest is None else min(latest, today)
    folded = fold(text).strip(" .")
    if folded in _RELATIVE:
        result = today - timedelta(days=_RELATIVE[folded])
        return _within(result, earliest, latest)
    iso = _ISO.match(folded)
    if iso:
        y, m, d = (int(g) for g in iso.groups())
        year_text = iso.group(1)
    else:
        match = _DMY.match(folded)
        if not match:
            return DateProblem.UNREADABLE
        d, m = int(match.group(1)), int(match.group(2))
        year_text = match.group(3)
        if year_text is None:
            if year_required:
                return DateProblem.NEEDS_YEAR
            return _nearest(d, m, today, earliest, latest)
        if len(year_text) == 2:
            y = 2000 + int(year_text)
            if y > today.year + 10:
                y -= 100
        else:
            y = int(year_text)
    try:
        result = date(y, m, d)
    except ValueError:
        return DateProblem.IMPOSSIBLE
    return _within(result, earliest, latest)


def _within(day: date, earliest: date | None, latest: date | None) -> date | DateProblem:
    if latest is not None and day > latest:
        return DateProblem.IN_FUTURE
    if earliest is not None and day < earliest:
        return DateProblem.IN_PAST
    return day


def _nearest(d: int, m: int, today: date, earliest: date | None, latest: date | None) -> date | DateProblem:
    """Day ``d`` of month ``m`` in the year nearest to today, if the question allows it there."""
    try:
        date(today.year, m, d)
    except ValueError:  # 31/04, or 29/02 in a year without it
        return DateProblem.IMPOSSIBLE
    candidates = []
    for year in (today.year - 1, today.year, today.year + 1):
        try:
            candidates.append(date(year, m, d))
        except ValueError:
            continue
    if not candidates:
        return DateProblem.IMPOSSIBLE
    nearest = min(candidates, key=lambda day: (abs((day - today).days), day))
    return _within(nearest, earliest, latest)


_TERM_PART = re.compile(r"(\d{1,3})\s*(nam|years?|y|thang|months?|m)?\b")


def parse_term(text: str) -> int | None:
    """A penalty term in months: "2 năm 6 tháng", "2 nam", "30 thang", "18", "2 years 6 months"."""
    folded = fold(text)
    if not folded or not re.fullmatch(r"[\d\s]+(nam|years?|y|thang|months?|m)?([\s\d]+(thang|months?|m))?\s*", folded):
        return None
    months = 0
    for number, unit in _TERM_PART.findall(folded):
        value = int(number)
        months += value * 12 if unit in ("nam", "year", "years", "y") else value
    return months if 0 < months <= 12 * 30 else None
