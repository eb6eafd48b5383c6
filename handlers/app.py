"""The Telegram side: a python-telegram-bot application whose one handler hands every update to
the shared pipeline, the long-polling receiver and the webhook route. No conversation logic here."""

from __future__ import annotations

import hmac
import logging

from telegram import Update
from telegram.ext import AIORateLimiter, Application, ApplicationBuilder, ContextTypes, Defaults, TypeHandler
from telegram.request import HTTPXRequest

from bot.runtime.web import json_body
from handlers import commands_menu
from handlers.events import to_inbound
from handlers.render import TelegramChannel

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


async def on_update(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """An update handed to the application directly (tests; PTB's own tools): through the pipeline."""
    event = to_inbound(update)
    if event is not None:
        await context.application.bot_data["services"].pipeline.handle_now(event)


async def on_startup(application: Application) -> None:
    """After ``initialize()``: remember the bot's username for deep links, set the default menu."""
    services = application.bot_data["services"]
    if application.bot.username:
        await services.accounts.remember_bot_username(application.bot.username)
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


def build_application(services, *, request=None) -> Application:
    """The PTB application over ``services``; ``request`` lets tests answer in-process.

    PTB is the Telegram client here (Bot API calls, rate limits, parsing); receiving goes through
    the shared inbox and pipeline, so the application has no updater and one handler."""
    settings = services.settings
    pool = settings.concurrency + 8  # every worker may be mid-call, plus the poller and the sender
    builder = (
        ApplicationBuilder()
        .token(settings.require_telegram_token())
        .base_url(settings.telegram_base_url)
        .base_file_url(settings.telegram_base_url.replace("/bot", "/file/bot"))
        .defaults(Defaults(tzinfo=settings.timezone))
        # Overall pacing of bulk messages is the outbox sender's; direct answers are not held back.
        # Groups stay at 20 a minute, and a 429 is retried.
        .rate_limiter(AIORateLimiter(overall_max_rate=0, max_retries=3))
        .updater(None)
    )
    if request is not None:
        builder = builder.request(request).get_updates_request(request)
    else:
        builder = builder.request(HTTPXRequest(connection_pool_size=pool, read_timeout=15.0))
    application = builder.build()
    application.bot_data["services"] = services
    application.add_handler(TypeHandler(Update, on_update))
    services.register_channel(TelegramChannel(application.bot, services.flows))
    return application


async def connect(application: Application) -> None:
    """``initialize()`` (one ``getMe``): a token Telegram refuses stops the start with a clear line."""
    from telegram.error import InvalidToken

    from bot.config import ConfigError

    try:
        await application.initialize()
    except InvalidToken:
        raise ConfigError("HOANHAP_TELEGRAM_TOKEN was refused by Telegram (getMe): check the token "
                          "BotFather gave you.") from None


def webhook_route(application: Application, dispatcher, secret: str):
    """``POST /telegram``: the secret header checked in constant time, the update stored in the
    inbox, then 200. A request that fails the check processes nothing."""

    async def route(headers, body: bytes) -> tuple[int, dict]:
        received = headers.get(SECRET_HEADER) or ""
        if not hmac.compare_digest(received.encode(), secret.encode()):
            return 403, {"ok": False}
        data = json_body(body)
        if not isinstance(data, dict):
            return 400, {"ok": False}
        event = parse(data, application.bot)
        if event is not None:
            await dispatcher.receive([event])
        return 200, {"ok": True}

    return route


def parse(data: dict, bot):
    """One raw update → an event; an update PTB cannot parse is skipped (its id and the error's type
    are logged, never its content), so it cannot stop the bot or come back forever."""
    try:
        return to_inbound(Update.de_json(data, bot))
    except Exception as error:
        log.warning("skipped update %s that could not be read: %s", data.get("update_id"), type(error).__name__)
        return None
