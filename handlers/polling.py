"""Long polling that confirms an update only after it has been handled and persisted.

PTB's ``Updater`` asks for the next batch (which confirms the previous one to Telegram) while the
previous batch is still being processed, so a killed process can lose an update it had fetched.
Here each update is processed to the end (``persist_now`` included) before the next
``getUpdates`` moves the offset: after a crash Telegram redelivers what was not finished, and the
seen-updates log drops what was.
"""

from __future__ import annotations

import asyncio
import logging

from telegram import Update

from bot.aio import Stopped, unless_stopped
from telegram.error import Conflict, NetworkError, RetryAfter, TimedOut

log = logging.getLogger(__name__)


async def poll(application, stop: asyncio.Event, *, timeout: int = 25) -> None:
    bot = application.bot
    await bot.delete_webhook(drop_pending_updates=False)
    offset: int | None = None
    backoff = 1.0
    while not stop.is_set():
        try:
            updates = await unless_stopped(bot.get_updates(
                offset=offset, timeout=timeout, allowed_updates=Update.ALL_TYPES, read_timeout=timeout + 10), stop)
            backoff = 1.0
        except Stopped:
            break
        except RetryAfter as error:
            await _sleep(stop, float(error.retry_after if isinstance(error.retry_after, (int, float)) else 5))
            continue
        except (TimedOut, NetworkError, Conflict) as error:
            log.warning("getUpdates failed (%s); retrying in %.0f s", type(error).__name__, backoff)
            await _sleep(stop, backoff)
            backoff = min(backoff * 2, 60.0)
            continue
        for update in updates:
            await application.process_update(update)
            offset = update.update_id + 1


async def _sleep(stop: asyncio.Event, seconds: float) -> None:
    try:
        await asyncio.wait_for(stop.wait(), seconds)
    except asyncio.TimeoutError:
        pass
