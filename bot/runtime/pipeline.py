"""The one inbound pipeline: every messenger's events take the same road.

    accept:  the event is written to the inbox (idempotent on the platform's id), then the
             platform may be told it arrived (the next offset, a webhook's 200)
    handle:  flood guard → who is writing → their language → route to the conversation →
             the turn committed with the inbox row (state, draft, replies) → replies delivered →
             the row is done

A crash before the commit handles the event again after the restart (its steps' own writes are
idempotent or were committed with their own checks); a crash after it re-sends the replies at most
once. Adapters only translate events (:class:`~bot.runtime.events.Inbound`) and render replies
(:class:`Frontend`).
"""

from __future__ import annotations

import asyncio
import logging
import traceback
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Protocol

from bot.channels.errors import DeliveryError, NotNow, QuotaExhausted, RateLimited, TemporaryFailure, Unreachable
from bot.dialog.types import Reply, StepContext, Turn
from bot.flows import basics
from bot.i18n import use_locale
from bot.models import Messenger
from bot.runtime import router
from bot.runtime.events import BLOCKED, MIGRATED, UNBLOCKED, Inbound, reply_from_json, reply_to_json
from bot.storage.inbox import Inbox
from bot.storage.dialogs import Dialogs
from bot.storage.file_links import FileLinks
from bot.storage.media import Media
from bot.storage.outbox import Outbox
from bot.storage.privacy import DRAFTS_KEPT_DAYS, TEXT_KEPT_DAYS

log = logging.getLogger(__name__)

SEND_TRIES = 3
RESUME_AFTER = timedelta(minutes=10)  # a conversation idle this long across a restart asks its question again


class Frontend(Protocol):
    """A messenger as the pipeline sees it: where replies go, and how a press is acknowledged."""

    messenger: Messenger

    async def send(self, chat_id: str, reply: Reply) -> str | None: ...

    async def acknowledge(self, event: Inbound) -> None:
        """Answer a pressed button (and retire its keyboard); never raises."""

    async def after_turn(self, event: Inbound, before, after) -> None:
        """Anything the messenger shows that depends on who the person is now (e.g. a command menu)."""


