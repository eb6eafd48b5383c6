"""A fake Zalo Bot Platform API on 127.0.0.1: getMe, getUpdates (one event, 408 when none),
sendMessage (2,000 UTF-16 code units at most; 429 once the plan's quota is used up; 403 as the
documented "internal server error"), setWebhook/deleteWebhook; and a way to act as a person."""

from __future__ import annotations

import asyncio
import itertools
import json
import time


class FakeZalo:
    def __init__(self, token: str = "zalo-test-token") -> None:
        self.token = token
        self.events: asyncio.Queue = asyncio.Queue()
        self.sent: list[tuple[str, str]] = []
        self.calls: list[tuple[str, dict]] = []
        self._ids = itertools.count(1)
        self._signal = asyncio.Condition()
        self._cursor: dict[str, int] = {}
        self.blocked: set[str] = set()
        self.fail_next: list[int] = []
        self.quota: int | None = None  # messages the plan allows (the basic plan: 3,000 a month); then 429
        self.port: int | None = None
        self._server = None
        self.pusher = None  # while a webhook is set
        self._taken: list[dict] = []

    async def _next_for_webhook(self) -> dict:
        if self._taken:  # handed to a webhook before and never answered 200: again
            return self._taken[0]
        event = await self.events.get()
        self._taken.append(event)
        return event

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/bot"

    # ---- people ---------------------------------------------------------------------------
    def event(self, user_id: str, text: str | None = None, kind: str = "message.text.received",
              message_id: str | None = None) -> dict:
        message = {"message_id": message_id or f"m{next(self._ids)}", "date": int(time.time() * 1000),
                   "from": {"id": user_id, "display_name": "Người dùng", "is_bot": False},
                   "chat": {"id": user_id, "chat_type": "PRIVATE"}}
        if text is not None:
            message["text"] = text
        if kind == "message.image.received":
            message["photo"] = "https://example.invalid/p.jpg"  # the field the documentation names
        return {"event_name": kind, "message": message}

    async def user_says(self, user_id: str, text: str) -> dict:
        event = self.event(user_id, text)
        await self.events.put(event)
        return event

    async def wait_sent(self, chat_id: str, count: int = 1, timeout: float = 10.0) -> list[str]:
        start = self._cursor.setdefault(chat_id, 0)

        def mine():
            return [text for chat, text in self.sent if chat == chat_id][start:]

        async with self._signal:
            await asyncio.wait_for(self._signal.wait_for(lambda: len(mine()) >= count), timeout)
        self._cursor[chat_id] = start + count
        return mine()[:count]

    def to(self, chat_id: str) -> list[str]:
        return [text for chat, text in self.sent if chat == chat_id]

    # ---- the API --------------------------------------------------------------------------
    async def call(self, method: str, params: dict) -> tuple[int, dict]:
        self.calls.append((method, params))
        if method == "getMe":
            return 200, {"ok": True, "result": {"id": "bot1", "account_name": "hoanhap", "display_name": "Hòa Nhập"}}
        if method == "deleteWebhook":
            if self.pusher is not None:
                await self.pusher.stop()
                self.pusher = None
            return 200, {"ok": True, "result": True}
        if method == "setWebhook":  # events are POSTed there from now on, each until the bot answers 200
            from tests.support.webhook_pusher import WebhookPusher

            secret = str(params.get("secret_token") or "")
            if not 8 <= len(secret) <= 256:
                return 200, {"ok": False, "error_code": 400, "description": "secret_token must have 8-256 characters"}
            if self.pusher is not None:
                await self.pusher.stop()
            self.pusher = WebhookPusher(str(params["url"]), {"X-Bot-Api-Secret-Token": secret},
                                        self._next_for_webhook, lambda event: self._taken.pop(0))
            return 200, {"ok": True, "result": True}
        if method == "getUpdates" and self.pusher is not None:  # polling and a webhook exclude each other
            return 200, {"ok": False, "error_code": 409, "description": "webhook is set"}
        if method == "getUpdates":
            try:
                event = await asyncio.wait_for(self.events.get(), float(params.get("timeout", 1)))
            except asyncio.TimeoutError:
                return 200, {"ok": False, "error_code": 408, "description": "Request timeout"}
            return 200, {"ok": True, "result": event}
        if method == "sendMessage":
            if self.fail_next:
                code = self.fail_next.pop(0)
                return code, {"ok": False, "error_code": code, "description": "error"}
            chat, text = str(params.get("chat_id")), str(params.get("text", ""))
            if self.quota is not None and len(self.sent) >= self.quota:
                return 429, {"ok": False, "error_code": 429, "description": "Quota exceeded"}
            if chat in self.blocked:  # Zalo gives no "blocked" answer; its docs call 403 an internal error
                return 403, {"ok": False, "error_code": 403, "description": "Internal server error"}
            if not 1 <= len(text.encode("utf-16-le")) // 2 <= 2000:  # counted in UTF-16 code units
                return 200, {"ok": False, "error_code": 400, "description": "text must have 1-2000 characters"}
            async with self._signal:
                self.sent.append((chat, text))
                self._signal.notify_all()
            return 200, {"ok": True, "result": {"message_id": f"out{next(self._ids)}", "date": int(time.time() * 1000)}}
        return 404, {"ok": False, "error_code": 404, "description": f"no method {method}"}

    async def start(self) -> "FakeZalo":
        import tornado.httpserver
        import tornado.netutil
        import tornado.web

        fake = self

        class Endpoint(tornado.web.RequestHandler):
            async def post(self, token: str, method: str) -> None:
                if token != fake.token:
                    status, body = 401, {"ok": False, "error_code": 401, "description": "Unauthorized"}
                else:
                    status, body = await fake.call(method, json.loads(self.request.body or b"{}"))
                self.set_status(status)
                self.finish(body)

        sockets = tornado.netutil.bind_sockets(0, "127.0.0.1")
        self.port = sockets[0].getsockname()[1]
        self._server = tornado.httpserver.HTTPServer(tornado.web.Application([(r"/bot([^/]+)/(\w+)", Endpoint)]))
        self._server.add_sockets(sockets)
        return self

    async def stop(self) -> None:
        self._server.stop()
        await self._server.close_all_connections()
