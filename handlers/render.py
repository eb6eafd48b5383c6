"""Turn channel-neutral replies into Telegram messages, and Telegram updates into inputs."""

from __future__ import annotations

import asyncio
import contextlib
import logging

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, InputFile
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut

from bot.channels.errors import DeliveryError, RateLimited, TemporaryFailure, Unreachable

from bot.dialog.types import Reply
from bot.models import Messenger
from bot.textnorm import split_text

log = logging.getLogger(__name__)

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

    def __init__(self, bot, registry=None) -> None:
        self.bot = bot
        self.registry = registry

    async def acknowledge(self, event) -> None:
        """Answer the press and retire its keyboard, both at once (one round trip on a slow network).
        A double tap ("message is not modified") or a press redelivered after a restart ("query is
        too old") fails here: that changes nothing for the person, so it is ignored."""
        calls = [self.bot.answer_callback_query(event.ack["query"])] if event.ack.get("query") else []
        if event.ack.get("message"):
            calls.append(self.bot.edit_message_reply_markup(chat_id=int(event.chat_id),
                                                            message_id=int(event.ack["message"]), reply_markup=None))
        for outcome in await asyncio.gather(*calls, return_exceptions=True):
            if isinstance(outcome, Exception):
                log.info("a button press could not be acknowledged: %s", type(outcome).__name__)

    async def after_turn(self, event, before, after) -> None:
        """After onboarding or a language change: this person's command menu, in their language."""
        if not event.group and self.registry is not None:
            from handlers import commands_menu

            await commands_menu.sync_chat(self.bot, self.registry, int(event.chat_id), after)

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
