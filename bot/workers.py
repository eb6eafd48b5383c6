"""CPU-heavy work (a province's report, its spreadsheet and chart) away from the event loop.

By default it runs in one worker process, started on first use and kept: a thread would still
share the interpreter lock with the loop, and every person's turn would wait for it in 5 ms
slices. ``HOANHAP_HEAVY_WORK=thread`` runs it in a thread instead (one process to watch, more
interference). The function and its arguments must be picklable; the language in use travels
with the call.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from typing import TypeVar

from bot.i18n import current_locale, use_locale

T = TypeVar("T")

MODE = os.environ.get("HOANHAP_HEAVY_WORK", "process")
_pool: ProcessPoolExecutor | None = None


def _pool_for_heavy_work() -> ProcessPoolExecutor:
    global _pool
    if _pool is None:  # "spawn": a fork of a process with running threads (aiosqlite's) is unsafe
        _pool = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn"))
    return _pool


def _in_locale(locale: str, function: Callable[..., T], *args) -> T:
    with use_locale(locale):
        return function(*args)


async def run_heavy(function: Callable[..., T], *args) -> T:
    """``function(*args)`` in the worker process (or a thread), in the caller's language."""
    if MODE == "thread":
        return await asyncio.to_thread(function, *args)
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(_pool_for_heavy_work(), _in_locale, current_locale(), function, *args)
