"""Zalo's Bot Platform: a small httpx client, the channel (numbered choices, 2,000-character
parts), and the translation of Zalo events into the pipeline's events (polled, or by webhook).

Zalo has no keyboards, no callbacks and no editing: choices are a numbered list answered by
number or by their words (the shared router does that). ``getUpdates`` returns one event and no
offset, so the inbox drops a replay by ``message_id``.

Errors, as the documentation defines them: 429 is "quota exceeded" (the plan's monthly messages
are used up: the whole messenger is held and police are told); 403 is "internal server error" and,
like 408 and 5xx, passes. No single error marks a person unreachable: a message that keeps failing
is given up by the outbox after its lifetime, and commune police see it.
"""

from __future__ import annotations

import asyncio
import hmac
import logging

import httpx

from bot.aio import Stopped, unless_stopped
from bot.channels.errors import DeliveryError, QuotaExhausted, TemporaryFailure
from bot.dialog.types import Reply
from bot.models import Messenger
from bot.runtime.events import PROTECTED, Inbound
from bot.runtime.web import json_body
from bot.textnorm import split_text, utf16_units

log = logging.getLogger(__name__)

MAX_TEXT = 2000
QUOTA_HOLD = 3600.0  # seconds Zalo's lane waits after "quota exceeded" before trying again
DEFAULT_BASE_URL = "https://bot-api.zaloplatforms.com/bot"


class ZaloError(Exception):
    def __init__(self, code: int, description: str) -> None:
        super().__init__(f"{code}: {description}")
        self.code = code


class ZaloClient:
    def __init__(self, token: str, base_url: str = DEFAULT_BASE_URL, *, client: httpx.AsyncClient | None = None,
                 pool: int = 20) -> None:
        self._url = f"{base_url.rstrip('/')}{token}"
        # Its own pool, sized for the workers: a slow Zalo never holds up Telegram's connections.
        self._client = client or httpx.AsyncClient(timeout=httpx.Timeout(40.0, connect=10.0),
                                                   limits=httpx.Limits(max_connections=pool))

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

    async def connect(self) -> None:
        """One ``getMe``: a token Zalo refuses stops the start with a clear line."""
        from bot.config import ConfigError

        try:
            await self.call("getMe")
        except ZaloError as error:
            if error.code in (401, 403, 404):
                raise ConfigError("HOANHAP_ZALO_TOKEN was refused by Zalo (getMe): check the bot's token.") from None
            raise

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
            if error.code == 429:  # "quota exceeded": look again in an hour
                raise QuotaExhausted(QUOTA_HOLD) from None
            if error.code == 400:  # the request itself is wrong: sending it again cannot help
                raise DeliveryError(str(error)) from None
            raise TemporaryFailure(f"Zalo error {error.code}") from None  # 403 is a server error; 408, 5xx
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

    async def acknowledge(self, event) -> None:
        """Zalo has no buttons to acknowledge."""

    async def after_turn(self, event, before, after) -> None:
        """Zalo has no command menu to update."""

    async def send(self, chat_id: str, reply: Reply) -> str | None:
        text = render(reply)
        if reply.attachment is not None:  # Zalo's sendPhoto takes a URL, not a file: say where to find it
            text += "\n" + "📎 " + reply.attachment.filename
        message_id = None
        for part in split_text(text, MAX_TEXT, size=utf16_units):  # Zalo counts UTF-16 code units
            message_id = await self.client.send_message(chat_id, part)
        return message_id


def unwrap(payload: object) -> dict | None:
    """A webhook body may be the event itself or wrapped in {ok, result}."""
    if isinstance(payload, dict) and "result" in payload and "event_name" not in payload:
        payload = payload["result"]
    return payload if isinstance(payload, dict) and "event_name" in payload else None


def secret_ok(received: str | None, expected: str) -> bool:
    return received is not None and hmac.compare_digest(received.encode(), expected.encode())


def to_inbound(event: dict) -> Inbound | None:
    """A Zalo event → the pipeline's event (None for what the bot does not answer)."""
    message = event.get("message") or {}
    sender = (message.get("from") or {}).get("id")
    chat = message.get("chat") or {}
    message_id = message.get("message_id")
    if not sender or not message_id:
        return None
    group = str(chat.get("chat_type") or "PRIVATE").upper() != "PRIVATE"
    base = dict(channel=Messenger.ZALO.value, external_id=str(message_id), user_id=str(sender),
                chat_id=str(chat.get("id") or sender), group=group)
    name = event.get("event_name", "")
    if name == "message.text.received":
        return Inbound(**base, text=str(message.get("text") or ""))
    if name == "message.image.received":
        # The documented field is ``photo``; some clients read ``photo_url``.
        photo = message.get("photo") or message.get("photo_url")
        if photo:
            return Inbound(**base, photo=str(photo), text=message.get("caption") or None)
        return Inbound(**base)
    if name == "message.unsupported.received":  # the sender is a protected user: Zalo withholds the content
        return Inbound(**base, kind=PROTECTED)
    return Inbound(**base)  # stickers, voice notes…: "I can only read text"


async def poll(client: ZaloClient, dispatcher, stop: asyncio.Event, *, min_interval: float = 1.0) -> None:
    """Development only (Zalo recommends webhooks): one event per call, no offset; replays are
    dropped by the inbox on ``message_id``."""
    await client.call("deleteWebhook")
    backoff = 1.0
    while not stop.is_set():
        started = asyncio.get_running_loop().time()
        try:
            event = await unless_stopped(client.get_updates(), stop)
            backoff = 1.0
        except Stopped:
            break
        except (TemporaryFailure, ZaloError) as error:
            log.warning("Zalo getUpdates failed (%s); retrying in %.0f s", type(error).__name__, backoff)
            await _pause(stop, backoff)
            backoff = min(backoff * 2, 60.0)
            continue
        inbound = to_inbound(unwrap(event) or {}) if event else None
        if inbound is not None:
            await dispatcher.receive([inbound])
        elapsed = asyncio.get_running_loop().time() - started
        if elapsed < min_interval:  # an empty poll answers at once (HTTP 408): never a busy loop
            await _pause(stop, min_interval - elapsed)


async def _pause(stop: asyncio.Event, seconds: float) -> None:
    try:
        await asyncio.wait_for(stop.wait(), seconds)
    except asyncio.TimeoutError:
        pass


def webhook_route(dispatcher, secret: str):
    """``POST /zalo``: the secret header checked in constant time, the body accepted wrapped or
    not, stored in the inbox, then 200."""

    async def route(headers, body: bytes) -> tuple[int, dict]:
        if not secret_ok(headers.get("X-Bot-Api-Secret-Token"), secret):
            return 403, {"ok": False}
        event = unwrap(json_body(body))
        if event is None:
            return 400, {"ok": False}
        inbound = to_inbound(event)
        if inbound is not None:
            await dispatcher.receive([inbound])
        return 200, {"ok": True}

    return route
