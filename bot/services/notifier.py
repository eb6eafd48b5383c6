"""Deliver the outbox: render each message in the recipient's language and send it within the
messengers' limits.

- Pacing: at most ``per_second`` messages overall (Telegram allows 30/s), one per second to the
  same chat, and one every 3 s to a group (20 a minute). PTB's own limiter does not pace private
  chats, so this does.
- A message is claimed before it is sent and marked after: a crash in between can repeat one
  message, never lose one.
- Each messenger is its own lane: a 429 (or a used-up quota) holds that messenger only, and its
  messages wait for the hold to end while the other messengers keep delivering.
- Network and server errors are retried with a growing delay (up to 30 minutes apart) for as long
  as the message still matters: 3 days for an urgent one (an alert), 1 day for the rest. What
  finally fails is logged for the operator, counted in ``/healthz`` and, for a person other than an
  officer, shown to commune police as an alert. Never silently dropped.
- A person who blocked the bot on one messenger is unreachable there only; when no messenger is
  left, commune police get an alert.
- Messages that show an alert remember where they went, so a claim can update every copy.
"""

from __future__ import annotations

import asyncio
import logging
import time
from datetime import timedelta

from bot import notices
from bot.channels.errors import DeliveryError, NotNow, QuotaExhausted, RateLimited, TemporaryFailure, Unreachable
from bot.channels.port import Channel
from bot.dialog.types import Reply
from bot.i18n import use_locale
from bot.models import AlertReason, Messenger, Role
from bot.services.alerting import open_alert
from bot.services.outbox import enqueue
from bot.storage.alerts import AlertMessages
from bot.storage.communes import Communes
from bot.storage.identities import Identities
from bot.storage.outbox import Outbox
from bot.storage.people import People
from bot.storage.assignments import Assignments

log = logging.getLogger(__name__)

CLAIM_TIMEOUT = timedelta(minutes=5)
GROUP_INTERVAL = 3.0  # 20 messages a minute in a group
FIRST_RETRY = 15.0  # seconds; doubled at each attempt
LONGEST_RETRY = 30 * 60.0
LIFETIME = {True: timedelta(days=3), False: timedelta(days=1)}  # urgent or not: how long a message matters
WINDOW_RECHECK = timedelta(minutes=15)  # a message outside a Zalo OA window looks again this often
MUST_REACH = {"person_appointment", "person_window"}  # reminders of what the law asks the person to do


# The only messages a person whose access was ended still gets.
TO_FORMER_MEMBERS = frozenset({"access_ended"})

class Pacer:
    """Evenly spaced sends: never more than ``rate`` a second overall, ``per_chat`` seconds apart per chat."""

    def __init__(self, rate: float, per_chat: float = 1.0, *, now=time.monotonic, sleep=asyncio.sleep) -> None:
        self.interval = 1.0 / rate
        self.per_chat = per_chat
        self._now, self._sleep = now, sleep  # a test drives them with virtual time
        self._next = 0.0
        self._chat_next: dict[str, float] = {}

    async def wait(self, chat_key: str, group: bool = False) -> None:
        now = self._now()
        start = max(now, self._next, self._chat_next.get(chat_key, 0.0))
        self._next = start + self.interval
        self._chat_next[chat_key] = start + (GROUP_INTERVAL if group else self.per_chat)
        if len(self._chat_next) > 10_000:  # forget chats whose pause is long over
            self._chat_next = {k: v for k, v in self._chat_next.items() if v > now}
        if start > now:
            await self._sleep(start - now)

    def ready_in(self, chat_key: str) -> float:
        """Seconds before this chat may receive again (0 when it may now)."""
        return max(0.0, self._chat_next.get(chat_key, 0.0) - self._now())


def retry_delay(attempts: int) -> float:
    """Seconds before the next try after ``attempts`` failed ones: 15 s, 30 s, 1 min… 30 min at most."""
    return min(FIRST_RETRY * 2 ** max(attempts - 1, 0), LONGEST_RETRY)


