"""Zalo's Bot Platform: a small httpx client, the channel (numbered choices, 2,000-character
parts), and the loop that turns Zalo events into turns of the same conversations.

Zalo has no keyboards, no callbacks and no editing: choices are a numbered list answered by
number or by their words (the text runner does that). ``getUpdates`` returns one event and no
offset, so events are deduplicated by ``message_id``. Error 429 means "quota exceeded".
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging

import httpx

from bot.aio import Stopped, unless_stopped
from bot.channels.errors import DeliveryError, RateLimited, TemporaryFailure, Unreachable
from bot.dialog.runner import TextRunner
from bot.dialog.types import Reply
from bot.i18n import use_locale
from bot.models import Messenger
from bot.textnorm import split_text

log = logging.getLogger(__name__)

MAX_TEXT = 2000
DEFAULT_BASE_URL = "https://bot-api.zaloplatforms.com/bot"


class ZaloError(Exception):
    def __init__(self, code: int, description: str) -> None:
        super().__init__(f"{code}: {description}")
        self.code = code


class ZaloClient:
    def __init__(self, token: str, base_url: str = DEFAULT_BASE_URL, *, client: httpx.AsyncClient | None = None) -> None:
        self._url = f"{base_url.rstrip('/')}{token}"
        self._client = client or httpx.AsyncClient(timeout=httpx.Timeout(40.0, connect=10.0))

    async def close(self) -> None:
        await self._client.aclose()

    async def call(self, method: str, **params) -> object:
        try:
            response = await self._client.post(f"{self._url}/{method}", json=params)
        except httpx.TimeoutException as error:
            raise TemporaryFailure("timeout") from error
        except httpx.TransportError as error:
            raise TemporaryFailure(type(error).__name__) from error
        try:
            body = response.json()
        except ValueError:
            raise TemporaryFailure(f"HTTP {response.status_code}") from None
        if body.get("ok"):
            return body.get("result")
        code = int(body.get("error_code") or response.status_code)
        raise ZaloError(code, str(body.get("description", "")))

    async def get_updates(self, timeout: int = 25) -> dict | None:
        """One event, or None when nothing came within ``timeout`` (error 408)."""
        try:
            return await self.call("getUpdates", timeout=timeout)
        except ZaloError as error:
            if error.code == 408:
                return None
            raise

    async def send_message(self, chat_id: str, text: str) -> str | None:
        try:
            result = await self.call("sendMessage", chat_id=chat_id, text=text)
        except ZaloError as error:
            if error.code == 429:
                raise RateLimited(5.0) from None
            if error.code in (403, 404):
                raise Unreachable(str(error)) from None
            if error.code >= 500:
                raise TemporaryFailure(str(error)) from None
            raise DeliveryError(str(error)) from None
        return str(result.get("message_id")) if isinstance(result, dict) and result.get("message_id") else None


def render(reply: Reply) -> str:
    """Text with its choices as a numbered list (buttons tied to one message are dropped)."""
    lines = [reply.text]
    if reply.choices and not reply.inline_only:
        lines += [f"{n}. {choice.label}" for n, choice in enumerate(reply.choices, 1)]
    return "\n".join(lines)


class ZaloChannel:
    """The messenger port for Zalo."""

    messenger = Messenger.ZALO

    def __init__(self, client: ZaloClient) -> None:
        self.client = client

    async def send(self, chat_id: str, reply: Reply) -> str | None:
        text = render(reply)
        if reply.attachment is not None:  # Zalo's sendPhoto takes a URL, not a file: say where to find it
            text += "\n" + "📎 " + reply.attachment.filename
        message_id = None
        for part in split_text(text, MAX_TEXT):
            message_id = await self.client.send_message(chat_id, part)
        return message_id


def unwrap(payload: object) -> dict | None:
    """A webhook body may be the event itself or wrapped in {ok, result}."""
    if isinstance(payload, dict) and "result" in payload and "event_name" not in payload:
        payload = payload["result"]
    return payload if isinstance(payload, dict) and "event_name" in payload else None


def secret_ok(received: str | None, expected: str) -> bool:
    return received is not None and hmac.compare_digest(received.encode(), expected.encode())


class ZaloBot:
    """Turns Zalo events into turns of the conversations, and answers on Zalo."""

    def __init__(self, services, client: ZaloClient) -> None:
        self.services = services
        self.client = client
        self.channel = ZaloChannel(client)
        self.runner = TextRunner(services, Messenger.ZALO.value)
        services.notifier.register(self.channel)

    async def handle(self, event: dict) -> None:
        """One event: dropped if seen before (no offsets on Zalo), else answered."""
        message = event.get("message") or {}
        sender = (message.get("from") or {}).get("id")
        chat = (message.get("chat") or {}).get("id") or sender
        message_id = message.get("message_id")
        if not sender or not message_id:
            return
        if await self.services.seen_updates.seen("zalo", str(message_id)):
            return
        actor = await self.services.accounts.identify(Messenger.ZALO, str(sender), str(chat))
        verdict = self.services.flood.check(f"zalo:{sender}")
        if verdict != "ok":
            if verdict == "warn":
                from bot.flows.basics import slow_down

                with use_locale(actor.locale):
                    await self.channel.send(str(chat), slow_down())
            await self.services.seen_updates.mark("zalo", str(message_id))
            return
        name = event.get("event_name", "")
        with use_locale(actor.locale):
            if name == "message.text.received":
                replies = await self.runner.handle(actor, str(message.get("text") or ""))
            elif name == "message.image.received":
                replies = await self.runner.handle(actor, None, photo=str(message.get("photo_url") or message_id))
            else:  # stickers, and what Zalo withholds (message.unsupported.received)
                replies = await self.runner.handle(actor, None)
        for reply in replies:
            await self.channel.send(str(chat), reply)
        await self.services.seen_updates.mark("zalo", str(message_id))

    async def poll(self, stop: asyncio.Event) -> None:
        await self.client.call("deleteWebhook")
        backoff = 1.0
        while not stop.is_set():
            try:
                event = await unless_stopped(self.client.get_updates(), stop)
                backoff = 1.0
            except Stopped:
                break
            except (TemporaryFailure, ZaloError) as error:
                log.warning("Zalo getUpdates failed (%s); retrying in %.0f s", type(error).__name__, backoff)
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, 60.0)
                continue
            if event:
                try:
                    await self.handle(event)
                except Exception:
                    log.exception("a Zalo event could not be handled")


def webhook_app(bot: ZaloBot, secret: str, path: str = "/zalo"):
    """A tornado application for Zalo's webhook: the secret header is checked, the body accepted
    wrapped or not."""
    import tornado.web

    class Endpoint(tornado.web.RequestHandler):
        async def post(self) -> None:
            if not secret_ok(self.request.headers.get("X-Bot-Api-Secret-Token"), secret):
                self.set_status(403)
                return
            try:
                event = unwrap(json.loads(self.request.body or b"null"))
            except ValueError:
                event = None
            if event is None:
                self.set_status(400)
                return
            await bot.handle(event)
            self.finish({"ok": True})

    return tornado.web.Application([(path, Endpoint)])
