"""``hoanhap run``: one process per database, every configured messenger, one web server.

Start-up order: lock the database → connect each messenger (``getMe`` fails fast on a bad token)
→ finish what a stopped process left in the inbox → background tick and sender → web server →
webhooks registered (only once the server listens) or pollers started. Shutdown reverses it.
"""

from __future__ import annotations

import asyncio
import fcntl
import logging
import os
import secrets
import signal
from pathlib import Path
from urllib.parse import urlparse

from datetime import timedelta

from bot.config import ConfigError
from bot.runtime.dispatcher import Dispatcher
from bot.runtime.web import WebServer
from bot.storage.inbox import Inbox
from bot.storage.outbox import Outbox

log = logging.getLogger(__name__)


class AlreadyRunning(Exception):
    """Another process serves this database."""


class ProcessLock:
    """An exclusive lock on ``<db>.lock`` for the life of the process; the operating system
    releases it if the process dies, so a crash never leaves a stale lock behind."""

    def __init__(self, db_path: Path) -> None:
        self.path = Path(f"{db_path}.lock")
        self._file = None

    def acquire(self) -> None:
        handle = open(self.path, "a+")
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            handle.seek(0)
            other = handle.read().strip() or "?"
            handle.close()
            raise AlreadyRunning(
                f"another hoanhap process (pid {other}) is already serving this database; stop it first, "
                f"or give this one its own HOANHAP_DB.") from None
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        os.chmod(self.path, 0o600)
        self._file = handle

    def release(self) -> None:
        if self._file is not None:
            fcntl.flock(self._file.fileno(), fcntl.LOCK_UN)
            self._file.close()
            self._file = None


def webhook_base(url: str | None) -> str | None:
    if url is None:
        return None
    parsed = urlparse(url)
    if parsed.scheme != "https" and parsed.hostname not in ("127.0.0.1", "localhost"):
        raise ConfigError("--webhook must be an https:// URL (the public base address of this server)")
    return url.rstrip("/")


async def serve(services, webhook: str | None) -> None:
    """Serve until SIGINT or SIGTERM."""
    settings = services.settings
    from bot.storage.zalo_oa import OfficialAccounts

    async with services.db.reading() as conn:
        official_accounts = await OfficialAccounts.all(conn)
    if not settings.telegram_token and not settings.zalo_token and not official_accounts:
        raise ConfigError("no messenger is configured: set HOANHAP_TELEGRAM_TOKEN or HOANHAP_ZALO_TOKEN, "
                          "or register a Zalo Official Account (hoanhap zalo-oa add).")
    base = webhook_base(webhook)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)

    from bot.background import Background

    dispatcher = Dispatcher(services.pipeline, settings.concurrency)
    background = Background(services, extra=services.pipeline.housekeeping)
    web = WebServer(settings.http_listen, settings.http_port)
    web.health(lambda: health(services, dispatcher))
    tasks: list[asyncio.Task] = []
    closers = []
    application = None
    try:
        if settings.telegram_token:
            from handlers.app import build_application, connect, on_startup, webhook_route

            application = build_application(services)
            await connect(application)  # getMe: a bad token fails here, before anything is served
            closers.append(application.shutdown)
            await on_startup(application)
            if base:
                secret = settings.webhook_secret or secrets.token_urlsafe(32)
                web.post("/telegram", webhook_route(application, dispatcher, secret))
        zalo = None
        if settings.zalo_token:
            from bot.channels.zalo import ZaloChannel, ZaloClient, webhook_route as zalo_route

            zalo = ZaloClient(settings.zalo_token, settings.zalo_base_url, pool=settings.concurrency + 4)
            closers.append(zalo.close)
            await zalo.connect()  # getMe: a bad token fails here
            services.register_channel(ZaloChannel(zalo))
            if base:
                zalo_secret = settings.zalo_webhook_secret or secrets.token_urlsafe(24)
                web.post("/zalo", zalo_route(dispatcher, zalo_secret))
            else:
                log.warning("Zalo is served by polling: fine for development; use --webhook in production")
        oa = None
        if official_accounts:
            from bot.channels.zalo_oa import ZaloOA, ZaloOAChannel, take_file, webhook_route as oa_route

            oa = ZaloOA(services.db, services.clock, api_base=settings.zalo_oa_api_base,
                        oauth_base=settings.zalo_oa_oauth_base, pool=settings.concurrency + 4,
                        on_reauth=lambda account: tell_police_reauth(services, account))
            closers.append(oa.close)
            services.zalo_oa = oa
            services.register_channel(ZaloOAChannel(oa, public_base=base))
            web.post("/zalo-oa", oa_route(oa, dispatcher))
            web.files(lambda token: take_file(services.db, services.clock, token))
            if not base:
                log.warning("Zalo OA: without --webhook no file can be offered by link; Zalo must reach "
                            "this server at https://<host>/zalo-oa")
            log.info("serving %s Zalo Official Account(s) at /zalo-oa", len(official_accounts))
        from bot.services.importer import recover_abandoned

        if await recover_abandoned(services):
            log.warning("an import left unfinished by a stopped process was undone; run it again")
        await dispatcher.recover()
        background.start()
        if base or settings.http_port_set or oa is not None:
            await web.start()
        if application is not None:
            if base:
                await application.bot.set_webhook(f"{base}/telegram", secret_token=secret,
                                                  allowed_updates=_telegram_updates())
                log.info("serving Telegram by webhook")
            else:
                from handlers.polling import poll

                log.info("serving Telegram by long polling")
                tasks.append(asyncio.create_task(poll(application.bot, dispatcher, stop), name="telegram-poll"))
        if zalo is not None:
            if base:
                await zalo.call("setWebhook", url=f"{base}/zalo", secret_token=zalo_secret)
                log.info("serving Zalo by webhook")
            else:
                from bot.channels.zalo import poll as zalo_poll

                tasks.append(asyncio.create_task(zalo_poll(zalo, dispatcher, stop), name="zalo-poll"))
        await stop.wait()
    finally:
        stop.set()
        await asyncio.gather(*tasks, return_exceptions=True)
        await web.stop()
        await dispatcher.stop()
        await background.stop()
        for close in reversed(closers):
            try:
                await close()
            except Exception as error:
                log.warning("closing a messenger client failed: %s", type(error).__name__)