class Notifier:
    def __init__(self, db, clock, accounts, default_locale: str = "vi", tz=None, per_second: float = 29.0) -> None:
        self.db = db
        self.clock = clock
        self.tz = tz
        self._accounts = accounts
        self._channels: dict[Messenger, Channel] = {}
        self._default_locale = default_locale
        self.per_second = per_second
        self.per_chat = 1.0
        self.monotonic, self.sleep = time.monotonic, asyncio.sleep  # pacing's time (tests: virtual)
        self._pacers: dict[str, Pacer] = {}  # one lane per messenger
        self._held_until: dict[str, object] = {}
        self._wake = asyncio.Event()
        self._queued_seen = -1
        self._told_window: set[int] = set()
        self._queued_more = False  # outbox ids whose closed window police were told of
        self._running = False
        self.stats = {"sent": 0, "retried": 0, "rate_limited": 0, "unreachable": 0, "outside_window": 0}
        self.last_ok: dict[str, object] = {}

    def register(self, channel: Channel) -> None:
        self._channels[channel.messenger] = channel

    def lane(self, messenger: Messenger | str) -> Pacer:
        """This messenger's pacing (each messenger is its own lane; holds are kept by the notifier)."""
        key = messenger.value if isinstance(messenger, Messenger) else messenger
        if key not in self._pacers:
            self._pacers[key] = Pacer(self.per_second, self.per_chat, now=self.monotonic, sleep=self.sleep)
        return self._pacers[key]

    def hold(self, lane: Messenger | str, seconds: float) -> None:
        """The messenger said "too many requests" (or the quota is used up): its lane (a messenger,
        or one Zalo OA) waits ``seconds`` on the bot's clock; the other lanes go on."""
        key = lane.value if isinstance(lane, Messenger) else lane
        until = self.clock.now() + timedelta(seconds=seconds)
        self._held_until[key] = max(self._held_until.get(key, until), until)

    def held_for(self, lane: Messenger | str) -> float:
        """Seconds before this lane may be used again (0 when it may now)."""
        until = self._held_until.get(lane.value if isinstance(lane, Messenger) else lane)
        return max(0.0, (until - self.clock.now()).total_seconds()) if until else 0.0

    @staticmethod
    def lane_of(channel: Channel, chat_id: str) -> str:
        """The lane a chat is in: its messenger, or finer where the channel says (one lane per Zalo OA)."""
        key = getattr(channel, "lane_key", None)
        return key(chat_id) if key is not None else channel.messenger.value

    def pace(self, rate: float, per_chat: float = 1.0) -> None:
        """Set the pacing of every lane (tests make it instant)."""
        self.per_second, self.per_chat = rate, per_chat
        self._pacers.clear()

    def channel_health(self) -> dict:
        """Per messenger: when a message last went out (for /healthz)."""
        return {m.value: {"last_sent": self.last_ok[m.value].isoformat(timespec="seconds")
                          if m.value in self.last_ok else None} for m in self._channels}

    def channel(self, messenger: Messenger) -> Channel | None:
        return self._channels.get(messenger)

    async def kick(self) -> None:
        """After a turn: if a transaction committed messages to the outbox since the last look, wake
        the background sender (or send now when there is none). A turn that queued nothing (or
        whose transaction rolled back) costs nothing; the sender still looks every few seconds."""
        committed = self.db.committed_messages
        if committed == self._queued_seen and self._running:
            return
        self._queued_seen = committed
        if self._running:
            self._wake.set()
        else:
            await self.flush()

    async def run(self, stop: asyncio.Event, idle: float = 5.0) -> None:
        """The background sender: drain what is due, then wait to be woken (or ``idle`` seconds).

        One process serves a database, so what was claimed but not sent when the last process
        died is released at once (a crash may repeat that message; it never loses it)."""
        async with self.db.transaction() as tx:
            released = await Outbox.release_claims(tx)
        if released:
            log.info("%s messages claimed by a stopped process are due again", released)
        self._running = True
        try:
            while not stop.is_set():
                try:
                    await self.flush()
                except Exception:
                    log.exception("the sender failed; trying again shortly")
                self._wake.clear()
                waiter = asyncio.ensure_future(self._wake.wait())
                stopper = asyncio.ensure_future(stop.wait())
                done, pending = await asyncio.wait({waiter, stopper}, timeout=idle,
                                                   return_when=asyncio.FIRST_COMPLETED)
                for task in pending:
                    task.cancel()
        finally:
            self._running = False

    async def flush(self, limit: int = 500) -> int:
        """Send everything due now (in batches); returns how many messages went out.

        A message to a chat that must still wait (one a second per chat) is passed over for now,
        so it does not hold up messages to other chats."""
        total = 0
        while True:
            now = self.clock.now()
            async with self.db.reading() as conn:
                items = await Outbox.due(conn, now, limit, stale_claim=now - CLAIM_TIMEOUT)
            if not items:
                return total
            sent_before, waits = total, []
            self._queued_more = False
            for item in items:
                outcome = await self._one(item)
                if isinstance(outcome, float):
                    waits.append(outcome)
                else:
                    total += outcome
            if waits and total == sent_before:
                await self.sleep(min(waits))  # only chats that must wait are left: wait for the first
            elif total == sent_before and not self._queued_more:
                return total  # only retries that failed again: leave them for later

    async def _one(self, item) -> int | float:
        """1 if sent, 0 if not (kept for later or given up), or the seconds its chat must still wait."""
        try:
            targets = await self._targets(item)
        except LookupError as missing:
            async with self.db.transaction() as tx:
                await Outbox.give_up(tx, item.id, str(missing), self.clock.now())
            log.warning("notice %s not delivered: %s", item.id, missing)
            return 0
        if not targets:
            async with self.db.transaction() as tx:  # no channel for this person in this process yet
                await Outbox.retry_later(tx, item.id, "no channel", self.clock.now() + timedelta(minutes=1))
            return 0
        targets, closed = await self._within_windows(targets)
        if not targets:  # the only messenger is a Zalo OA the person has not written to lately
            return await self._wait_for_window(item, closed)
        open_lanes = [t for t in targets if self.held_for(self.lane_of(t[0], t[1])) == 0]
        if not open_lanes:  # every messenger of this person is held (429, quota): wait for the first to open
            hold = min(self.held_for(self.lane_of(t[0], t[1])) for t in targets)
            async with self.db.transaction() as tx:
                await Outbox.retry_later(tx, item.id, "rate limited", self.clock.now() + timedelta(seconds=hold))
            return 0
        wait = max(self.lane(channel.messenger).ready_in(f"{channel.messenger.value}:{chat_id}")
                   for channel, chat_id, _l, _g in open_lanes)
        if wait > 0:
            return wait
        now = self.clock.now()
        async with self.db.transaction() as tx:
            if not await Outbox.claim(tx, item.id, now, now - CLAIM_TIMEOUT):
                return 0
        delivered, errors = False, []
        for channel, chat_id, locale, group in open_lanes:
            pacer = self.lane(channel.messenger)
            with use_locale(locale):
                replies = notices.render(item.kind, item.params)
            try:
                for reply in replies:
                    await pacer.wait(f"{channel.messenger.value}:{chat_id}", group)
                    message_id = await channel.send(chat_id, reply)
                    if item.alert_id is not None and message_id is not None:
                        async with self.db.transaction() as tx:
                            await AlertMessages.add(tx, item.alert_id, channel.messenger.value, chat_id, message_id)
                delivered = True
                self.last_ok[channel.messenger.value] = self.clock.now()
            except RateLimited as limited:
                self.stats["rate_limited"] += 1
                lane = limited.lane or channel.messenger.value
                first = self.held_for(lane) == 0
                self.hold(lane, limited.retry_after)
                errors.append(("held", f"rate limited by {lane}"))
                if isinstance(limited, QuotaExhausted) and first:
                    await self._quota_used_up(channel.messenger)
            except NotNow:  # the window closed between the check and the send
                errors.append(("temporary", "outside the interaction window"))
            except Unreachable:
                errors.append(("unreachable", "unreachable"))
                if item.person_id is not None and not group:
                    await self._unreachable(item.person_id, channel.messenger, chat_id)
            except TemporaryFailure as failure:
                errors.append(("temporary", f"temporary: {type(failure).__name__}"))
            except DeliveryError as refused:
                errors.append(("refused", f"refused: {refused}"[:200]))
            except Exception as unexpected:  # a bug in a channel must not stop the sender
                log.warning("notice %s: %s", item.id, type(unexpected).__name__)
                errors.append(("temporary", f"error: {type(unexpected).__name__}"))
        now = self.clock.now()
        async with self.db.transaction() as tx:
            if delivered:
                await Outbox.sent(tx, item.id, now)
                self.stats["sent"] += 1
                return 1
            kinds = {k for k, _ in errors}
            error = errors[-1][1] if errors else "not delivered"
            still_matters = item.created_at is None or now < item.created_at + LIFETIME[item.urgent]
            if kinds & {"held", "temporary"} and still_matters:
                self.stats["retried"] += "temporary" in kinds
                hold = max((self.held_for(self.lane_of(c, chat)) for c, chat, *_ in open_lanes), default=0.0)
                delay = hold if kinds == {"held"} else retry_delay(item.attempts)
                await Outbox.retry_later(tx, item.id, error, now + timedelta(seconds=delay))
                return 0
            await Outbox.give_up(tx, item.id, error, now)
            if kinds & {"held", "temporary"} and item.person_id is not None:
                await self._not_delivered(tx, item, now)
        log.error("notice %s given up: %s", item.id, error)
        return 0

    async def _targets(self, item) -> list[tuple[Channel, str, str, bool]]:
        """(channel, chat, locale, is_group) for every messenger the recipient can be reached on here."""
        if item.person_id is None:
            channel = self._channels.get(Messenger(item.messenger))
            return [(channel, item.chat_id, self._default_locale, True)] if channel else []
        person, identities = await self._accounts.contacts(item.person_id)
        if person is not None and not person.active and item.kind not in TO_FORMER_MEMBERS:
            raise LookupError("no longer a member")
        if person is None or not identities:
            raise LookupError("no messenger")
        reachable = [i for i in identities if not i.unreachable]
        if not reachable:
            raise LookupError("unreachable")
        return [(self._channels[i.messenger], i.chat_id, person.locale or i.locale or self._default_locale, False)
                for i in reachable if i.messenger in self._channels]

    async def _unreachable(self, person_id: int, messenger: Messenger, chat_id: str) -> None:
        """The person blocked the bot on this messenger: stop trying there. When no messenger is left,
        tell commune police (unless it is an officer)."""
        now = self.clock.now()
        self.stats["unreachable"] += 1
        async with self.db.transaction() as tx:
            identity = await Identities.by_chat_id(tx, messenger, chat_id)
            if identity is not None:
                await Identities.set_reachable(tx, messenger, identity.external_id, False, now)
            person = await People.get(tx, person_id)
            if person.unreachable and person.role is not Role.POLICE:
                await open_alert(tx, tz=self.tz, now=now, commune_id=person.commune_id, person_id=person_id,
                                 reason=AlertReason.UNDELIVERABLE, source=f"person:{person_id}")

    async def _within_windows(self, targets):
        """Targets whose messenger may carry a message now, and how many were left out because the
        person has not written there lately (a Zalo OA's interaction window)."""
        allowed, closed = [], 0
        for target in targets:
            window_open = getattr(target[0], "window_open", None)
            if window_open is not None and not target[3] and not await window_open(target[1]):
                closed += 1
                continue
            allowed.append(target)
        return allowed, closed

    async def _wait_for_window(self, item, closed: int) -> int:
        """Nothing may be tried: the message waits for the person to write (which opens the window)
        until it no longer matters. A reminder the person must act on, or an alert, is shown at
        once to the people who can reach them another way (police; and the supervisor), once."""
        now = self.clock.now()
        still_matters = item.created_at is None or now < item.created_at + LIFETIME[item.urgent]
        async with self.db.transaction() as tx:
            if still_matters:
                await Outbox.retry_later(tx, item.id, "outside the interaction window", now + WINDOW_RECHECK)
            else:
                await Outbox.give_up(tx, item.id, "outside the interaction window", now)
            if item.person_id is not None and item.id not in self._told_window and (
                    item.kind in MUST_REACH or item.urgent or not still_matters):
                self._told_window.add(item.id)
                await self._cannot_reach(tx, item, now)
        self.stats["outside_window"] += 1
        return 0

    async def _cannot_reach(self, tx, item, now) -> None:
        person = await People.get(tx, item.person_id)
        if person is None or person.role is Role.POLICE:  # the alert reaches the other officers and groups
            log.warning("an officer could not be reached on Zalo (interaction window)")
            return
        await open_alert(tx, tz=self.tz, now=now, commune_id=person.commune_id, person_id=person.id,
                         reason=AlertReason.UNDELIVERABLE, source=f"window:{item.id}")
        supervisor_id = await Assignments.current(tx, person.id)
        if supervisor_id is not None:
            await enqueue(tx, tz=self.tz, now=now, person_id=supervisor_id, kind="cannot_reach",
                          params={"name": person.full_name}, dedupe_key=f"cannot_reach:{person.id}:{item.id}")
        self._queued_more = True  # the alert and the notice go out in this same round

    async def _quota_used_up(self, messenger: Messenger) -> None:
        """The messenger's quota is used up: every officer is told once a day while it lasts (by
        their other messengers at once; on this one when it opens again)."""
        now = self.clock.now()
        log.error("%s refuses messages: its quota is used up; its messages wait", messenger.value)
        day = now.astimezone(self.tz).date().isoformat() if self.tz else now.date().isoformat()
        async with self.db.transaction() as tx:
            for commune in await Communes.all(tx):
                for officer in await People.in_commune(tx, commune.id, Role.POLICE):
                    await enqueue(tx, tz=self.tz, now=now, person_id=officer.id, kind="messenger_quota",
                                  params={"messenger": messenger.value}, urgent=True,
                                  dedupe_key=f"quota:{messenger.value}:{day}:{officer.id}")
        self._wake.set()

    async def _not_delivered(self, tx, item, now) -> None:
        """A message that mattered could not be delivered in time (an outage): police see it."""
        person = await People.get(tx, item.person_id)
        if person is not None and person.role is not Role.POLICE:
            await open_alert(tx, tz=self.tz, now=now, commune_id=person.commune_id, person_id=person.id,
                             reason=AlertReason.UNDELIVERABLE, source=f"outbox:{item.id}")

    async def refresh_alert(self, view) -> int:
        """After a claim, close or postpone: every copy of the alert says who did what."""
        params = {"reason": view.alert.reason.value, "name": view.name, "village": view.village}
        return await self.update_alert_messages(
            view.alert.id, lambda: Reply(notices.alert_status_text(params, view.alert.state, view.claimed_by or "")))

    async def update_alert_messages(self, alert_id: int, render) -> int:
        """Replace every copy of an alert (where the messenger can edit), each in its reader's language."""
        async with self.db.reading() as conn:
            copies = await AlertMessages.of_alert(conn, alert_id)
        updated = 0
        for messenger, chat_id, message_id in copies:
            channel = self._channels.get(Messenger(messenger))
            if channel is None or not hasattr(channel, "edit"):
                continue
            async with self.db.reading() as conn:
                identity, person = await Identities.by_chat(conn, messenger, chat_id)
            locale = (person.locale if person else None) or (identity.locale if identity else None) \
                or self._default_locale
            with use_locale(locale):
                reply = render()
            try:
                await channel.edit(chat_id, message_id, reply)
                updated += 1
            except Exception as error:
                log.info("alert copy not updated: %s", type(error).__name__)
        return updated
