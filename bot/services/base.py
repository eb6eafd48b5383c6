"""What every service shares: the database, the clock and the time zone people live in."""

from __future__ import annotations

from datetime import date

from bot.clock import local_today


class Service:
    def __init__(self, db, clock, tz) -> None:
        self.db = db
        self.clock = clock
        self.tz = tz

    def today(self) -> date:
        """Today in the people's time zone (Vietnam)."""
        return local_today(self.clock, self.tz)
