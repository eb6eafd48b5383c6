"""A fake Telegram Bot API: the methods the bot calls, and a way to act as a person.

``FakeBotApi`` holds the state and answers method calls. It is reached either in-process,
through :class:`InProcessRequest` (a PTB ``BaseRequest``), or over real HTTP on 127.0.0.1,
through :class:`FakeTelegramServer` (tornado). The same fake serves both, so they cannot drift.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

from telegram.request import BaseRequest, RequestData

BOT_USER = {
    "id": 700000001,
    "is_bot": True,
    "first_name": "Hòa Nhập",
    "username": "HoaNhapTestBot",
    "can_join_groups": True,
    "can_read_all_group_messages": False,
    "supports_inline_queries": False,
}
MAX_TEXT = 4096


class ApiError(Exception):
    def __init__(self, code: int, description: str, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.code = code
        self.description = description
        self.retry_after = retry_after


@dataclass
class Sent:
    """A message the bot sent (or edited), as a person would see it."""

    chat_id: int
    message_id: int
    text: str
    buttons: list[tuple[str, str]]  # (label, callback_data)
    raw: dict[str, Any] = field(repr=False)
    at: float = field(default_factory=time.perf_counter, repr=False)  # when it reached the fake

    @property
    def labels(self) -> list[str]:
        return [label for label, _ in self.buttons]

    def data_of(self, label: str) -> str:
        for text, data in self.buttons:
            if text == label:
                return data
        raise KeyError(f"no button {label!r} in {self.labels}")


def _decode(params: dict[str, Any]) -> dict[str, Any]:
    """PTB posts strings raw and everything else JSON-encoded."""
    out = {}
    for key, value in params.items():
        if isinstance(value, str) and key in {"reply_markup", "commands", "scope", "entities", "allowed_updates",
                                              "link_preview_options", "reply_parameters"}:
            value = json.loads(value)
        out[key] = value
    return out


class Limits:
    """Telegram's limits, enforced like the real API: too fast → 429 with ``retry_after``.

    Sliding windows: ``overall`` sends per second across all chats, one per ``per_chat`` seconds
    to the same chat. ``blocked`` users answer 403 (they blocked the bot)."""

    def __init__(self, overall: int = 30, per_chat: float = 1.0, retry_after: int = 1, now=time.monotonic) -> None:
        self.now = now  # the test's time (virtual where a test drives it)
        self.overall = overall
        self.per_chat = per_chat
        self.retry_after = retry_after
        self.recent: list[float] = []
        self.last_per_chat: dict[int, float] = {}
        self.too_many = 0
        self.blocked: set[int] = set()
        self.fail_next: list[int] = []  # status codes to answer before behaving (e.g. [502, 429])

    def check(self, chat_id: int) -> None:
        if self.fail_next:
            code = self.fail_next.pop(0)
            if code == 429:
                self.too_many += 1
                raise ApiError(429, "Too Many Requests: retry after 1", retry_after=1)
            raise ApiError(code, "Bad Gateway")
        if chat_id in self.blocked:
            raise ApiError(403, "Forbidden: bot was blocked by the user")
        now = self.now()
        self.recent = [t for t in self.recent if now - t < 1.0]
        last = self.last_per_chat.get(chat_id)
        if len(self.recent) >= self.overall or (last is not None and now - last < self.per_chat):
            self.too_many += 1
            raise ApiError(429, f"Too Many Requests: retry after {self.retry_after}", retry_after=self.retry_after)
        self.recent.append(now)
        self.last_per_chat[chat_id] = now


class FakeBotApi:
    def __init__(self, token: str = "123456:TEST-token-for-the-fake-api-only", limits: Limits | None = None) -> None:
        self.token = token
        self.limits = limits
        self._update_ids = itertools.count(1)
        self._message_ids = itertools.count(1000)
        self.updates: list[dict] = []
        self._arrived = asyncio.Condition()
        self.sent: list[Sent] = []
        self.calls: list[tuple[str, dict]] = []
        self.callback_answers: list[dict] = []
        self.commands: dict[str, list[dict]] = {}
        self.messages: dict[tuple[int, int], dict] = {}  # (chat_id, message_id) → message
        self.migrated: dict[int, int] = {}  # old group id → new supergroup id
        self._sent_signal = asyncio.Condition()
        self._cursors: dict[int, int] = {}
        self.polls = 0  # per chat: how many sent messages a test has taken
        self.answered: set[str] = set()  # callback queries answered (each may be answered once)
        self.delay = 0.0  # seconds each send/edit takes, as a network round trip would
        self.pusher = None  # while a webhook is set
        self.by_chat: dict[int, list[Sent]] = {}  # what each chat received, in order

    # ---- acting as people -----------------------------------------------------------------
    @staticmethod
    def user(user_id: int, first_name: str = "Test", language_code: str = "vi") -> dict:
        return {"id": user_id, "is_bot": False, "first_name": first_name, "language_code": language_code}

    async def _push(self, update: dict) -> dict:
        async with self._arrived:
            update["update_id"] = next(self._update_ids)
            self.updates.append(update)
            self._arrived.notify_all()
        return update

    async def user_says(self, user_id: int, text: str, **user: Any) -> dict:
        """A person types ``text`` in their private chat with the bot."""
        message = {
            "message_id": next(self._message_ids),
            "date": int(time.time()),
            "chat": {"id": user_id, "type": "private", "first_name": user.get("first_name", "Test")},
            "from": self.user(user_id, **user),
            "text": text,
        }
        if text.startswith("/"):
            command = text.split()[0]
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(command)}]
        return await self._push({"message": message})

    async def user_sends_photo(self, user_id: int) -> dict:
        message = {
            "message_id": next(self._message_ids),
            "date": int(time.time()),
            "chat": {"id": user_id, "type": "private", "first_name": "Test"},
            "from": self.user(user_id),
            "photo": [{"file_id": "photo-1", "file_unique_id": "u1", "width": 90, "height": 90}],
        }
        return await self._push({"message": message})

    async def user_presses(self, user_id: int, sent: Sent, label: str | None = None, *, data: str | None = None) -> dict:
        """A person presses a button (by its label) under a message the bot sent; or forges ``data``."""
        payload = data if data is not None else sent.data_of(label)
        query = {
            "id": str(next(self._update_ids) * 7),
            "from": self.user(user_id),
            "chat_instance": f"ci-{user_id}",
            "data": payload,
            "message": self.messages.get((sent.chat_id, sent.message_id), sent.raw),
        }
        return await self._push({"callback_query": query})

    async def user_edits(self, user_id: int, text: str) -> dict:
        """A person edits a message they sent earlier."""
        message = {"message_id": next(self._message_ids), "date": int(time.time()), "edit_date": int(time.time()),
                   "chat": {"id": user_id, "type": "private", "first_name": "Test"}, "from": self.user(user_id),
                   "text": text}
        return await self._push({"edited_message": message})

    async def user_blocks(self, user_id: int, blocked: bool = True) -> dict:
        """A person blocks (or unblocks) the bot: Telegram sends my_chat_member."""
        status = {"status": "kicked", "user": BOT_USER, "until_date": 0} if blocked else {"status": "member", "user": BOT_USER}
        old = {"status": "member", "user": BOT_USER} if blocked else {"status": "kicked", "user": BOT_USER, "until_date": 0}
        if blocked:
            self.limits = self.limits or Limits(overall=10_000, per_chat=0.0)
            self.limits.blocked.add(user_id)
        elif self.limits is not None:
            self.limits.blocked.discard(user_id)
        return await self._push({"my_chat_member": {
            "chat": {"id": user_id, "type": "private", "first_name": "Test"}, "from": self.user(user_id),
            "date": int(time.time()), "old_chat_member": old, "new_chat_member": status}})

    async def user_says_in_group(self, group_id: int, user_id: int, text: str) -> dict:
        message = {"message_id": next(self._message_ids), "date": int(time.time()),
                   "chat": {"id": group_id, "type": "group", "title": "Công an xã"}, "from": self.user(user_id),
                   "text": text}
        if text.startswith("/"):
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]
        return await self._push({"message": message})

    async def group_migrates(self, group_id: int, new_id: int) -> dict:
        """A group is upgraded to a supergroup: it gets a new id, and the old one answers 400."""
        self.migrated[group_id] = new_id
        return await self._push({"message": {
            "message_id": next(self._message_ids), "date": int(time.time()),
            "chat": {"id": group_id, "type": "group", "title": "Công an xã"}, "from": self.user(1),
            "migrate_to_chat_id": new_id}})

    async def raw_update(self, update: dict) -> dict:
        """Anything at all, as Telegram might send it one day (the update id is added)."""
        return await self._push(update)

    async def wait_sent(self, chat_id: int, count: int = 1, timeout: float = 10.0) -> list[Sent]:
        """Wait until ``count`` more messages reach ``chat_id`` after the last one taken."""
        cursor = self._cursors.setdefault(chat_id, 0)

        def mine() -> list[Sent]:
            return [s for s in self.sent if s.chat_id == chat_id][cursor:]

        async with self._sent_signal:
            await asyncio.wait_for(self._sent_signal.wait_for(lambda: len(mine()) >= count), timeout)
        got = mine()[:count]
        self._cursors[chat_id] = cursor + count
        return got

    def take_pending(self, chat_id: int) -> list[Sent]:
        """Everything sent to ``chat_id`` that no ``wait_sent`` has taken yet (and take it)."""
        cursor = self._cursors.setdefault(chat_id, 0)
        pending = self.all_to(chat_id)[cursor:]
        self._cursors[chat_id] = cursor + len(pending)
        return pending

    def all_to(self, chat_id: int) -> list[Sent]:
        return [s for s in self.sent if s.chat_id == chat_id]

    # ---- the Bot API ------------------------------------------------------------------------
    async def call(self, method: str, params: dict[str, Any]) -> Any:
        params = _decode(params)
        self.calls.append((method, params))
        handler = getattr(self, f"api_{method}", None)
        if handler is None:
            raise ApiError(404, f"Not Found: method {method} is not faked")
        return await handler(params)

    async def api_getMe(self, p):
        return BOT_USER

    async def api_deleteWebhook(self, p):
        if self.pusher is not None:
            await self.pusher.stop()
            self.pusher = None
        return True

    async def api_setWebhook(self, p):
        """From now on updates are POSTed to ``url`` (with the secret header), in order, each until the
        bot answers 200 — and getUpdates is refused, as on Telegram."""
        from tests.support.webhook_pusher import WebhookPusher

        if self.pusher is not None:
            await self.pusher.stop()
        headers = {"X-Telegram-Bot-Api-Secret-Token": p["secret_token"]} if p.get("secret_token") else {}
        self.pusher = WebhookPusher(p["url"], headers, self._next_for_webhook, self._delivered_by_webhook)
        return True

    async def _next_for_webhook(self) -> dict:
        async with self._arrived:
            await self._arrived.wait_for(lambda: bool(self.updates))
            return self.updates[0]

    def _delivered_by_webhook(self, update: dict) -> None:
        self.updates = [u for u in self.updates if u["update_id"] != update["update_id"]]

    async def api_getUpdates(self, p):
        if self.pusher is not None:
            raise ApiError(409, "Conflict: can't use getUpdates method while webhook is active; "
                                "use deleteWebhook to delete the webhook first")
        self.polls += 1
        offset = int(p.get("offset") or 0)
        timeout = float(p.get("timeout") or 0)
        limit = int(p.get("limit") or 100)
        async with self._arrived:
            self.updates = [u for u in self.updates if u["update_id"] >= offset]
            if not self.updates and timeout > 0:
                try:
                    await asyncio.wait_for(self._arrived.wait_for(lambda: bool(self.updates)), timeout)
                except asyncio.TimeoutError:
                    pass
            return self.updates[:limit]

    async def _record(self, chat_id: int, message: dict) -> Sent:
        markup = message.get("reply_markup") or {}
        buttons = [(b["text"], b.get("callback_data", "")) for row in markup.get("inline_keyboard", []) for b in row]
        sent = Sent(chat_id, message["message_id"], message.get("text", ""), buttons, message)
        self.by_chat.setdefault(chat_id, []).append(sent)
        async with self._sent_signal:
            self.sent.append(sent)
            self._sent_signal.notify_all()
        return sent

    async def api_sendMessage(self, p):
        if self.delay:
            await asyncio.sleep(self.delay)
        if int(p["chat_id"]) in self.migrated:
            raise ApiError(400, "Bad Request: group chat was upgraded to a supergroup chat")
        if self.limits is not None:
            self.limits.check(int(p["chat_id"]))
        text = str(p.get("text", ""))
        if not text:
            raise ApiError(400, "Bad Request: message text is empty")
        if len(text) > MAX_TEXT:
            raise ApiError(400, "Bad Request: message is too long")
        for row in (p.get("reply_markup") or {}).get("inline_keyboard", []):
            for button in row:
                if len(button.get("callback_data", "").encode()) > 64:
                    raise ApiError(400, "Bad Request: BUTTON_DATA_INVALID")
        chat_id = int(p["chat_id"])
        message = {
            "message_id": next(self._message_ids),
            "date": int(time.time()),
            "chat": {"id": chat_id, "type": "private" if chat_id > 0 else "group"},
            "from": {k: BOT_USER[k] for k in ("id", "is_bot", "first_name", "username")},
            "text": text,
        }
        if p.get("reply_markup"):
            message["reply_markup"] = p["reply_markup"]
        self.messages[(chat_id, message["message_id"])] = message
        await self._record(chat_id, message)
        return message

    async def _send_file(self, p, field: str) -> dict:
        """sendDocument / sendPhoto: a file (uploaded, or a file id) with an optional caption."""
        if self.limits is not None:
            self.limits.check(int(p["chat_id"]))
        if not p.get(field):
            raise ApiError(400, f"Bad Request: there is no {field} in the request")
        caption = str(p.get("caption") or "")
        if len(caption) > 1024:
            raise ApiError(400, "Bad Request: message caption is too long")
        chat_id = int(p["chat_id"])
        message = {"message_id": next(self._message_ids), "date": int(time.time()),
                   "chat": {"id": chat_id, "type": "private" if chat_id > 0 else "group"},
                   "from": {k: BOT_USER[k] for k in ("id", "is_bot", "first_name", "username")},
                   "caption": caption, "text": caption,
                   field: {"file_id": f"file{next(self._message_ids)}", "file_unique_id": "u"}}
        if field == "photo":
            message["photo"] = [{"file_id": f"photo{message['message_id']}", "file_unique_id": "u", "width": 800,
                                 "height": 450}]
        self.messages[(chat_id, message["message_id"])] = message
        await self._record(chat_id, message)
        return message

    async def api_sendDocument(self, p):
        return await self._send_file(p, "document")

    async def api_sendPhoto(self, p):
        return await self._send_file(p, "photo")

    async def api_editMessageText(self, p):
        if self.delay:
            await asyncio.sleep(self.delay)
        key = (int(p["chat_id"]), int(p["message_id"]))
        if key not in self.messages:
            raise ApiError(400, "Bad Request: message to edit not found")
        message = dict(self.messages[key], text=p["text"])
        message.pop("reply_markup", None)
        if p.get("reply_markup"):
            message["reply_markup"] = p["reply_markup"]
        self.messages[key] = message
        return message

    async def api_editMessageReplyMarkup(self, p):
        if self.delay:
            await asyncio.sleep(self.delay)
        key = (int(p["chat_id"]), int(p["message_id"]))
        if key not in self.messages:
            raise ApiError(400, "Bad Request: message to edit not found")
        new_markup = (p.get("reply_markup") or {}).get("inline_keyboard") or None
        if new_markup == ((self.messages[key].get("reply_markup") or {}).get("inline_keyboard") or None):
            raise ApiError(400, "Bad Request: message is not modified: specified new message content and reply "
                                "markup are exactly the same as a current content and reply markup of the message")
        message = dict(self.messages[key])
        message.pop("reply_markup", None)
        if p.get("reply_markup") and p["reply_markup"].get("inline_keyboard"):
            message["reply_markup"] = p["reply_markup"]
        self.messages[key] = message
        return message

    async def api_answerCallbackQuery(self, p):
        if self.delay:
            await asyncio.sleep(self.delay)
        if p["callback_query_id"] in self.answered:
            raise ApiError(400, "Bad Request: query is too old and response timeout expired or query ID is invalid")
        self.answered.add(p["callback_query_id"])
        self.callback_answers.append(p)
        return True

    async def api_setMyCommands(self, p):
        scope = p.get("scope") or {"type": "default"}
        key = json.dumps([scope, p.get("language_code", "")], sort_keys=True)
        self.commands[key] = p["commands"]
        return True

    async def api_deleteMyCommands(self, p):
        return True

    async def api_sendChatAction(self, p):
        return True

    def commands_for_chat(self, chat_id: int) -> list[str]:
        key = json.dumps([{"type": "chat", "chat_id": chat_id}, ""], sort_keys=True)
        return [c["command"] for c in self.commands.get(key, [])]


def _envelope(result: Any = None, error: ApiError | None = None) -> tuple[int, bytes]:
    if error is None:
        return 200, json.dumps({"ok": True, "result": result}).encode()
    body: dict[str, Any] = {"ok": False, "error_code": error.code, "description": error.description}
    if error.retry_after is not None:
        body["parameters"] = {"retry_after": error.retry_after}
    return error.code, json.dumps(body).encode()


class InProcessRequest(BaseRequest):
    """PTB's HTTP layer replaced by a direct call into :class:`FakeBotApi` (no sockets)."""

    def __init__(self, api: FakeBotApi) -> None:
        self.api = api

    @property
    def read_timeout(self) -> float | None:
        return 5.0

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None

    async def do_request(self, url, method, request_data: RequestData | None = None, **_timeouts):
        name = url.rsplit("/", 1)[-1]
        params = dict(request_data.json_parameters) if request_data else {}
        if request_data is not None and request_data.multipart_data:  # uploaded files, as the real API gets them
            for key, value in request_data.multipart_data.items():
                params.setdefault(key, value)
        try:
            return _envelope(await self.api.call(name, params))
        except ApiError as error:
            return _envelope(error=error)


