"""Long polling into the inbox. A batch is stored first; only then does the next ``getUpdates``
move the offset (which tells Telegram the batch arrived). Handling runs beside, in the dispatcher,
so one person's slow turn never holds up the next batch."""

from __future__ import annotations

import asyncio
import logging
import warnings

from telegram.error import Conflict, NetworkError, RetryAfter, TimedOut
from telegram.warnings import PTBUserWarning

from bot.aio import Stopped, unless_stopped
from handlers.app import parse
from handlers.events import ALLOWED_UPDATES

log = logging.getLogger(__name__)

# getUpdates is called through do_api_request to get the raw JSON; PTB suggests its typed method.
warnings.filterwarnings("ignore", message=r"Please use 'Bot\.getUpdates'", category=PTBUserWarning)


async def poll(bot, dispatcher, stop: asyncio.Event, *, timeout: int = 25) -> None:
    await bot.delete_webhook(drop_pending_updates=False)
    offset: int | None = None
    backoff = 1.0
    while not stop.is_set():
        try:
            # Raw JSON, so that one update PTB cannot parse is skipped instead of failing the batch.
            batch = await unless_stopped(bot.do_api_request(
                "getUpdates", api_kwargs={"offset": offset, "timeout": timeout, "allowed_updates": ALLOWED_UPDATES},
                read_timeout=timeout + 10), stop)
            backoff = 1.0
        except Stopped:
            break
        except RetryAfter as error:
            retry = error.retry_after
            await _sleep(stop, retry.total_seconds() if hasattr(retry, "total_seconds") else float(retry))
            continue
        except (TimedOut, NetworkError, Conflict) as error:
            log.warning("getUpdates failed (%s); retrying in %.0f s", type(error).__name__, backoff)
            await _sleep(stop, backoff)
            backoff = min(backoff * 2, 60.0)
            continue
        updates = [u for u in batch or [] if isinstance(u, dict) and isinstance(u.get("update_id"), int)]
        events = [e for e in (parse(u, bot) for u in updates) if e is not None]
        try:
            await dispatcher.receive(events)
        except Exception as error:  # the database is unavailable: do not confirm, ask again shortly
            log.error("could not store received updates: %s", type(error).__name__)
            await _sleep(stop, backoff)
            backoff = min(backoff * 2, 60.0)
            continue
        if updates:
            offset = max(u["update_id"] for u in updates) + 1


async def _sleep(stop: asyncio.Event, seconds: float) -> None:
    try:
        await asyncio.wait_for(stop.wait(), seconds)
    except asyncio.TimeoutError:
        pass
