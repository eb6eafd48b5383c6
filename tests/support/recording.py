"""A channel that records what the bot sends to each chat (the messenger port's test double)."""

from __future__ import annotations

from bot.dialog.types import Reply
from bot.models import Messenger


class RecordingChannel:
    def __init__(self, messenger: Messenger) -> None:
        self.messenger = messenger
        self.sent: list[tuple[str, Reply]] = []

    async def send(self, chat_id: str, reply: Reply) -> None:
        self.sent.append((chat_id, reply))

    def texts(self, chat_id: str) -> list[str]:
        return [r.text for c, r in self.sent if c == chat_id]

    async def acknowledge(self, event) -> None:
        """No buttons to acknowledge."""

    async def after_turn(self, event, before, after) -> None:
        """No command menu."""
