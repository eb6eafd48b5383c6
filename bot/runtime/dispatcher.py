"""Run the inbox: different chats at the same time (bounded), one chat strictly in order.

Each chat has a queue; a chat's queue is drained by one task, so its events are handled one at a
time in the order they were accepted. A semaphore bounds how many chats are handled at once. A
person who sends a hundred messages takes one slot, never all of them.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Awaitable, Callable

from bot.runtime.events import Inbound
from bot.runtime.pipeline import Pipeline
from bot.storage.inbox import Inbox

log = logging.getLogger(__name__)

Job = Callable[[], Awaitable[object]]


class Dispatcher:
    def __init__(self, pipeline: Pipeline, concurrency: int = 16) -> None:
        self.pipeline = pipeline
        self.concurrency = concurrency
        self._slots = asyncio.Semaphore(concurrency)
        self._queues: dict[str, deque[Job]] = {}
        self._tasks: set[asyncio.Task] = set()
        self._idle = asyncio.Event()
        self._idle.set()

    async def receive(self, events: list[Inbound]) -> int:
        """Store ``events`` in the inbox (one transaction) and queue the new ones. When this returns,
        the platform may be told they arrived. Returns how many were new."""
        fresh = await self.pipeline.accept(events)
        for row_id, event in fresh:
            self.submit(event.order_key, lambda row_id=row_id, event=event: self.pipeline.handle(row_id, event))
        return len(fresh)

    async def recover(self) -> int:
        """At start: what a stopped process left in the inbox is handled (or answered) now, in order."""
        async with self.pipeline.services.db.reading() as conn:
            rows = await Inbox.unfinished(conn)
        for row in rows:
            if row.payload is not None:
                event = Inbound.from_json(row.payload)
                self.submit(row.chat_key, lambda row_id=row.id, event=event: self.pipeline.handle(row_id, event))
            else:  # handled before the crash: its replies may not have gone out
                self.submit(row.chat_key, lambda row=row: self.pipeline.redeliver(
                    row.id, row.channel, row.chat_key, row.replies or []))
        if rows:
            log.info("%s events left by a stopped process are being finished", len(rows))
        return len(rows)

    def submit(self, key: str, job: Job) -> None:
        queue = self._queues.get(key)
        if queue is None:
            queue = self._queues[key] = deque()
            task = asyncio.create_task(self._drain(key, queue), name=f"chat:{key}")
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
            self._idle.clear()
        queue.append(job)

    async def _drain(self, key: str, queue: deque[Job]) -> None:
        try:
            while queue:
                async with self._slots:
                    try:
                        await queue[0]()
                    except Exception as error:  # the pipeline answers failures itself; this is a bug in it
                        log.error("an event could not be handled: %s", type(error).__name__)
                queue.popleft()
        finally:
            del self._queues[key]
            if not self._queues:
                self._idle.set()

    @property
    def pending(self) -> int:
        return sum(len(q) for q in self._queues.values())

    async def drained(self) -> None:
        """Wait until every queued event was handled and its replies delivered."""
        await self._idle.wait()
        await self.pipeline.delivered()

    async def stop(self) -> None:
        """Finish what is being handled; what is still queued stays in the inbox for the next start."""
        for queue in self._queues.values():
            while len(queue) > 1:
                queue.pop()
        await asyncio.gather(*list(self._tasks), return_exceptions=True)
        await self.pipeline.delivered()
