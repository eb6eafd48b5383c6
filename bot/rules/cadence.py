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

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from enum import Enum
from functools import lru_cache

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


def _period_start(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1
    index -= index % months
    return date(index // 12, index % 12 + 1, 1)


def due(rule: Rule, *, enrolled_on: date, contacts: Iterable[date], today: date, closed_on: date | None = None) -> Due:
    past = sorted(d for d in contacts if d <= today)
    last = past[-1] if past else None
    if closed_on is not None and closed_on <= today:
        return Due(DueState.CLOSED, None, None, last)
    if rule.kind == "interval":
        base = max(last, enrolled_on) if last else enrolled_on
        deadline = add_months(base, rule.months)
        opens = deadline - timedelta(days=rule.days - 1)
        if today < opens:
            return Due(DueState.OK, opens, deadline, last)
        return Due(DueState.DUE if today <= deadline else DueState.OVERDUE, opens, deadline, last)

    first = _period_start(enrolled_on, rule.months)
    if first < enrolled_on:
        first = add_months(first, rule.months)
    if today < first:
        return Due(DueState.OK, first, first + timedelta(days=rule.days - 1), last)
    start = _period_start(today, rule.months)
    end = start + timedelta(days=rule.days - 1)
    if last is not None and last >= start:
        following = add_months(start, rule.months)
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


def deadlines(rule: Rule, *, enrolled_on: date, contacts: list[date], start: date, end: date, today: date,
              closed_on: date | None = None) -> list[tuple[date, str]]:
    """Every contact deadline of the rule that falls in [start, end], with its outcome:
    "on_time" (a contact in its window), "late" (a contact after it, before the next period),
    "missed", or "open" (not passed yet). ``contacts`` sorted ascending."""
    stop = min(end, closed_on - timedelta(days=1) if closed_on else end)
    out: list[tuple[date, str]] = []
    if rule.kind == "window":
        period = _period_start(enrolled_on, rule.months)
        if period < enrolled_on:
            period = add_months(period, rule.months)
        index = 0
        while period <= stop:
            deadline = period + timedelta(days=rule.days - 1)
            following = add_months(period, rule.months)
            while index < len(contacts) and contacts[index] < period:
                index += 1
            if deadline >= start and deadline <= stop:
                first = contacts[index] if index < len(contacts) else None
                if first is not None and first <= deadline:
                    outcome = "on_time"
                elif today <= deadline:
                    outcome = "open"
                elif first is not None and first < following:
                    outcome = "late"
                else:
                    outcome = "missed"
                out.append((deadline, outcome))
            period = following
        return out
    base, index = enrolled_on, 0
    for _ in range(1000):
        deadline = add_months(base, rule.months)
        if deadline > stop:
            break
        while index < len(contacts) and contacts[index] <= base:
            index += 1
        first = contacts[index] if index < len(contacts) else None
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
