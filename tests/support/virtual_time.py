"""Time a test drives: ``sleep`` moves ``now`` forward at once, so pacing is checked exactly and
never depends on how fast the machine is."""

from __future__ import annotations

import asyncio


class VirtualTime:
    def __init__(self) -> None:
        self.t = 0.0

    def now(self) -> float:
        return self.t

    async def sleep(self, seconds: float) -> None:
        self.t += max(seconds, 0.0)
        await asyncio.sleep(0)  # let other tasks run, as a real sleep would