async def tell_police_reauth(services, account) -> None:
    """A Zalo OA's refresh was refused: the OA's commune police (every officer if it has none) are
    told once that an admin must authorise the app again."""
    from bot.models import Role
    from bot.services.outbox import enqueue
    from bot.storage.communes import Communes
    from bot.storage.people import People

    now = services.clock.now()
    async with services.db.transaction() as tx:
        communes = [account.commune_id] if account.commune_id else [c.id for c in await Communes.all(tx)]
        for commune_id in communes:
            for officer in await People.in_commune(tx, commune_id, Role.POLICE):
                await enqueue(tx, tz=services.settings.timezone, now=now, person_id=officer.id, kind="zalo_oa_reauth",
                              params={"app_id": account.app_id}, urgent=True,
                              dedupe_key=f"reauth:{account.app_id}:{now.isoformat()}:{officer.id}")
    await services.notifier.kick()


def _telegram_updates() -> list[str]:
    from handlers.events import ALLOWED_UPDATES

    return ALLOWED_UPDATES


async def health(services, dispatcher) -> tuple[bool, dict]:
    """What ``GET /healthz`` says: no personal data, no secret."""
    now = services.clock.now()
    try:
        async with services.db.reading() as conn:
            inbox, oldest_in = await Inbox.backlog(conn)
            waiting, oldest, failed = await Outbox.health(conn, now - timedelta(days=1))
        database = True
    except Exception:
        return False, {"database": False}
    return True, {
        "database": database,
        "inbox_backlog": inbox,
        "oldest_unhandled_seconds": int((now - oldest_in).total_seconds()) if oldest_in else 0,
        "handling": dispatcher.pending,
        "outbox_backlog": waiting,
        "oldest_unsent_seconds": int((now - oldest).total_seconds()) if oldest else 0,
        "outbox_failed_last_day": failed,
        "channels": services.notifier.channel_health(),
        **({"zalo_oa": await zalo_oa_health(services)} if getattr(services, "zalo_oa", None) else {}),
    }


async def zalo_oa_health(services) -> dict:
    """Per OA: whether it can send (no token or secret shown), and what was dropped at the door."""
    oa = services.zalo_oa
    now = services.clock.now()
    accounts = {}
    for a in await oa.accounts():
        accounts[a.app_id] = {
            "authorised": a.refresh_token is not None and a.reauth_needed_at is None,
            "must_reauthorise": a.reauth_needed_at is not None,
            "token_expires_in_seconds": int((a.access_expires_at - now).total_seconds()) if a.access_expires_at else None,
            "last_event": a.last_event_at.isoformat(timespec="seconds") if a.last_event_at else None,
            "last_sent": a.last_sent_at.isoformat(timespec="seconds") if a.last_sent_at else None,
        }
    return {"accounts": accounts, "forged_signatures": oa.stats["forged"], "unknown_app": oa.stats["unknown_app"],
            "refresh_failed": oa.stats["refresh_failed"]}
