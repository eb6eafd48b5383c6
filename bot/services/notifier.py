"""Deliver the outbox: render each notice in the recipient's language, send it on their messengers.

A notice is claimed before it is sent and marked after, so a crash between the two can repeat
one message but never lose one. Failed sends are retried later with a growing delay.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from bot import notices
from bot.channels.port import Channel
from bot.i18n import use_locale
from bot.models import Messenger
from bot.storage.repos import Outbox

log = logging.getLogger(__name__)

CLAIM_TIMEOUT = timedelta(minutes=5)
MAX_ATTEMPTS = 8


class Notifier:
    def __init__(self, db, clock, accounts, default_locale: str = "vi") -> None:
        self.db = db
        self.clock = clock
        self._accounts = accounts
        self._channels: dict[Messenger, Channel] = {}
        self._default_locale = default_locale

    def register(self, channel: Channel) -> None:
        self._channels[channel.messenger] = channel

    async def flush(self, limit: int = 200) -> int:
        """Send what is due now; returns how many notices went out."""
        now = self.clock.now()
        async with self.db.reading() as conn:
            items = await Outbox.due(conn, now, limit, stale_claim=now - CLAIM_TIMEOUT)
        sent = 0
        for item in items:
            async with self.db.transaction() as tx:
                if not await Outbox.claim(tx, item.id, now, now - CLAIM_TIMEOUT):
                    continue
            outcome = await self._deliver(item)
            async with self.db.transaction() as tx:
                if outcome is None:
                    await Outbox.sent(tx, item.id, self.clock.now())
                    sent += 1
                elif outcome == "no channel":
                    await Outbox.retry_later(tx, item.id, outcome, now + timedelta(minutes=1))
                elif item.attempts + 1 >= MAX_ATTEMPTS or outcome == "no messenger":
                    await Outbox.give_up(tx, item.id, outcome, now)
                else:
                    delay = timedelta(seconds=30 * 2 ** item.attempts)
                    await Outbox.retry_later(tx, item.id, outcome, now + delay)
        return sent

    async def _deliver(self, item) -> str | None:
        """None when sent; otherwise why not."""
        person, identities = await self._accounts.contacts(item.person_id)
        if person is None or not identities:
            return "no messenger"
        reachable = [i for i in identities if i.messenger in self._channels]
        if not reachable:
            return "no channel"
        with use_locale(person.locale or reachable[0].locale or self._default_locale):
            replies = notices.render(item.kind, item.params)
        delivered = False
        for identity in reachable:
            try:
                for reply in replies:
                    await self._channels[identity.messenger].send(identity.chat_id, reply)
                delivered = True
            except Exception as error:  # one messenger failing must not stop the others
                log.warning("notice %s not delivered on %s: %s", item.id, identity.messenger.value,
                            type(error).__name__)
        return None if delivered else "send failed"
