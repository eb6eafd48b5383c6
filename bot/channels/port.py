"""The port: sending to a person is one method, whatever the messenger.

Telegram, Zalo, the console and the test fake each implement :class:`Channel`. Alerts and
reminders go to a *person*: :class:`Notifier` finds the person's messenger accounts and renders
the message in the recipient's language, not the sender's.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from typing import Protocol

from bot.dialog.types import Reply
from bot.i18n import use_locale
from bot.models import Messenger

log = logging.getLogger(__name__)


class Channel(Protocol):
    messenger: Messenger

    async def send(self, chat_id: str, reply: Reply) -> None:
        """Deliver one message (with its choices) to a chat."""


class Notifier:
    def __init__(self, accounts, default_locale: str = "vi") -> None:
        self._accounts = accounts
        self._channels: dict[Messenger, Channel] = {}
        self._default_locale = default_locale

    def register(self, channel: Channel) -> None:
        self._channels[channel.messenger] = channel

    async def notify(self, person_id: int, render: Callable[[], Iterable[Reply]]) -> int:
        """Render in the recipient's language and send on each messenger they use; count sends."""
        person, identities = await self._accounts.contacts(person_id)
        if person is None:
            return 0
        sent = 0
        for identity in identities:
            channel = self._channels.get(identity.messenger)
            if channel is None:
                continue
            with use_locale(person.locale or identity.locale or self._default_locale):
                replies = list(render())
            for reply in replies:
                try:
                    await channel.send(identity.chat_id, reply)
                    sent += 1
                except Exception:  # one unreachable person must not stop the others
                    log.warning("could not notify person %s on %s", person_id, identity.messenger.value, exc_info=True)
        return sent
