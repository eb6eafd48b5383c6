"""Quiet hours: no message at night except urgent alerts to police (when the commune allows it)."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo


def parse_hhmm(text: str) -> time:
    hours, minutes = text.split(":")
    return time(int(hours), int(minutes))


def in_quiet_hours(local: datetime, start: time, end: time) -> bool:
    now = local.time()
    if start == end:
        return False
    if start < end:
        return start <= now < end
    return now >= start or now < end  # the window crosses midnight (21:00-07:00)


def next_allowed(moment: datetime, tz: ZoneInfo, start: str = "21:00", end: str = "07:00") -> datetime:
    """``moment`` itself, or the end of the quiet hours it falls in (as an aware datetime)."""
    local = moment.astimezone(tz)
    quiet_start, quiet_end = parse_hhmm(start), parse_hhmm(end)
    if not in_quiet_hours(local, quiet_start, quiet_end):
        return moment
    morning = local.replace(hour=quiet_end.hour, minute=quiet_end.minute, second=0, microsecond=0)
    if morning <= local:
        morning += timedelta(days=1)
    return morning.astimezone(moment.tzinfo)
