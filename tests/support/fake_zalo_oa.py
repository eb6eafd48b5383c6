"""A fake Zalo Official Account platform on 127.0.0.1, as strict as the real one is documented to
be (``../shared/channels/zalo-oa.md``):

- OAuth v4: ``GET /v4/oa/permission`` (an admin who always allows: redirects with ``code`` and
  ``oa_id``), ``POST /v4/oa/access_token`` (form body, app secret in a ``secret_key`` header; a code
  is single use and lives 10 minutes and must match its PKCE challenge; access tokens live 25 h;
  refresh tokens are single use: a refresh kills the old one and the old access token);
- the Open API: ``POST /v3.0/oa/message/cs`` (a bare ``access_token`` header; errors with HTTP 200
  as ``{"error": <negative>}``: -216 invalid token, -220 expired, -201 bad field or text over 2,000,
  -213 not following, -230 no interaction within 7 days, -320 after 48 h without a funded Zalo
  Cloud Account, -32 over the per-minute limit), ``POST /v2.0/oa/upload/image`` (JPG/PNG ≤ 1 MB);
- a CDN for photos people send (links that can expire);
- webhooks: each event POSTed with ``X-ZEvent-Signature: mac=sha256(app_id + body + timestamp + OA
  secret key)`` over the exact bytes sent, retried until the bot answers 200, and sometimes
  delivered twice (at least once).

Time is the test's clock (``now``), so token lifetimes and the window follow the bot's clock.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import itertools
import json
import secrets
from datetime import datetime, timedelta
from urllib.parse import urlencode

import httpx

ACCESS_LIFETIME = timedelta(hours=25)
CODE_LIFETIME = timedelta(minutes=10)


class FakeZaloOA:
    def __init__(self, now, *, app_id: str = "2553928453557884079", app_secret: str = "app-secret-0123456789",
                 oa_secret_key: str = "oa-secret-key-abcdefgh", oa_id: str = "3662729599332560487") -> None:
        self.now = now  # () -> aware datetime
        self.app_id, self.app_secret, self.oa_secret_key, self.oa_id = app_id, app_secret, oa_secret_key, oa_id
        self.port: int | None = None
        self._server = None
        self._ids = itertools.count(1)
        self.codes: dict[str, tuple[datetime, str | None]] = {}  # code -> (issued, challenge)
        self.refresh_tokens: dict[str, datetime] = {}  # valid ones -> issued
        self.access_tokens: dict[str, datetime] = {}  # valid ones -> expiry
        self.last_interaction: dict[str, datetime] = {}
        self.unfollowed: set[str] = set()
        self.zca_funded = False
        self.per_minute: int | None = None
        self._minute: list[datetime] = []
        self.sent: list[tuple[str, dict]] = []  # (user_id, message)
        self.sent_at: list[tuple[str, float]] = []  # (user_id, loop time it arrived)
        self.errors: list[int] = []  # error codes answered
        self.token_calls: list[dict] = []
        self.cdn: dict[str, tuple[str, bytes]] = {}
        self.webhook: str | None = None
        self.retry_every = 0.1
        self.delay = 0.0  # seconds each API call takes (the network's round trip)
        self.ack_seconds: list[float] = []  # how long the bot took to answer each webhook request
        self.delivered: list[dict] = []
        self._outbox: asyncio.Queue = asyncio.Queue()
        self._pusher: asyncio.Task | None = None
        self._signal = asyncio.Condition()
        self._cursor: dict[str, int] = {}

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    # ---- an admin authorises the app -------------------------------------------------------
    def grant_refresh_token(self) -> str:
        """What an operator may copy from Zalo's API Explorer: a fresh refresh token."""
        token = "rt-" + secrets.token_hex(8)
        self.refresh_tokens[token] = self.now()
        return token

    def expire_everything(self) -> None:
        """The admin removed the app's access (or three months passed): every token is refused."""
        self.refresh_tokens.clear()
        self.access_tokens.clear()

    def _pair(self) -> dict:
        access, refresh = "at-" + secrets.token_hex(8), "rt-" + secrets.token_hex(8)
        self.access_tokens = {access: self.now() + ACCESS_LIFETIME}  # a new access token kills the old
        self.refresh_tokens[refresh] = self.now()
        return {"access_token": access, "refresh_token": refresh, "expires_in": str(int(ACCESS_LIFETIME.total_seconds()))}

    def token_endpoint(self, headers, form: dict) -> tuple[int, dict]:
        self.token_calls.append(dict(form))
        if headers.get("secret_key") != self.app_secret or form.get("app_id") != self.app_id:
            return 200, {"error": -14002, "error_name": "Invalid app id or secret key"}
        if form.get("grant_type") == "authorization_code":
            issued = self.codes.pop(form.get("code", ""), None)
            if issued is None or self.now() - issued[0] > CODE_LIFETIME:
                return 200, {"error": -14003, "error_name": "Invalid authorization code"}
            challenge = issued[1]
            if challenge is not None:
                verifier = form.get("code_verifier", "")
                computed = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
                if computed != challenge:
                    return 200, {"error": -14019, "error_name": "Invalid code verifier"}
            return 200, self._pair()
        if form.get("grant_type") == "refresh_token":
            if self.refresh_tokens.pop(form.get("refresh_token", ""), None) is None:  # single use
                return 200, {"error": -14014, "error_name": "Invalid refresh token"}
            return 200, self._pair()
        return 200, {"error": -14001, "error_name": "Invalid grant type"}

    # ---- the API -------------------------------------------------------------------------------
    def _token_error(self, headers) -> int | None:
        token = headers.get("access_token")
        if token not in self.access_tokens:
            return -216
        if self.now() >= self.access_tokens[token]:
            return -220
        if self.per_minute is not None:
            self._minute = [t for t in self._minute if self.now() - t < timedelta(minutes=1)]
            if len(self._minute) >= self.per_minute:
                return -32
            self._minute.append(self.now())
        return None

    def _error(self, code: int, message: str) -> tuple[int, dict]:
        self.errors.append(code)
        return 200, {"error": code, "message": message}

    async def send_cs(self, headers, body: dict) -> tuple[int, dict]:
        error = self._token_error(headers)
        if error is not None:
            return self._error(error, "Access token is invalid" if error == -216 else "limit or expired")
        user = str((body.get("recipient") or {}).get("user_id") or "")
        message = body.get("message") or {}
        if not user or not isinstance(message, dict):
            return self._error(-201, "recipient is invalid!")
        text = message.get("text")
        if text is not None and not 1 <= len(str(text).encode("utf-16-le")) // 2 <= 2000:
            return self._error(-201, "text is invalid!")
        if text is None and "attachment" not in message:
            return self._error(-201, "message is invalid!")
        if user in self.unfollowed:
            return self._error(-213, "User has not followed OA")
        last = self.last_interaction.get(user)
        if last is None or self.now() - last > timedelta(days=7):
            return self._error(-230, "User has not interacted with the OA in the past 7 days")
        if self.now() - last > timedelta(hours=48) and not self.zca_funded:
            return self._error(-320, "Your app needs to connect with Zalo Cloud Account")
        message_id = f"mid{next(self._ids)}"
        async with self._signal:
            self.sent_at.append((user, asyncio.get_running_loop().time()))
            self.sent.append((user, message))
            self._signal.notify_all()
        return 200, {"error": 0, "message": "Success", "data": {"message_id": message_id, "user_id": user}}

    async def upload_image(self, headers, files) -> tuple[int, dict]:
        error = self._token_error(headers)
        if error is not None:
            return self._error(error, "token")
        upload = (files.get("file") or [None])[0]
        if upload is None or len(upload["body"]) > 1024 * 1024 or upload["content_type"] not in ("image/png", "image/jpeg"):
            return self._error(-201, "file is invalid!")
        return 200, {"error": 0, "data": {"attachment_id": f"att{next(self._ids)}"}}

    # ---- people -------------------------------------------------------------------------------
    def texts_to(self, user: str) -> list[str]:
        return [m["text"] for u, m in self.sent if u == user and "text" in m]

    async def wait_sent(self, user: str, count: int = 1, timeout: float = 10.0) -> list[str]:
        start = self._cursor.setdefault(user, 0)

        def mine():
            return self.texts_to(user)[start:]

        async with self._signal:
            await asyncio.wait_for(self._signal.wait_for(lambda: len(mine()) >= count), timeout)
        self._cursor[user] = start + count
        return mine()[:count]

    def event(self, user: str, name: str = "user_send_text", *, text: str | None = None,
              attachments: list | None = None) -> dict:
        now_ms = str(int(self.now().timestamp() * 1000))
        if name in ("follow", "unfollow"):
            return {"oa_id": self.oa_id, "follower": {"id": user}, "user_id_by_app": f"app-{user}",
                    "event_name": name, "source": "oa_profile", "app_id": self.app_id, "timestamp": now_ms}
        message: dict = {"msg_id": f"msg{next(self._ids):06d}"}
        if text is not None:
            message["text"] = text
        if attachments is not None:
            message["attachments"] = attachments
        return {"app_id": self.app_id, "sender": {"id": user}, "recipient": {"id": self.oa_id}, "event_name": name,
                "message": message, "timestamp": now_ms, "user_id_by_app": f"app-{user}"}

    def sign(self, body: bytes, event: dict, key: str | None = None) -> str:
        material = self.app_id.encode() + body + str(event["timestamp"]).encode() + (key or self.oa_secret_key).encode()
        return "mac=" + hashlib.sha256(material).hexdigest()

    async def push(self, event: dict, *, twice: bool = False) -> dict:
        """The person did something: Zalo records the interaction and delivers the event."""
        user = (event.get("sender") or event.get("follower") or {}).get("id")
        if event["event_name"] == "unfollow":
            self.unfollowed.add(user)
        elif user:
            self.unfollowed.discard(user)
            self.last_interaction[user] = self.now()
        await self._outbox.put(event)
        if twice:
            await self._outbox.put(event)
        return event

    async def says(self, user: str, text: str, **kw) -> dict:
        return await self.push(self.event(user, text=text), **kw)

    async def sends_photo(self, user: str, content: bytes = b"\x89PNG\r\n\x1a\n fake", caption: str | None = None) -> dict:
        name = f"p{next(self._ids)}.jpg"
        self.cdn[name] = ("image/jpeg", content)
        attachments = [{"type": "image", "payload": {"url": f"{self.base}/cdn/{name}", "thumbnail": ""}}]
        return await self.push(self.event(user, "user_send_image", text=caption, attachments=attachments))

    async def delivered_all(self, timeout: float = 10.0) -> None:
        """Wait until every event pushed so far was answered 200."""
        async def drained():
            while not self._outbox.empty() or self._busy:
                await asyncio.sleep(0.01)
        await asyncio.wait_for(drained(), timeout)

    _busy = False

    async def _push_loop(self) -> None:
        async with httpx.AsyncClient(timeout=10.0) as client:
            while True:
                event = await self._outbox.get()
                self._busy = True
                body = json.dumps(event, ensure_ascii=False).encode()  # the exact bytes that are signed
                while True:
                    try:
                        started = asyncio.get_running_loop().time()
                        response = await client.post(self.webhook, content=body, headers={
                            "Content-Type": "application/json", "X-ZEvent-Signature": self.sign(body, event)})
                        if response.status_code == 200:
                            self.ack_seconds.append(asyncio.get_running_loop().time() - started)
                            break
                    except httpx.TransportError:
                        pass
                    await asyncio.sleep(self.retry_every)  # Zalo: 30 s, 5 min, 15 min, 30 min, 1 h
                self.delivered.append(event)
                self._busy = self._outbox.qsize() > 0

    def set_webhook(self, url: str) -> None:
        self.webhook = url
        if self._pusher is None:
            self._pusher = asyncio.create_task(self._push_loop())

    # ---- the server ----------------------------------------------------------------------------
    async def start(self) -> "FakeZaloOA":
        import tornado.httpserver
        import tornado.netutil
        import tornado.web

        fake = self

        class Handler(tornado.web.RequestHandler):
            def reply(self, status: int, body: dict) -> None:
                self.set_status(status)
                self.finish(body)

        class Permission(Handler):
            def get(self) -> None:
                if self.get_argument("app_id", "") != fake.app_id:
                    self.reply(200, {"error": -14002, "error_name": "Invalid app id"})
                    return
                code = "code-" + secrets.token_hex(6)
                fake.codes[code] = (fake.now(), self.get_argument("code_challenge", None))
                query = {"code": code, "oa_id": fake.oa_id}
                if self.get_argument("state", None):
                    query["state"] = self.get_argument("state")
                self.redirect(self.get_argument("redirect_uri") + "?" + urlencode(query))

        class Token(Handler):
            def post(self) -> None:
                form = {k: self.get_body_argument(k) for k in self.request.body_arguments}
                self.reply(*fake.token_endpoint(self.request.headers, form))

        class Cs(Handler):
            async def post(self) -> None:
                await asyncio.sleep(fake.delay)
                try:
                    body = json.loads(self.request.body)
                except ValueError:
                    self.reply(200, {"error": -201, "message": "body is invalid!"})
                    return
                self.reply(*await fake.send_cs(self.request.headers, body))

        class Upload(Handler):
            async def post(self) -> None:
                self.reply(*await fake.upload_image(self.request.headers, self.request.files))

        class Cdn(tornado.web.RequestHandler):
            def get(self, name: str) -> None:
                if name not in fake.cdn:
                    self.set_status(404)
                    self.finish(b"")
                    return
                mime, content = fake.cdn[name]
                self.set_header("Content-Type", mime)
                self.finish(content)

        app = tornado.web.Application([
            (r"/v4/oa/permission", Permission), (r"/v4/oa/access_token", Token), (r"/v3.0/oa/message/cs", Cs),
            (r"/v2.0/oa/upload/image", Upload), (r"/cdn/(.+)", Cdn)], log_function=lambda handler: None)
        sockets = tornado.netutil.bind_sockets(0, "127.0.0.1")
        self.port = sockets[0].getsockname()[1]
        self._server = tornado.httpserver.HTTPServer(app)
        self._server.add_sockets(sockets)
        return self

    async def stop(self) -> None:
        if self._pusher is not None:
            self._pusher.cancel()
            await asyncio.gather(self._pusher, return_exceptions=True)
        self._server.stop()
        await self._server.close_all_connections()


