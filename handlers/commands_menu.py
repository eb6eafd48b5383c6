"""The command menu Telegram shows beside the text box, per role and language."""

from __future__ import annotations

import logging

from telegram import BotCommand, BotCommandScopeChat, BotCommandScopeDefault
from telegram.error import TelegramError

from bot.i18n import N_, _, use_locale

log = logging.getLogger(__name__)

START = N_("Start, or use an invite code")
CANCEL = N_("Stop what you are doing")


def commands_for(registry, role, locale: str) -> list[BotCommand]:
    """The flows and commands open to ``role``, then /help, /privacy and /cancel."""
    with use_locale(locale):
        items = registry.for_role(role)
        first = [BotCommand("start", _(START))] if role is None else []
        named = [BotCommand(getattr(i, "command", i.name), _(i.title)) for i in items]
        last = [BotCommand("cancel", _(CANCEL))] if role is not None else []
        return first + named + last


async def sync_defaults(bot, registry) -> None:
    """What strangers see: Vietnamese by default, English for English-language Telegram apps."""
    await bot.set_my_commands(commands_for(registry, None, "vi"), scope=BotCommandScopeDefault())
    await bot.set_my_commands(commands_for(registry, None, "en"), scope=BotCommandScopeDefault(), language_code="en")


async def sync_chat(bot, registry, chat_id: int, actor) -> None:
    """After onboarding or a language change: this person's commands, in their language."""
    try:
        await bot.set_my_commands(commands_for(registry, actor.role, actor.locale), scope=BotCommandScopeChat(chat_id))
    except TelegramError:
        log.warning("could not update the command menu of a chat", exc_info=True)
