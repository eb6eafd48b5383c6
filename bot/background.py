"""The background work of a running bot: a periodic tick (APScheduler, Vietnam time) that derives
what is due from the database, and the sender that drains the outbox within the messengers'
limits. The jobs are one-line calls into services, so a restart loses nothing: the next tick
finds in the database whatever fell due meanwhile."""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime

from apscheduler.schedulers.asyncio import AsyncIOScheduler

log = logging.getLogger(__name__)


class Background:
    def __init__(self, services, tick_seconds: float = 30.0, extra=None) -> None:
        self.services = services
        self.extra = extra  # more housekeeping at each tick (the inbox's)
        self.tick_seconds = tick_seconds
        self._stop = asyncio.Event()
        self._sender: asyncio.Task | None = None
        self.scheduler: AsyncIOScheduler | None = None
        self._ticking: asyncio.Task | None = None

    async def tick(self) -> None:
        """Queue what is due, escalate or reopen alerts, wake the sender."""
        self._ticking = asyncio.current_task()
        try:
            await self._tick()
        finally:
            self._ticking = None

    async def _tick(self) -> None:
        try:
            queued = await self.services.reminders.tick()
            await self.services.privacy.anonymise_due()
            swept = await self.services.alerting.sweep()
            if self.extra is not None:
                await self.extra()
            if queued or any(swept.values()):
                log.info("tick queued %s; alerts %s", dict(queued), swept)
        except Exception:
            log.exception("the reminder tick failed; it runs again at the next interval")
        await self.services.notifier.kick()

    def start(self) -> None:
        tz = self.services.settings.timezone
        self.scheduler = AsyncIOScheduler(timezone=tz)
        # First run now (not after one interval); never two at once; a late run is not skipped.
        self.scheduler.add_job(self.tick, "interval", seconds=self.tick_seconds, next_run_time=datetime.now(tz),
                               max_instances=1, coalesce=True, misfire_grace_time=None, id="tick")
        self.scheduler.start()
        self._sender = asyncio.create_task(self.services.notifier.run(self._stop), name="outbox-sender")

    async def stop(self) -> None:
        if self.scheduler is not None:
            self.scheduler.shutdown(wait=False)
        if self._ticking is not None:  # a tick under way finishes (it is short) rather than being cut off
            await asyncio.wait({self._ticking}, timeout=30)
        self._stop.set()
        if self._sender is not None:
            await self._sender