# ---- the bot's side, as an operator sets it up ----------------------------------------------------

async def register(services, platform, commune: str | None = "Xã Mẫu Sơn"):
    """``hoanhap zalo-oa add`` then ``tokens``, as an operator does."""
    from bot.channels.zalo_oa import ZaloOA
    from bot.storage.communes import Communes
    from bot.storage.zalo_oa import OfficialAccounts

    commune_id = None
    async with services.db.transaction() as tx:
        if commune:
            commune_id = (await Communes.get_or_create(tx, commune, services.clock.now())).id
        await OfficialAccounts.add(tx, app_id=platform.app_id, app_secret=platform.app_secret,
                                   oa_secret_key=platform.oa_secret_key, commune_id=commune_id,
                                   now=services.clock.now())
    oa = ZaloOA(services.db, services.clock, api_base=platform.base, oauth_base=platform.base)
    await oa.store_refresh_token(platform.app_id, platform.grant_refresh_token())
    return oa


async def wrote_now(db, platform, user: str) -> None:
    """The person wrote to the OA just now (as the webhook would record it, on both sides)."""
    from bot.storage.zalo_oa import OAUsers

    now = platform.now()
    platform.last_interaction[user] = now
    async with db.transaction() as tx:
        await OAUsers.interacted(tx, platform.app_id, user, now)
