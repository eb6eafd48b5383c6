"""The command menu Telegram shows beside the text box, per role and language."""

from __future__ import annotations

import logging

from telegram import BotCommand, BotCommandScopeChat, BotCommandScopeDefault
from telegram.error import TelegramError

from bot.i18n import N_, _, use_locale
from bot.models import Role

log = logging.getLogger(__name__)

_DESCRIPTIONS = {
    "start": N_("Start, or use an invite code"),
    "help": N_("What I can do for you"),
    "invite": N_("Create an invite code"),
    "language": N_("Change the language"),
    "privacy": N_("What is kept about you"),
    "cancel": N_("Stop what you are doing"),
}

_BY_ROLE: dict[Role | None, tuple[str, ...]] = {
    None: ("start", "language", "privacy"),
    Role.POLICE: ("help", "invite", "language", "privacy", "cancel"),
    Role.SUPERVISOR: ("help", "language", "privacy", "cancel"),
    Role.RETURNEE: ("help", "language", "privacy", "cancel"),
    Role.FAMILY: ("help", "language", "privacy", "cancel"),
    Role.PROVINCE: ("help", "language", "privacy"),
}


def commands_for(role: Role | None, locale: str) -> list[BotCommand]:
    with use_locale(locale):
        return [BotCommand(name, _(_DESCRIPTIONS[name])) for name in _BY_ROLE[role]]


async def sync_defaults(bot) -> None:
    """What strangers see: Vietnamese by default, English for English-language Telegram apps."""
    await bot.set_my_commands(commands_for(None, "vi"), scope=BotCommandScopeDefault())
    await bot.set_my_commands(commands_for(None, "en"), scope=BotCommandScopeDefault(), language_code="en")


async def sync_chat(bot, chat_id: int, actor) -> None:
    """After onboarding or a language change: this person's commands, in their language."""
    try:
        await bot.set_my_commands(commands_for(actor.role, actor.locale), scope=BotCommandScopeChat(chat_id))
    except TelegramError:
        log.warning("could not update the command menu of a chat", exc_info=True)
