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
    IN_FUTURE = "in_future"
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


def parse_date(text: str, today: date, *, past_only: bool = False, year_required: bool = False) -> date | DateProblem:
    """Read a date; ``past_only`` refuses future dates and reads "dd/mm" as the last such day."""
    folded = fold(text).strip(" .")
    if folded in _RELATIVE:
        return today - timedelta(days=_RELATIVE[folded])
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
            y = today.year
        elif len(year_text) == 2:
            y = 2000 + int(year_text)
            if y > today.year + 10:
                y -= 100
        else:
            y = int(year_text)
    try:
        result = date(y, m, d)
    except ValueError:
        return DateProblem.IMPOSSIBLE
    if past_only and result > today:
        if year_text is None:  # "30/12" typed on 05/01 means last year's
            try:
                result = date(y - 1, m, d)
            except ValueError:
                return DateProblem.IMPOSSIBLE
        if result > today:
            return DateProblem.IN_FUTURE
    return result


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
