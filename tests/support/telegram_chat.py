"""A person on Telegram, driving a real PTB Application in-process (updates fed one by one)."""

from __future__ import annotations

from telegram import Update

from tests.support.fake_telegram import FakeBotApi, Sent


class TelegramPerson:
    def __init__(self, application, api: FakeBotApi, user_id: int, language_code: str = "vi") -> None:
        self.app = application
        self.api = api
        self.user_id = user_id
        self.language_code = language_code
        self.received: list[Sent] = []

    async def _process(self, update: dict) -> list[Sent]:
        self.api.updates.remove(update)  # in-process: we deliver it ourselves, no getUpdates
        before = len(self.api.all_to(self.user_id))
        await self.app.process_update(Update.de_json(update, self.app.bot))
        self.received = self.api.all_to(self.user_id)[before:]
        return self.received

    async def says(self, text: str) -> list[str]:
        update = await self.api.user_says(self.user_id, text, language_code=self.language_code)
        return [s.text for s in await self._process(update)]

    async def sends_photo(self) -> list[str]:
        return [s.text for s in await self._process(await self.api.user_sends_photo(self.user_id))]

    async def presses(self, label: str, message: Sent | None = None) -> list[str]:
        """Press the button ``label`` on ``message`` (default: the last message that had buttons)."""
        message = message or self.last_with_buttons()
        update = await self.api.user_presses(self.user_id, message, label)
        return [s.text for s in await self._process(update)]

    async def presses_data(self, data: str, message: Sent | None = None) -> list[str]:
        """Send a callback with arbitrary data (a forged or replayed button)."""
        message = message or self.api.all_to(self.user_id)[-1]
        update = await self.api.user_presses(self.user_id, message, data=data)
        return [s.text for s in await self._process(update)]

    def last_with_buttons(self) -> Sent:
        for sent in reversed(self.api.all_to(self.user_id)):
            if sent.buttons:
                return sent
        raise AssertionError("no message with buttons was sent to this person")

    @property
    def buttons(self) -> list[str]:
        return self.last_with_buttons().labels
