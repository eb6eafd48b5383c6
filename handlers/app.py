"""Build and run the Telegram application."""

from __future__ import annotations

import logging
import traceback

from telegram import Update
from telegram.error import Forbidden, NetworkError, RetryAfter
from telegram.ext import AIORateLimiter, Application, ApplicationBuilder, ContextTypes, Defaults

from bot.flows import basics
from bot.i18n import use_locale
from bot.models import Messenger
from handlers import commands_menu, dialog
from handlers.persistence import SQLitePersistence
from handlers.render import TelegramChannel, send

log = logging.getLogger(__name__)


async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Log the failure without personal data, and answer the person politely in their language."""
    error = context.error
    if isinstance(error, (NetworkError, RetryAfter, Forbidden)):
        log.warning("Telegram request failed: %s", type(error).__name__)
    else:
        frames = traceback.extract_tb(error.__traceback__) if error else []
        where = " <- ".join(f"{f.name}@{f.filename.rsplit('/', 1)[-1]}:{f.lineno}" for f in reversed(frames[-6:]))
        # The exception's message may quote what a person typed: log its type and where only.
        log.error("error while handling an update: %s at %s", type(error).__name__, where)
    if not isinstance(update, Update) or update.effective_chat is None or update.effective_user is None:
        return
    services = context.application.bot_data["services"]
    try:
        actor = await services.accounts.identify(
            Messenger.TELEGRAM, str(update.effective_user.id), str(update.effective_chat.id)
        )
        with use_locale(actor.locale):
            await send(context.bot, update.effective_chat.id, basics.something_went_wrong())
    except Exception:  # the apology itself failed (e.g. Telegram is down): nothing more to do
        log.warning("could not tell the person about the error")


async def on_startup(application: Application) -> None:
    """After ``initialize()``: remember the bot's username for deep links, set the default menu."""
    services = application.bot_data["services"]
    me = application.bot
    if me.username:
        await services.accounts.remember_bot_username(me.username)
    try:
        await commands_menu.sync_defaults(application.bot, services.flows)
    except Exception:
        log.warning("could not set the default command menu")


async def fetch_username(settings) -> str | None:
    """One ``getMe`` (5 s at most) for the bot's username; None when Telegram cannot be reached."""
    from telegram import Bot
    from telegram.error import TelegramError

    bot = Bot(settings.require_telegram_token(), base_url=settings.telegram_base_url)
    try:
        async with bot:
            return bot.username
    except (TelegramError, OSError):
        log.warning("could not reach Telegram to learn the bot's username")
        return None


def build_application(services, *, request=None, updater: bool = True) -> Application:
    """The PTB application over ``services``; ``request`` lets tests answer in-process."""
    settings = services.settings
    builder = (
        ApplicationBuilder()
        .token(settings.require_telegram_token())
        .base_url(settings.telegram_base_url)
        .base_file_url(settings.telegram_base_url.replace("/bot", "/file/bot"))
        .persistence(SQLitePersistence(services.db, services.clock))
        .defaults(Defaults(tzinfo=settings.timezone))
        # Overall pacing of bulk messages is the outbox sender's (bot.services.notifier); direct answers
        # to people are not held back. Groups stay at 20 a minute, and a 429 is retried.
        .rate_limiter(AIORateLimiter(overall_max_rate=0, max_retries=3))
        .concurrent_updates(False)
    )
    if request is not None:
        builder = builder.request(request).get_updates_request(request)
    if not updater:
        builder = builder.updater(None)
    application = builder.build()
    dialog.install(application, services)
    application.add_error_handler(on_error)
    services.notifier.register(TelegramChannel(application.bot))
    return application
