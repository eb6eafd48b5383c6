"""Turn channel-neutral replies into Telegram messages, and Telegram updates into inputs."""

from __future__ import annotations

import contextlib

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, InputFile, Update
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut

from bot.channels.errors import DeliveryError, RateLimited, TemporaryFailure, Unreachable

from bot.dialog.types import Incoming, Reply
from bot.models import Messenger
from bot.textnorm import split_text

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


MAX_TEXT = 4096  # Telegram's limit for one message


async def send(bot, chat_id: int | str, reply: Reply):
    """Send a reply, in several messages if it is long (the buttons go with the last one)."""
    if reply.attachment is not None:
        file = InputFile(reply.attachment.data, filename=reply.attachment.filename)
        caption = reply.text[:1024] or None
        if reply.attachment.kind == "photo":
            return await bot.send_photo(chat_id=chat_id, photo=file, caption=caption)
        return await bot.send_document(chat_id=chat_id, document=file, caption=caption)
    parts = split_text(reply.text, MAX_TEXT)
    for part in parts[:-1]:
        await bot.send_message(chat_id=chat_id, text=part)
    return await bot.send_message(chat_id=chat_id, text=parts[-1], reply_markup=keyboard(reply))


class TelegramChannel:
    """The messenger port for Telegram: Telegram's errors become the port's."""

    messenger = Messenger.TELEGRAM

    def __init__(self, bot) -> None:
        self.bot = bot

    async def send(self, chat_id: str, reply: Reply) -> str | None:
        with _translated_errors():
            message = await send(self.bot, int(chat_id), reply)
        return str(message.message_id)

    async def edit(self, chat_id: str, message_id: str, reply: Reply) -> None:
        with _translated_errors():
            await self.bot.edit_message_text(chat_id=int(chat_id), message_id=int(message_id), text=reply.text,
                                             reply_markup=keyboard(reply))


@contextlib.contextmanager
def _translated_errors():
    try:
        yield
    except RetryAfter as error:
        retry = error.retry_after
        raise RateLimited(retry.total_seconds() if hasattr(retry, "total_seconds") else float(retry)) from None
    except Forbidden as error:
        raise Unreachable(str(error)) from None
    except BadRequest as error:
        if "chat not found" in str(error).lower():
            raise Unreachable(str(error)) from None
        raise DeliveryError(str(error)) from None
    except (TimedOut, NetworkError) as error:
        raise TemporaryFailure(type(error).__name__) from None