class FakeTelegramServer:
    """The fake over real HTTP on 127.0.0.1 (a random free port)."""

    def __init__(self, api: FakeBotApi | None = None) -> None:
        self.api = api or FakeBotApi()
        self.port: int | None = None
        self._server = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/bot"

    async def start(self) -> "FakeTelegramServer":
        import tornado.httpserver
        import tornado.netutil
        import tornado.web

        api = self.api

        class Endpoint(tornado.web.RequestHandler):
            async def post(self, token: str, method: str) -> None:
                if token != api.token:
                    status, body = _envelope(error=ApiError(401, "Unauthorized"))
                else:
                    content_type = self.request.headers.get("Content-Type", "")
                    if content_type.startswith("application/json"):
                        params = json.loads(self.request.body or b"{}")
                    else:
                        params = dict(parse_qsl(self.request.body.decode(), keep_blank_values=True))
                    try:
                        status, body = _envelope(await api.call(method, params))
                    except ApiError as error:
                        status, body = _envelope(error=error)
                self.set_status(status)
                self.set_header("Content-Type", "application/json")
                self.finish(body)

            get = post

        app = tornado.web.Application([(r"/bot([^/]+)/(\w+)", Endpoint)])
        sockets = tornado.netutil.bind_sockets(0, "127.0.0.1")
        self.port = sockets[0].getsockname()[1]
        self._server = tornado.httpserver.HTTPServer(app)
        self._server.add_sockets(sockets)
        return self

    async def stop(self) -> None:
        if self._server is not None:
            self._server.stop()
            await self._server.close_all_connections()
