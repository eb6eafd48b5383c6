"""The port: sending to a chat is one method, whatever the messenger.

Telegram, Zalo, the console and the test double each implement :class:`Channel`. ``send``
returns the message's id when the messenger has one (so an alert can be updated later) and
raises the errors of ``bot.channels.errors``. A channel that can replace a sent message also has
``async def edit(chat_id, message_id, reply)`` (Telegram does; Zalo and the console cannot). Messages to a *person* (notices, reminders,
alerts) go through the outbox and ``bot.services.notifier``, which finds the person's
messengers and renders in the recipient's language.
"""

from __future__ import annotations

from typing import Protocol

from bot.dialog.types import Reply
from bot.models import Messenger


class Channel(Protocol):
    messenger: Messenger

    async def send(self, chat_id: str, reply: Reply) -> str | None:
        """Deliver one message (with its choices); return its id if the messenger gives one."""
