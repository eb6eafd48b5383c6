"""Exactly-once handling of incoming updates across crashes (messengers redeliver after restarts)."""

from __future__ import annotations

from bot.clock import Clock
from bot.storage.db import Database
from bot.storage.repos import SeenUpdates


class SeenUpdatesLog:
    def __init__(self, db: Database, clock: Clock) -> None:
        self.db = db
        self.clock = clock
        self._marked = 0

    async def seen(self, messenger: str, update_id: str) -> bool:
        async with self.db.reading() as conn:
            return await SeenUpdates.seen(conn, messenger, update_id)

    async def mark(self, messenger: str, update_id: str) -> None:
        async with self.db.transaction() as tx:
            await SeenUpdates.mark(tx, messenger, update_id, self.clock.now())
            self._marked += 1
            if self._marked % 500 == 0:
                await SeenUpdates.prune(tx, messenger)
