"""A flooding sender is slowed down: more than ``burst`` messages within ``window`` seconds and
the rest of their messages are dropped for ``pause`` seconds (told once), so others are not slowed."""

from __future__ import annotations

import time
from collections import deque


class FloodGuard:
    def __init__(self, burst: int = 30, window: float = 10.0, pause: float = 30.0) -> None:
        self.burst = burst
        self.window = window
        self.pause = pause
        self._recent: dict[str, deque] = {}
        self._paused_until: dict[str, float] = {}

    def check(self, sender: str, now: float | None = None) -> str:
        """"ok", "warn" (the first message over the limit: tell them once) or "drop"."""
        now = time.monotonic() if now is None else now
        if self._paused_until.get(sender, 0.0) > now:
            return "drop"
        recent = self._recent.setdefault(sender, deque())
        while recent and now - recent[0] > self.window:
            recent.popleft()
        recent.append(now)
        if len(recent) > self.burst:
            self._paused_until[sender] = now + self.pause
            recent.clear()
            return "warn"
        if len(self._recent) > 50_000:  # forget quiet senders
            self._recent = {k: v for k, v in self._recent.items() if v and now - v[-1] < self.window}
        return "ok"
