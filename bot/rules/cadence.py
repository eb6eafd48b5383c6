"""When is a person's next contact due? One pure function, in local (Vietnam) dates.

Two kinds of rule, written as short strings so they can live in a table and a data file:

- ``window:M:D`` — every M calendar months, within the first D days of the period (periods are
  anchored to the calendar: for M = 3, January, April, July, October). ``window:1:5`` is the
  monthly assessment within the first five days of each month (Thông tư 65/2019/TT-BCA).
- ``interval:M:D`` — M months after the last contact (or the enrolment), the window opening D
  days before that deadline. ``interval:3:14`` is "every three months" for returnees.

A contact anywhere in a window period satisfies that period (a late one counts, and is late).
A person enrolled after a period has begun is first due in the next period. A closed record is
never due.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from enum import Enum
from functools import lru_cache
from typing import NamedTuple

from bot.rules.dates import add_months


class DueState(str, Enum):
    OK = "ok"  # nothing to do yet; ``window_start`` is when the next window opens
    DUE = "due"  # the window is open; contact by ``deadline``
    OVERDUE = "overdue"  # the deadline has passed without a contact
    CLOSED = "closed"


@dataclass(frozen=True)
class Rule:
    kind: str  # "window" | "interval"
    months: int
    days: int

    def __str__(self) -> str:
        return f"{self.kind}:{self.months}:{self.days}"


@lru_cache(maxsize=256)
def parse_rule(text: str) -> Rule:
    try:
        kind, months, days = text.strip().split(":")
        rule = Rule(kind, int(months), int(days))
    except ValueError:
        raise ValueError(f"not a cadence rule: {text!r} (write window:M:D or interval:M:D)") from None
    if kind not in ("window", "interval") or not 1 <= rule.months <= 24 or not 1 <= rule.days <= 366:
        raise ValueError(f"not a cadence rule: {text!r}")
    if kind == "window" and rule.days > 28 * rule.months:
        raise ValueError(f"the window is longer than the period: {text!r}")
    return rule


def rule_for(own: str | None, category_rule: str) -> Rule:
    """A person's own rule when police set one, else their category's."""
    return parse_rule(own or category_rule)


@dataclass(frozen=True)
class Due:
    state: DueState
    window_start: date | None
    deadline: date | None
    last_contact: date | None

    @property
    def sort_key(self) -> tuple:
        """Overdue first (oldest deadline first), then due, then the rest by next window."""
        order = {DueState.OVERDUE: 0, DueState.DUE: 1, DueState.OK: 2, DueState.CLOSED: 3}
        return (order[self.state], self.deadline or date.max)


@lru_cache(maxsize=16384)
def _period_start(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1
    index -= index % months
    return date(index // 12, index % 12 + 1, 1)


@lru_cache(maxsize=16384)
def _first_period(enrolled_on: date, months: int) -> date:
    """A person enrolled after a period has begun is first due in the next period."""
    first = _period_start(enrolled_on, months)
    return first if first >= enrolled_on else add_months(first, months)


_add_months = lru_cache(maxsize=65536)(add_months)  # the tick and reports meet the same dates again and again


def due(rule: Rule, *, enrolled_on: date, contacts: Iterable[date], today: date, closed_on: date | None = None) -> Due:
    last = None
    for day in contacts:
        if day <= today and (last is None or day > last):
            last = day
    if closed_on is not None and closed_on <= today:
        return Due(DueState.CLOSED, None, None, last)
    if rule.kind == "interval":
        base = max(last, enrolled_on) if last else enrolled_on
        deadline = _add_months(base, rule.months)
        opens = deadline - timedelta(days=rule.days - 1)
        if today < opens:
            return Due(DueState.OK, opens, deadline, last)
        return Due(DueState.DUE if today <= deadline else DueState.OVERDUE, opens, deadline, last)

    first = _first_period(enrolled_on, rule.months)
    if today < first:
        return Due(DueState.OK, first, first + timedelta(days=rule.days - 1), last)
    start = _period_start(today, rule.months)
    end = start + timedelta(days=rule.days - 1)
    if last is not None and last >= start:
        following = _add_months(start, rule.months)
        return Due(DueState.OK, following, following + timedelta(days=rule.days - 1), last)
    return Due(DueState.DUE if today <= end else DueState.OVERDUE, start, end, last)


def next_change(rule: Rule, current: Due, today: date, grace_days: int) -> date | None:
    """The first day after ``today`` on which, with no new contact or edit, the reminders about this
    person move on a stage: the window opens, its last day, the deadline passes, the grace before an
    alert ends, the next period begins. None when nothing will change by itself."""
    if current.state is DueState.OK:
        return current.window_start
    if current.state is DueState.DUE:
        last_day = current.deadline - timedelta(days=1)
        return last_day if today < last_day else current.deadline + timedelta(days=1)
    if current.state is DueState.OVERDUE:
        changes = []
        alert_day = current.deadline + timedelta(days=grace_days)
        if today < alert_day:
            changes.append(alert_day)
        if rule.kind == "window":
            changes.append(add_months(current.window_start, rule.months))
        return min(changes) if changes else None
    return None


class _Period(NamedTuple):
    index: int  # months since year 0 of the period's first day
    deadline: date
    on_time: tuple[date, str]  # the answers, built once and shared by everyone
    late: tuple[date, str]
    missed: tuple[date, str]
    open: tuple[date, str]


@lru_cache(maxsize=1024)
def _window_plan(months: int, days: int, first: date, start: date, stop: date, today: date
                 ) -> tuple[tuple[_Period, ...], tuple[tuple[date, str], ...]]:
    """Every window period from ``first`` whose deadline falls in [start, stop], and each one's
    answer when no contact came. Shared by everyone enrolled before the report starts."""
    out = []
    period = first
    while period <= stop:
        deadline = period + timedelta(days=days - 1)
        if start <= deadline <= stop:
            out.append(_Period(period.year * 12 + period.month - 1, deadline, (deadline, "on_time"), (deadline, "late"),
                               (deadline, "missed"), (deadline, "open")))
        period = add_months(period, months)
    return tuple(out), tuple(p.open if today <= p.deadline else p.missed for p in out)


def deadlines(rule: Rule, *, enrolled_on: date, contacts: list[date], start: date, end: date, today: date,
              closed_on: date | None = None) -> list[tuple[date, str]]:
    """Every contact deadline of the rule that falls in [start, end], with its outcome:
    "on_time" (a contact in its window), "late" (a contact after it, before the next period),
    "missed", or "open" (not passed yet). ``contacts`` sorted ascending.

    Reports call this for every person of the province, so it works by bisection over the contacts
    (tests hold it to a plain step-by-step version of the same rules)."""
    stop = min(end, closed_on - timedelta(days=1) if closed_on else end)
    out: list[tuple[date, str]] = []
    count = len(contacts)
    if rule.kind == "window":
        # A deadline lies inside its own period: periods before the one containing start are skipped.
        first = max(_first_period(enrolled_on, rule.months), _period_start(start, rule.months))
        periods, answers = _window_plan(rule.months, rule.days, first, start, stop, today)
        if not periods:
            return out
        # Start from every period's answer without a contact, then walk the contacts once: the first
        # contact of a period decides it.
        out = list(answers)
        base, months, n_periods = periods[0].index, rule.months, len(periods)
        previous = -1
        for contact in contacts[bisect_left(contacts, date(base // 12, base % 12 + 1, 1)):]:
            slot = (contact.year * 12 + contact.month - 1 - base) // months
            if slot >= n_periods:
                break
            if slot != previous:
                previous = slot
                period = periods[slot]
                if contact <= period.deadline:
                    out[slot] = period.on_time
                elif today > period.deadline:
                    out[slot] = period.late
        return out
    base, index, months = enrolled_on, 0, rule.months
    # Each contact after enrolment becomes the base in turn while deadlines are past (on time or
    # late). So skip straight to the last contact whose deadline passed before both the report's
    # start and today: nothing before it is reported, and the walk from it is the same.
    limit = min(start, today)
    skip = bisect_left(contacts, True, key=lambda day: _add_months(day, months) >= limit) - 1
    if skip >= 0 and contacts[skip] > enrolled_on:
        base, index = contacts[skip], skip
    while True:
        deadline = _add_months(base, months)
        if deadline > stop:
            return out
        index = bisect_right(contacts, base, index)
        contact = contacts[index] if index < count else None
        if contact is not None and contact <= deadline:
            outcome, base = "on_time", contact
        elif today <= deadline:
            outcome, base = "open", deadline
        elif contact is not None:
            outcome, base = "late", contact
        else:
            outcome, base = "missed", deadline
        if deadline >= start:
            out.append((deadline, outcome))
