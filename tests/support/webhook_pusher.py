"""How the real platforms deliver to a webhook: one event at a time, in order, retried until the bot
answers 200 (a bot that is down or answers an error gets the same event again later)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable

import httpx


class WebhookPusher:
    def __init__(self, url: str, headers: dict[str, str], next_event: Callable[[], Awaitable[dict]],
                 delivered: Callable[[dict], None], retry_every: float = 0.2) -> None:
        self.url, self.headers = url, headers
        self.next_event, self.delivered = next_event, delivered
        self.retry_every = retry_every
        self.attempts = 0
        self._task = asyncio.create_task(self._run())

    async def _run(self) -> None:
        async with httpx.AsyncClient(timeout=10.0) as client:
            while True:
                event = await self.next_event()
                while True:
                    self.attempts += 1
                    try:
                        response = await client.post(self.url, content=json.dumps(event).encode(),
                                                     headers={"Content-Type": "application/json", **self.headers})
                        if response.status_code == 200:
                            break
                    except httpx.TransportError:
                        pass
                    await asyncio.sleep(self.retry_every)
                self.delivered(event)

    async def stop(self) -> None:
        self._task.cancel()
        await asyncio.gather(self._task, return_exceptions=True)