class Pipeline:
    def __init__(self, services, sleep: Callable[[float], Awaitable[None]] = asyncio.sleep) -> None:
        self.services = services
        self.frontends: dict[str, Frontend] = {}
        self.sleep = sleep
        self.stats = {"handled": 0, "failed_turns": 0, "undelivered": 0, "dropped_flood": 0}
        self._lanes: dict[str, asyncio.Task] = {}  # per chat: the last delivery queued
        self._resending: set[int] = set()
        self.started_at = services.clock.now()

    def _left_before_restart(self, touched, event: Inbound) -> bool:
        """A conversation last saved before this process started, and long enough ago that the
        person may not remember the question (a quick restart just carries on)."""
        if touched is None or event.button is not None:
            return False
        return touched < self.started_at and self.services.clock.now() - touched >= RESUME_AFTER

    def register(self, frontend: Frontend) -> None:
        self.frontends[frontend.messenger.value] = frontend

    # ---- accept ----------------------------------------------------------------------------

    async def accept(self, events: list[Inbound]) -> list[tuple[int, Inbound]]:
        """Write ``events`` to the inbox in one transaction; the new ones, with their row ids
        (a redelivered event is dropped here)."""
        if not events:
            return []
        now = self.services.clock.now()
        fresh = []
        # One event is one statement (atomic alone); a batch is one transaction.
        store = self.services.db.single_statement() if len(events) == 1 else self.services.db.transaction()
        async with store as conn:
            for event in events:
                row_id = await Inbox.add(conn, event.channel, event.external_id, event.order_key, event.to_json(), now)
                if row_id is not None:
                    fresh.append((row_id, event))
        return fresh

    async def handle_now(self, event: Inbound) -> list[Reply]:
        """Accept and handle at once, replies delivered (the console, tests that feed one event at a time)."""
        fresh = await self.accept([event])
        if not fresh:
            return []
        return await self.handle(*fresh[0], wait=True)

    # ---- handle ----------------------------------------------------------------------------

    async def handle(self, row_id: int, event: Inbound, *, wait: bool = False) -> list[Reply]:
        """One event: the turn computed and committed; its replies queued in the chat's delivery
        lane (``wait``: and delivered). The chat's next event may be handled while these replies
        are still on their way: the lane keeps them in order."""
        services = self.services
        frontend = self.frontends.get(event.channel)
        messenger = Messenger(event.channel)
        if event.kind in (BLOCKED, UNBLOCKED):
            await services.accounts.set_reachable(messenger, event.user_id, event.kind == UNBLOCKED)
            await self._finish(row_id)
            return []
        if event.kind == MIGRATED:
            if event.new_chat_id:
                await services.accounts.move_group(messenger, event.chat_id, event.new_chat_id)
            await self._finish(row_id)
            return []
        actor = await services.accounts.identify(messenger, event.user_id, event.user_id if event.group else event.chat_id)
        if actor.unreachable_here:  # they write again: they can be reached again
            await services.accounts.set_reachable(messenger, event.user_id, True)
        verdict = services.flood.check(f"{event.channel}:{event.user_id}")
        if verdict != "ok":
            self.stats["dropped_flood"] += 1
            with use_locale(actor.locale):
                replies = [basics.slow_down()] if verdict == "warn" else []
            return await self._commit_and_deliver(row_id, event, frontend, replies, None, actor, actor, wait)

        keep_photo = getattr(frontend, "keep_photo", None)
        if event.photo is not None and keep_photo is not None:  # a link that expires: keep a copy now
            event = await keep_photo(event)
        async with services.db.reading() as conn:
            state, draft, touched = await Dialogs.get(conn, event.channel, event.dialog_key)
        ctx = StepContext(services, actor, draft)
        with use_locale(actor.locale):
            try:
                if state and self._left_before_restart(touched, event):
                    # The bot restarted since this question was asked, a while ago: ask it again
                    # rather than take the message as its answer.
                    turn = await router.resume(services.flows, ctx, state, event)
                else:
                    turn = await router.route(services.flows, ctx, state, event)
            except Exception as error:
                self._log_failure(error)
                self.stats["failed_turns"] += 1
                # The conversation stays where it was; what earlier turns confirmed is saved.
                turn = Turn((basics.something_went_wrong(),), state)
                ctx.draft = draft
                keep = None
            else:
                keep = _what_to_keep(turn, ctx)
        return await self._commit_and_deliver(row_id, event, frontend, list(turn.replies), keep, actor, ctx.actor,
                                              wait)

    async def _commit_and_deliver(self, row_id: int, event: Inbound, frontend, replies: list[Reply],
                                  keep: tuple[str | None, dict] | None, before, after, wait: bool) -> list[Reply]:
        services = self.services
        now = services.clock.now()
        # Nothing open and nothing to remember leaves no row (a stranger leaves none behind).
        async with services.db.single_statement() as conn:
            await Inbox.save_turn(conn, row_id=row_id, channel=event.channel, chat_key=event.dialog_key, dialog=keep,
                                  replies=[reply_to_json(r) for r in replies], now=now)
        self.stats["handled"] += 1

        async def deliver_turn() -> None:
            if await self.deliver(frontend, event, replies):
                await self._finish(row_id)
            if frontend is not None and (before.locale != after.locale or before.role != after.role):
                try:
                    await frontend.after_turn(event, before, after)
                except Exception as error:  # a menu that could not be updated must not fail the turn
                    log.warning("after-turn update failed: %s", type(error).__name__)

        delivery = self._in_lane(event.order_key, deliver_turn)
        await services.notifier.kick()  # notices this turn queued (e.g. to a supervisor)
        if wait:
            await delivery
        return replies

    def _in_lane(self, key: str, work: Callable[[], Awaitable[None]]) -> asyncio.Task:
        """Run ``work`` after every delivery queued before it for the same chat (replies stay in order)."""
        previous = self._lanes.get(key)

        async def in_order() -> None:
            if previous is not None:
                await asyncio.gather(previous, return_exceptions=True)
            try:
                await work()
            except Exception as error:  # a bug in delivery must not break the lane
                log.error("a delivery failed: %s", type(error).__name__)

        task = asyncio.create_task(in_order(), name=f"deliver:{key}")
        self._lanes[key] = task
        task.add_done_callback(lambda done: self._lanes.pop(key) if self._lanes.get(key) is done else None)
        return task

    async def delivered(self) -> None:
        """Wait until every queued reply went out (or failed), and its row is marked done."""
        while self._lanes:
            await asyncio.gather(*list(self._lanes.values()), return_exceptions=True)

    async def redeliver(self, row_id: int, event_channel: str, chat_key: str, replies: list[dict]) -> None:
        """Replies of a turn committed before a crash, not known to have been delivered."""
        frontend = self.frontends.get(event_channel)
        chat_id = chat_key.split(":", 1)[1]
        event = Inbound(event_channel, f"redeliver:{row_id}", chat_id, chat_id)

        async def send_again() -> None:
            if await self.deliver(frontend, event, [reply_from_json(r) for r in replies], acknowledge=False):
                await self._finish(row_id)

        if row_id in self._resending:
            return
        self._resending.add(row_id)
        try:
            await self._in_lane(chat_key, send_again)
        finally:
            self._resending.discard(row_id)

    async def deliver(self, frontend, event: Inbound, replies: list[Reply], *, acknowledge: bool = True) -> bool:
        """Send the replies in order. False when a passing failure left some unsent (the row stays
        open and they are sent again at the next start); a refused or blocked chat counts as done."""
        if frontend is None:
            return True
        ack = asyncio.ensure_future(frontend.acknowledge(event)) if acknowledge and event.button else None
        try:
            for reply in replies:
                for attempt in range(SEND_TRIES):
                    try:
                        await frontend.send(event.chat_id, reply)
                        break
                    except Unreachable:
                        raise
                    except DeliveryError as refused:  # this reply only: the ones after it still go
                        log.warning("a reply was refused by %s: %s", event.channel, type(refused).__name__)
                        break
                    except (QuotaExhausted, NotNow):  # not for a while: the tick sends it again later
                        self.stats["undelivered"] += 1
                        return False
                    except RateLimited as limited:
                        await self.sleep(min(limited.retry_after, 30.0))
                    except TemporaryFailure:
                        await self.sleep(0.5 * 2 ** attempt)
                else:
                    self.stats["undelivered"] += 1
                    log.warning("a reply could not be delivered on %s; kept for the next start", event.channel)
                    return False
        except Unreachable:
            await self.services.accounts.set_reachable(Messenger(event.channel), event.user_id, False)
            return True
        except DeliveryError as refused:
            log.warning("a reply was refused by %s: %s", event.channel, type(refused).__name__)
            return True
        finally:
            if ack is not None:
                await ack
        return True

    async def _finish(self, row_id: int) -> None:
        async with self.services.db.single_statement() as conn:
            await Inbox.done(conn, [row_id], self.services.clock.now())

    @staticmethod
    def _log_failure(error: BaseException) -> None:
        frames = traceback.extract_tb(error.__traceback__)
        where = " <- ".join(f"{f.name}@{f.filename.rsplit('/', 1)[-1]}:{f.lineno}" for f in reversed(frames[-6:]))
        # The exception's message may quote what a person typed: log its type and where only.
        log.error("error while handling an update: %s at %s", type(error).__name__, where)

    # ---- housekeeping ----------------------------------------------------------------------

    async def housekeeping(self, keep_days: int = TEXT_KEPT_DAYS) -> None:
        """Send again replies a messenger failed to take for more than 5 minutes; forget finished
        inbox rows and the text of sent messages after ``keep_days`` (long past any redelivery),
        idle conversations of people with no role after a day, and anyone's unfinished conversation
        after 30 days (see ``bot.storage.privacy.RULES``)."""
        now = self.services.clock.now()
        async with self.services.db.reading() as conn:
            stuck = await Inbox.undelivered(conn, now - timedelta(minutes=5))
        for row in stuck:
            await self.redeliver(row.id, row.channel, row.chat_key, row.replies or [])
        async with self.services.db.transaction() as tx:
            await Inbox.prune(tx, now - timedelta(days=keep_days))
            await Outbox.forget_texts(tx, now - timedelta(days=keep_days))
            await Dialogs.expire_strangers(tx, now - timedelta(days=1))
            await Dialogs.expire(tx, now - timedelta(days=DRAFTS_KEPT_DAYS))
            await Media.prune(tx, now - timedelta(days=1))  # photos of check-ins never saved
            await FileLinks.prune(tx, now)


def _what_to_keep(turn: Turn, ctx: StepContext) -> tuple[str | None, dict]:
    """The state and draft to store after ``turn``: the draft while a conversation is open; else the
    last menu shown, so that typing "2" picks its second entry."""
    if turn.state:
        return turn.state, dict(ctx.draft)
    menus = [r for r in turn.replies if r.state == basics.MENU_STATE]
    return None, ({"_menu": [[c.id, c.label] for c in menus[-1].choices]} if menus else {})
