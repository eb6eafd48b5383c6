"""Turn channel-neutral replies into Telegram messages, and Telegram updates into inputs."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from bot.dialog.types import Incoming, Reply
from bot.models import Messenger

MAX_CALLBACK_BYTES = 64  # Telegram's limit on callback_data


def callback_data(state: str, choice_id: str) -> str:
    data = f"{state}|{choice_id}"
    if len(data.encode()) > MAX_CALLBACK_BYTES:
        raise ValueError(f"callback data over {MAX_CALLBACK_BYTES} bytes: {data!r}")
    return data


def keyboard(reply: Reply) -> InlineKeyboardMarkup | None:
    """One big button per row: easy to hit on a small screen."""
    if not reply.choices:
        return None
    state = reply.state or "menu"
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(c.label, callback_data=callback_data(state, c.id))] for c in reply.choices]
    )


def incoming(update: Update) -> Incoming:
    """A button press becomes a choice (with the question it answered); a message becomes text."""
    query = update.callback_query
    if query is not None:
        state, _, choice = (query.data or "").partition("|")
        return Incoming(choice=choice, state=state)
    message = update.effective_message
    if message is None:
        return Incoming()
    if message.photo:
        return Incoming(photo=message.photo[-1].file_id)
    if message.location:
        return Incoming(location=(message.location.latitude, message.location.longitude))
    return Incoming(text=message.text)


async def send(bot, chat_id: int | str, reply: Reply) -> None:
    await bot.send_message(chat_id=chat_id, text=reply.text, reply_markup=keyboard(reply))


class TelegramChannel:
    """The messenger port for Telegram."""

    messenger = Messenger.TELEGRAM

    def __init__(self, bot) -> None:
        self.bot = bot

    async def send(self, chat_id: str, reply: Reply) -> None:
        await send(self.bot, int(chat_id), reply)
