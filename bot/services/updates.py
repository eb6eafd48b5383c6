"""Exactly-once handling of incoming updates across crashes (messengers redeliver after restarts)."""

from __future__ import annotations

from bot.clock import Clock
from bot.storage.db import Database
from bot.storage.repos import SeenUpdates


class SeenUpdatesLog:
    RECENT = 20_000  # ids handled by this process, kept in memory (then the database answers)

    def __init__(self, db: Database, clock: Clock) -> None:
        self.db = db
        self.clock = clock
        self._marked = 0
        self._high: dict[str, int | None] = {}  # the highest id stored when this process first looked
        self._recent: dict[str, set[int]] = {}  # ids this process handled
        self._floor: dict[str, int] = {}  # ids at or below this were forgotten by _recent

    async def seen(self, messenger: str, update_id: str, *, increasing: bool = False) -> bool:
        """``increasing``: the messenger numbers its updates in increasing order (Telegram). Then an id
        above the highest one stored before this process started, and not handled by this process,
        is new — no database read for the usual case."""
        if increasing and update_id.isdigit():
            number = int(update_id)
            recent = self._recent.get(messenger, ())
            if number in recent:
                return True
            if messenger not in self._high:
                async with self.db.reading() as conn:
                    self._high[messenger] = await SeenUpdates.highest(conn, messenger)
            high = self._high[messenger]
            if number > max(high or 0, self._floor.get(messenger, 0)):
                return False
        async with self.db.reading() as conn:
            return await SeenUpdates.seen(conn, messenger, update_id)

    def handled(self, messenger: str, update_id: str) -> None:
        """Remember an id this process stored as handled (by ``mark`` or with a turn)."""
        if not update_id.isdigit():
            return
        recent = self._recent.setdefault(messenger, set())
        recent.add(int(update_id))
        if len(recent) > self.RECENT:
            keep = sorted(recent)[self.RECENT // 2:]
            self._floor[messenger] = keep[0] - 1
            self._recent[messenger] = set(keep)

    async def mark(self, messenger: str, update_id: str) -> None:
        async with self.db.transaction() as tx:
            await SeenUpdates.mark(tx, messenger, update_id, self.clock.now())
        await self.stored_with_turn(messenger, update_id)

    async def stored_with_turn(self, messenger: str, update_id: str) -> None:
        """The id is stored (by ``mark``, or with the turn by ``PtbStore.save_turn``): remember it,
        and prune the stored ones now and then."""
        self.handled(messenger, update_id)
        self._marked += 1
        if self._marked % 500 == 0:
            async with self.db.transaction() as tx:
                await SeenUpdates.prune(tx, messenger)
