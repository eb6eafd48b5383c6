"""Time: one clock for the whole bot, Vietnam time for everything a person sees."""

from __future__ import annotations

from datetime import date, datetime, timezone
from typing import Protocol
from zoneinfo import ZoneInfo

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")


class Clock(Protocol):
    def now(self) -> datetime: ...


class SystemClock:
    """The real clock; always returns an aware UTC datetime."""

    def now(self) -> datetime:
        return datetime.now(timezone.utc)


class FixedClock:
    """A clock tests can set and move."""

    def __init__(self, at: datetime) -> None:
        self._at = at.astimezone(timezone.utc)

    def now(self) -> datetime:
        return self._at

    def advance(self, **delta: float) -> None:
        from datetime import timedelta

        self._at += timedelta(**delta)


def local_today(clock: Clock, tz: ZoneInfo = VIETNAM) -> date:
    """Today's date where people live (Vietnam), by ``clock``."""
    return clock.now().astimezone(tz).date()


def to_db(moment: datetime) -> str:
    """Store instants as ISO 8601 UTC text, which sorts correctly in SQLite."""
    return moment.astimezone(timezone.utc).isoformat(timespec="seconds")


def from_db(text: str) -> datetime:
    return datetime.fromisoformat(text)


def format_date(day: date | datetime, tz: ZoneInfo = VIETNAM) -> str:
    """dd/mm/yyyy, in Vietnam time for instants."""
    if isinstance(day, datetime):
        day = day.astimezone(tz).date()
    return day.strftime("%d/%m/%Y")


def format_datetime(moment: datetime, tz: ZoneInfo = VIETNAM) -> str:
    """HH:MM dd/mm/yyyy in Vietnam time."""
    return moment.astimezone(tz).strftime("%H:%M %d/%m/%Y")
