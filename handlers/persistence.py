"""python-telegram-bot persistence in the bot's own SQLite database (JSON, never pickle).

PTB writes conversation states lazily; the application calls ``update_persistence()`` after every
update (see ``handlers.app``), so a state reaches the disk before the next update is read and a
``SIGKILL`` loses at most the update being processed.
"""

from __future__ import annotations


import json

from telegram.ext import BasePersistence, PersistenceInput

from bot.clock import Clock
from bot.storage.db import Database
from bot.storage.repos import PtbStore


class SQLitePersistence(BasePersistence[dict, dict, dict]):
    def __init__(self, db: Database, clock: Clock, update_interval: float = 5) -> None:
        super().__init__(
            store_data=PersistenceInput(bot_data=False, chat_data=False, user_data=True, callback_data=False),
            update_interval=update_interval,
        )
        self.db = db
        self.clock = clock
        # What save_turn last wrote, so PTB's own write of the same values right after is skipped.
        self._written_states: dict[tuple, str | None] = {}
        self._written_users: dict[int, str] = {}

    async def get_user_data(self) -> dict[int, dict]:
        async with self.db.reading() as conn:
            return await PtbStore.user_data(conn)

    async def update_user_data(self, user_id: int, data: dict) -> None:
        if self._written_users.pop(user_id, None) == json.dumps(data, sort_keys=True, default=str):
            return
        async with self.db.transaction() as tx:
            await PtbStore.put_user_data(tx, user_id, data)

    async def drop_user_data(self, user_id: int) -> None:
        async with self.db.transaction() as tx:
            await PtbStore.drop_user_data(tx, user_id)

    async def refresh_user_data(self, user_id: int, user_data: dict) -> None:
        """Nothing to do: this process is the only writer, so memory is already current."""

    async def get_conversations(self, name: str) -> dict:
        async with self.db.reading() as conn:
            return await PtbStore.conversations(conn, name)

    async def update_conversation(self, name: str, key: tuple, new_state: object | None) -> None:
        if new_state is not None and not isinstance(new_state, str):
            raise TypeError(f"conversation states must be strings, got {new_state!r}")
        if (name, key) in self._written_states and self._written_states.pop((name, key)) == new_state:
            return
        async with self.db.transaction() as tx:
            await PtbStore.put_conversation(tx, name, key, new_state)

    # chat_data, bot_data and callback_data are not stored (store_data above says so).
    async def get_chat_data(self) -> dict[int, dict]:
        return {}

    async def update_chat_data(self, chat_id: int, data: dict) -> None:
        return None

    async def drop_chat_data(self, chat_id: int) -> None:
        return None

    async def refresh_chat_data(self, chat_id: int, chat_data: dict) -> None:
        return None

    async def get_bot_data(self) -> dict:
        return {}

    async def update_bot_data(self, data: dict) -> None:
        return None

    async def refresh_bot_data(self, bot_data: dict) -> None:
        return None

    async def get_callback_data(self) -> None:
        return None

    async def update_callback_data(self, data) -> None:
        return None

    async def save_turn(self, name: str, key: tuple, state: object | None, user_id: int, user_data: dict,
                        update_id: str | None = None) -> None:
        """A conversation's state, the person's draft and the update's id in one statement, so a crash
        can never leave one without the others (PTB writes them separately)."""
        if state is not None and not isinstance(state, str):
            state = None  # a pending state: PTB writes it when it resolves
        async with self.db.single_statement() as conn:
            await PtbStore.save_turn(conn, name=name, key=key, state=state, user_id=user_id, data=user_data,
                                     messenger="telegram", update_id=update_id, now=self.clock.now())
        self._written_states[(name, key)] = state
        self._written_users[user_id] = json.dumps(user_data, sort_keys=True, default=str)

    async def flush(self) -> None:
        """Every write above is already committed."""
