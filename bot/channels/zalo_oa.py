"""Zalo Official Accounts (the OA Open API): what a commune police unit already runs.

One deployment can serve several OAs (a province server, each commune police's own OA). Each is
registered by its app (``hoanhap zalo-oa add``) and authorised by an OA admin (OAuth v4 with
PKCE); this module holds:

- :class:`ZaloOA` — the httpx client for every registered OA: tokens (refreshed before they
  expire and on ``-216``/``-220``, one refresh at a time per OA, the new pair stored before it is
  used; a refused refresh means an admin must authorise again, and police are told once), API
  calls with Zalo's errors (HTTP 200 with ``{"error": <negative>}``), photo downloads;
- :class:`ZaloOAChannel` — the messenger port: consultation messages split at 2,000 characters,
  choices as a numbered list (``oa.query.hide`` buttons only where an OA turned them on), the
  interaction window checked before anything is tried, files by upload or single-use link;
- :func:`to_inbound` and :func:`webhook_route` — ``POST /zalo-oa`` for every OA, routed by
  ``app_id``, the ``X-ZEvent-Signature`` checked before anything is read, events into the inbox.

A person is ``<app_id>:<user id>`` (Zalo's user ids are scoped to the OA). Sources and confidence
of every platform fact: ``../shared/channels/zalo-oa.md``.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import logging
import secrets
import unicodedata
from datetime import datetime, timedelta, timezone
from urllib.parse import urlencode

import httpx

from bot.channels import zalo
from bot.channels.errors import DeliveryError, NotNow, QuotaExhausted, RateLimited, TemporaryFailure, Unreachable
from bot.dialog.types import Reply
from bot.models import Messenger
from bot.runtime.events import BLOCKED, Inbound
from bot.storage.file_links import FileLinks
from bot.storage.media import Media
from bot.storage.zalo_oa import OAUsers, OfficialAccount, OfficialAccounts
from bot.textnorm import split_text, utf16_units

log = logging.getLogger(__name__)

API_BASE = "https://openapi.zalo.me"
OAUTH_BASE = "https://oauth.zaloapp.com"
MAX_TEXT = 2000
REFRESH_BEFORE = timedelta(hours=2)  # refresh an access token this long before it expires
REFRESH_LIFETIME = timedelta(days=90)  # "3 months"; Zalo does not say it in the answer
CODE_LIFETIME = timedelta(minutes=10)  # an authorisation code (and so our PKCE verifier)
HARD_WINDOW = timedelta(days=7)
LINK_LIFETIME = timedelta(minutes=15)
MAX_PHOTO = 5 * 1024 * 1024
MAX_UPLOAD_IMAGE = 1024 * 1024  # Zalo takes JPG/PNG of 1 MB at most
RACE_CHECKS, RACE_PAUSE = 10, 0.2  # after a refused refresh: look for another process's new pair
RATE_HOLD = 60.0  # seconds an OA waits after -32 ("reached limit call api")

# Zalo's error codes (HTTP 200, {"error": code}) by what the bot does about them.
TOKEN_ERRORS = {-216, -220}               # refresh once, retry once
NOT_FOLLOWING = {-213}                    # the person unfollowed: not reachable here
GONE = {-227, -244}                       # banned or inactive 45 days; this message type restricted
OUTSIDE_WINDOW = {-230, -232, -320, -321}  # no interaction within 7 days; paid window not funded
OA_LIMITS = {-32}                         # slow down, this OA only
OA_QUOTA = {-211, -224}                   # out of quota; the OA's package does not allow it
OA_CONFIG = {-204, -205, -209, -212, -221, -223, -242}  # the OA or app must be fixed by a person
BAD_REQUEST = {-201, -233, -240}          # our request is wrong: never retried


class ZaloOAError(Exception):
    def __init__(self, code: int, message: str) -> None:
        super().__init__(f"Zalo OA error {code}")  # Zalo's message may quote a user id: never in the text
        self.code = code


class NeedsAuthorisation(TemporaryFailure):
    """The OA's refresh token was refused: an OA admin must authorise the app again."""


def chat_id_of(app_id: str, user_id: str) -> str:
    return f"{app_id}:{user_id}"


def split_chat(chat_id: str) -> tuple[str, str]:
    app_id, _sep, user_id = chat_id.partition(":")
    if not app_id or not user_id:
        raise DeliveryError("not a Zalo OA chat")
    return app_id, user_id


# ---- PKCE and signatures ----------------------------------------------------------------------

def pkce_pair() -> tuple[str, str]:
    """(verifier, challenge): 43 characters of base64url, and base64url(SHA-256(verifier)), unpadded."""
    verifier = base64.urlsafe_b64encode(secrets.token_bytes(32)).rstrip(b"=").decode()
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    return verifier, challenge


def signature(app_id: str, body: bytes, timestamp: str, oa_secret_key: str) -> str:
    """``mac=`` + SHA-256 (plain, not HMAC) of app_id + the raw body + timestamp + the OA secret key."""
    return "mac=" + hashlib.sha256(app_id.encode() + body + timestamp.encode() + oa_secret_key.encode()).hexdigest()


def signature_ok(received: str | None, app_id: str, body: bytes, timestamp: str, oa_secret_key: str) -> bool:
    if not received:
        return False
    expected = signature(app_id, body, timestamp, oa_secret_key)
    return hmac.compare_digest(received.strip().lower().encode(), expected.encode())


# ---- the client ---------------------------------------------------------------------------------

class ZaloOA:
    """Every registered OA: tokens, API calls, downloads. One instance per process."""

    def __init__(self, db, clock, *, api_base: str = API_BASE, oauth_base: str = OAUTH_BASE,
                 client: httpx.AsyncClient | None = None, pool: int = 20, on_reauth=None) -> None:
        self.db = db
        self.clock = clock
        self.api_base = api_base.rstrip("/")
        self.oauth_base = oauth_base.rstrip("/")
        self._client = client or httpx.AsyncClient(timeout=httpx.Timeout(20.0, connect=10.0),
                                                   limits=httpx.Limits(max_connections=pool))
        self._locks: dict[str, asyncio.Lock] = {}
        self.on_reauth = on_reauth  # async (account) -> None: tell people an admin must authorise again
        self.stats = {"refreshed": 0, "refresh_failed": 0, "forged": 0, "unknown_app": 0}

    async def close(self) -> None:
        await self._client.aclose()

    async def account(self, app_id: str) -> OfficialAccount | None:
        async with self.db.reading() as conn:
            return await OfficialAccounts.get(conn, app_id)

    async def accounts(self) -> list[OfficialAccount]:
        async with self.db.reading() as conn:
            return await OfficialAccounts.all(conn)

    # -- OAuth ------------------------------------------------------------------------------------

    async def authorisation_link(self, app_id: str, redirect_uri: str) -> str:
        """The link an OA admin opens to let this app act for the OA (valid with its code for 10 min)."""
        if await self.account(app_id) is None:
            raise LookupError(app_id)
        verifier, challenge = pkce_pair()
        state = secrets.token_urlsafe(16)
        async with self.db.transaction() as tx:
            await OfficialAccounts.begin_authorisation(tx, app_id, verifier, state, self.clock.now())
        query = urlencode({"app_id": app_id, "redirect_uri": redirect_uri, "code_challenge": challenge,
                           "state": state})
        return f"{self.oauth_base}/v4/oa/permission?{query}"

    async def exchange_code(self, app_id: str, code: str) -> OfficialAccount:
        """The code the admin brought back → the first token pair, stored."""
        account = await self.account(app_id)
        if account is None:
            raise LookupError(app_id)
        async with self.db.transaction() as tx:
            verifier = await OfficialAccounts.take_verifier(tx, app_id, self.clock.now() - CODE_LIFETIME)
        form = {"code": code, "app_id": app_id, "grant_type": "authorization_code"}
        if verifier:
            form["code_verifier"] = verifier
        tokens = await self._token_call(account, form)
        await self._store(account.app_id, tokens, version=None)
        return await self.account(app_id)

    async def store_refresh_token(self, app_id: str, refresh_token: str) -> None:
        """An operator brings a refresh token: use it at once (it is single use) and keep the new pair."""
        account = await self.account(app_id)
        if account is None:
            raise LookupError(app_id)
        tokens = await self._token_call(account, {"refresh_token": refresh_token, "app_id": app_id,
                                                  "grant_type": "refresh_token"})
        await self._store(app_id, tokens, version=None)

    async def access_token(self, app_id: str, *, stale: str | None = None) -> str:
        """A valid access token: refreshed first when it expires within 2 hours (or is ``stale``:
        Zalo just refused it). One refresh at a time per OA."""
        account = await self.account(app_id)
        if account is None:
            raise DeliveryError("unknown Zalo OA")
        if self._fresh(account, stale):
            return account.access_token
        lock = self._locks.setdefault(app_id, asyncio.Lock())
        async with lock:
            account = await self.account(app_id)  # another task may have refreshed meanwhile
            if self._fresh(account, stale):
                return account.access_token
            return await self._refresh(account)

    def _fresh(self, account: OfficialAccount, stale: str | None) -> bool:
        return (account.access_token is not None and account.access_token != stale
                and account.access_expires_at is not None
                and account.access_expires_at - self.clock.now() > REFRESH_BEFORE)

    async def _refresh(self, account: OfficialAccount) -> str:
        if account.refresh_token is None:
            raise NeedsAuthorisation("not authorised yet")
        if account.reauth_needed_at is not None:  # refused before: only an admin can mend it
            raise NeedsAuthorisation("must be authorised again")
        try:
            tokens = await self._token_call(account, {"refresh_token": account.refresh_token,
                                                      "app_id": account.app_id, "grant_type": "refresh_token"})
        except ZaloOAError:
            # Another process (the server, or ``hoanhap zalo-oa``) may have used the same single-use
            # token a moment earlier: its new pair is on its way to the database.
            for _ in range(RACE_CHECKS):
                now_account = await self.account(account.app_id)
                if now_account.token_version != account.token_version and now_account.access_token:
                    return now_account.access_token
                await asyncio.sleep(RACE_PAUSE)
            self.stats["refresh_failed"] += 1
            log.error("Zalo OA %s: the refresh token was refused; an OA admin must authorise the app again",
                      account.app_id)
            async with self.db.transaction() as tx:
                first = await OfficialAccounts.needs_reauth(tx, account.app_id, self.clock.now())
            if first and self.on_reauth is not None:
                await self.on_reauth(account)
            raise NeedsAuthorisation("refresh refused") from None
        if not await self._store(account.app_id, tokens, version=account.token_version):
            # Someone stored a pair after we read ours; Zalo has just killed that one's refresh token if
            # it was the same as ours, so ours is the only valid one now.
            await self._store(account.app_id, tokens, version=None)
        self.stats["refreshed"] += 1
        return tokens["access_token"]

    async def _store(self, app_id: str, tokens: dict, *, version: int | None) -> bool:
        now = self.clock.now()
        try:
            lifetime = int(str(tokens.get("expires_in") or "90000"))  # a string in Zalo's answer
        except ValueError:
            lifetime = 90000
        async with self.db.transaction() as tx:
            return await OfficialAccounts.store_tokens(
                tx, app_id, access_token=str(tokens["access_token"]), access_expires_at=now + timedelta(seconds=lifetime),
                refresh_token=str(tokens["refresh_token"]), refresh_expires_at=now + REFRESH_LIFETIME, version=version)

    async def _token_call(self, account: OfficialAccount, form: dict) -> dict:
        """POST the OAuth token endpoint (the app secret in a ``secret_key`` header, never in a URL)."""
        try:
            response = await self._client.post(f"{self.oauth_base}/v4/oa/access_token", data=form,
                                               headers={"secret_key": account.app_secret})
        except httpx.TransportError as error:
            raise TemporaryFailure(type(error).__name__) from error
        if response.status_code >= 500:
            raise TemporaryFailure(f"HTTP {response.status_code}")
        try:
            body = response.json()
        except ValueError:
            raise TemporaryFailure(f"HTTP {response.status_code}") from None
        if not isinstance(body, dict) or not body.get("access_token") or not body.get("refresh_token"):
            code = body.get("error") if isinstance(body, dict) else None
            raise ZaloOAError(int(code) if isinstance(code, int) else -1,
                              str(body.get("error_description") or body.get("message") or "") if isinstance(body, dict) else "")
        return body

    # -- the API ----------------------------------------------------------------------------------

    async def api(self, app_id: str, method: str, path: str, *, json_body: dict | None = None,
                  files: dict | None = None, params: dict | None = None) -> dict:
        """One Open API call with the OA's token; a token Zalo refuses is refreshed once and the
        call made once more. Returns ``data``; raises :class:`ZaloOAError` for Zalo's errors."""
        token = await self.access_token(app_id)
        for attempt in (1, 2):
            try:
                response = await self._client.request(method, f"{self.api_base}{path}", json=json_body, files=files,
                                                       params=params, headers={"access_token": token})
            except httpx.TransportError as error:
                raise TemporaryFailure(type(error).__name__) from error
            if response.status_code >= 500 or response.status_code == 429:
                raise TemporaryFailure(f"HTTP {response.status_code}")
            try:
                body = response.json()
            except ValueError:
                raise TemporaryFailure(f"HTTP {response.status_code}") from None
            code = int(body.get("error", 0) or 0) if isinstance(body, dict) else -1
            if code == 0:
                return body.get("data") or {}
            if code in TOKEN_ERRORS and attempt == 1:
                token = await self.access_token(app_id, stale=token)
                continue
            raise ZaloOAError(code, str(body.get("message", "")) if isinstance(body, dict) else "")
        raise AssertionError("unreachable")

    async def download(self, url: str) -> tuple[str, bytes] | None:
        """A photo from Zalo's CDN (its links do not last): (type, bytes), or None."""
        if not url.startswith(("https://", "http://")):
            return None
        try:
            async with self._client.stream("GET", url) as response:
                if response.status_code != 200:
                    return None
                mime = response.headers.get("content-type", "").split(";")[0].strip()
                if not mime.startswith("image/"):
                    return None
                content = b""
                async for chunk in response.aiter_bytes():
                    content += chunk
                    if len(content) > MAX_PHOTO:
                        return None
                return mime, content
        except httpx.HTTPError:
            return None


# ---- the channel --------------------------------------------------------------------------------

def render(reply: Reply) -> str:
    """The Zalo Bot Platform's numbered rendering, NFC-normalised (as the OA counts characters)."""
    return unicodedata.normalize("NFC", zalo.render(reply))


def buttons_of(reply: Reply) -> list[dict]:
    """``oa.query.hide`` buttons (5 at most): the payload is the choice's number, which comes back
    as ordinary text and is read exactly as if it were typed (so a forged one is only a number)."""
    if not reply.choices or reply.inline_only or len(reply.choices) > 5:
        return []
    return [{"title": choice.label[:20], "type": "oa.query.hide", "payload": str(n)}
            for n, choice in enumerate(reply.choices, 1)]


class ZaloOAChannel:
    """The messenger port for every registered OA."""

    messenger = Messenger.ZALO_OA

    def __init__(self, oa: ZaloOA, public_base: str | None = None) -> None:
        self.oa = oa
        self.public_base = public_base  # where single-use file links point (the --webhook base)

    async def acknowledge(self, event) -> None:
        """Nothing to acknowledge on Zalo."""

    async def after_turn(self, event, before, after) -> None:
        """No command menu to update."""

    def lane_key(self, chat_id: str) -> str:
        """Each OA is its own lane of the outbox: one OA's limit holds that OA only."""
        return f"{self.messenger.value}:{chat_id.partition(':')[0]}"

    async def window_open(self, chat_id: str) -> bool:
        """Whether the OA may write to this person now (within its policy: 48 hours, or up to 7 days)."""
        return (await self._open_account(chat_id)) is not None

    async def _open_account(self, chat_id: str) -> OfficialAccount | None:
        """The chat's OA when the person is within its window, else None (one read of both)."""
        app_id, user_id = split_chat(chat_id)
        async with self.oa.db.reading() as conn:
            account = await OfficialAccounts.get(conn, app_id)
            seen = await OAUsers.last_interaction(conn, app_id, user_id)
        if account is None or seen is None:
            return None
        limit = min(timedelta(hours=account.window_hours), HARD_WINDOW)
        return account if self.oa.clock.now() - seen[0] < limit else None

    async def send(self, chat_id: str, reply: Reply) -> str | None:
        app_id, user_id = split_chat(chat_id)
        account = await self._open_account(chat_id)
        if account is None:
            raise NotNow("outside the interaction window")
        text = render(reply)
        buttons = buttons_of(reply) if account.buttons else []
        if buttons:
            text = reply.text
        message_id = None
        if reply.attachment is not None:
            message_id, note = await self._attachment(app_id, user_id, reply)
            if note:
                text += "\n" + note
        parts = split_text(text, MAX_TEXT, size=utf16_units)
        for n, part in enumerate(parts, 1):
            message = {"text": part}
            if buttons and n == len(parts):
                message["attachment"] = {"type": "template", "payload": {"buttons": buttons}}
            message_id = await self._cs(app_id, user_id, message) or message_id
        return message_id

    async def _cs(self, app_id: str, user_id: str, message: dict) -> str | None:
        try:
            data = await self.oa.api(app_id, "POST", "/v3.0/oa/message/cs",
                                     json_body={"recipient": {"user_id": user_id}, "message": message})
        except ZaloOAError as error:
            raise self._mapped(app_id, user_id, error) from None
        async with self.oa.db.single_statement() as conn:
            await OfficialAccounts.sent(conn, app_id, self.oa.clock.now())
        return str(data.get("message_id")) if data.get("message_id") else None

    def _mapped(self, app_id: str, user_id: str, error: ZaloOAError) -> Exception:
        code = error.code
        lane = f"{self.messenger.value}:{app_id}"
        if code in NOT_FOLLOWING or code in GONE:
            return Unreachable(str(error))
        if code in OUTSIDE_WINDOW:
            return NotNow(str(error))
        if code in OA_LIMITS:
            return RateLimited(RATE_HOLD, lane)
        if code in OA_QUOTA:
            return QuotaExhausted(3600.0, lane)
        if code in BAD_REQUEST:
            return DeliveryError(str(error))
        if code in OA_CONFIG:
            log.error("Zalo OA %s refuses to send (%s): the OA or its app needs attention", app_id, code)
        return TemporaryFailure(str(error))

    async def _attachment(self, app_id: str, user_id: str, reply: Reply) -> tuple[str | None, str | None]:
        """An image goes as an image (uploaded); any other file by a single-use link (15 minutes) to
        this chat only. Returns (message id, a line to add to the text)."""
        attachment = reply.attachment
        if attachment.kind == "photo" and len(attachment.data) <= MAX_UPLOAD_IMAGE:
            try:
                uploaded = await self.oa.api(app_id, "POST", "/v2.0/oa/upload/image",
                                             files={"file": (attachment.filename, attachment.data, "image/png")})
                media = {"attachment": {"type": "template", "payload": {"template_type": "media", "elements": [
                    {"media_type": "image", "attachment_id": uploaded["attachment_id"]}]}}}
                return await self._cs(app_id, user_id, media), None
            except ZaloOAError as error:
                if error.code in BAD_REQUEST or error.code in OA_CONFIG:
                    log.warning("Zalo OA %s: an image was refused (%s); offered by link", app_id, error.code)
                else:
                    raise self._mapped(app_id, user_id, error) from None
        link = await self.offer(attachment.filename, attachment.data)
        if link is None:
            return None, "📎 " + attachment.filename
        return None, f"📎 {attachment.filename}: {link}"

    async def offer(self, filename: str, content: bytes) -> str | None:
        """A single-use link to ``content`` on this server, valid 15 minutes (None: no public address)."""
        if not self.public_base:
            return None
        token = secrets.token_urlsafe(32)
        mime = "image/png" if filename.endswith(".png") else (
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" if filename.endswith(".xlsx")
            else "application/octet-stream")
        async with self.oa.db.transaction() as tx:
            await FileLinks.add(tx, _hash(token), filename, mime, content, self.oa.clock.now() + LINK_LIFETIME)
        return f"{self.public_base}/files/{token}"

    async def keep_photo(self, event: Inbound) -> Inbound:
        """Download a photo now (Zalo's links expire) and refer to the stored copy."""
        if not event.photo or not event.photo.startswith(("https://", "http://")):
            return event
        got = await self.oa.download(event.photo)
        if got is None:  # keep the link: the check-in still has it while Zalo keeps it
            log.warning("a photo could not be downloaded from Zalo")
            return event
        async with self.oa.db.single_statement() as conn:
            ref = await Media.add(conn, got[0], got[1], self.oa.clock.now())
        return Inbound(**{**event.__dict__, "photo": ref})


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def take_file(db, clock, token: str) -> tuple[int, str, str, bytes]:
    """``GET /files/<token>``: the file once, within 15 minutes; 404 otherwise (never says which)."""
    async with db.transaction() as tx:
        found = await FileLinks.take(tx, _hash(token), clock.now())
    if found is None:
        return 404, "", "", b""
    filename, mime, content = found
    return 200, mime, filename, content


# ---- events -------------------------------------------------------------------------------------

USER_EVENTS = ("user_send_text", "user_send_image", "user_send_file", "user_send_location", "user_send_sticker",
               "user_send_gif", "user_send_audio", "user_send_video", "user_send_link", "user_send_business_card")
IMAGE_FILE = (".jpg", ".jpeg", ".png")


def subject(event: dict) -> str | None:
    """The person an event is about: the sender of a message, or the follower."""
    name = str(event.get("event_name", ""))
    if name in ("follow", "unfollow"):
        return _str((event.get("follower") or {}).get("id"))
    if name.startswith("user_"):
        return _str((event.get("sender") or {}).get("id"))
    return None


def _str(value) -> str | None:
    return str(value) if value not in (None, "") else None


def event_time(event: dict, now: datetime) -> datetime:
    """When it happened (Zalo's milliseconds), never later than ``now``."""
    try:
        at = datetime.fromtimestamp(int(str(event.get("timestamp"))) / 1000, timezone.utc)
    except (TypeError, ValueError, OverflowError, OSError):
        return now
    return min(at, now)


def to_inbound(event: dict, app_id: str) -> Inbound | None:
    """A Zalo OA event → the pipeline's event (None for what the bot does not answer: delivery
    receipts, our own messages echoed, shared info, tags)."""
    name = str(event.get("event_name", ""))
    user = subject(event)
    if user is None:
        return None
    chat = chat_id_of(app_id, user)
    message = event.get("message") or {}
    msg_id = _str(message.get("msg_id"))
    base = dict(channel=Messenger.ZALO_OA.value, user_id=chat, chat_id=chat)
    if name == "follow":  # greet as a stranger (or welcome back)
        return Inbound(**base, external_id=f"follow:{event.get('timestamp')}:{user}", text="/start")
    if name == "unfollow":
        return Inbound(**base, external_id=f"unfollow:{event.get('timestamp')}:{user}", kind=BLOCKED)
    if name not in USER_EVENTS or msg_id is None:
        return None
    base["external_id"] = msg_id
    attachments = [a for a in message.get("attachments") or [] if isinstance(a, dict)]
    payload = (attachments[0].get("payload") or {}) if attachments else {}
    caption = _str(message.get("text"))
    if name == "user_send_text":
        return Inbound(**base, text=str(message.get("text") or ""))
    if name == "user_send_image" and payload.get("url"):
        return Inbound(**base, photo=str(payload["url"]), text=caption)
    if name == "user_send_file" and str(payload.get("name", "")).lower().endswith(IMAGE_FILE) and payload.get("url"):
        return Inbound(**base, photo=str(payload["url"]))
    if name == "user_send_location":
        coordinates = payload.get("coordinates") or {}
        try:
            return Inbound(**base, location=(float(coordinates["latitude"]), float(coordinates["longitude"])))
        except (KeyError, TypeError, ValueError):
            return Inbound(**base)
    return Inbound(**base)  # stickers, voice, video, links…: "I can only read text"


def webhook_route(oa: ZaloOA, dispatcher):
    """``POST /zalo-oa``: the OA found by ``app_id``, the signature checked on the raw bytes
    (constant time) before anything is stored; the person's interaction time kept for the
    window; the event into the inbox; then 200 — well within Zalo's 2 seconds.

    A request that fails the check is answered 200 too (Zalo's console only saves a webhook that
    answers 200) and processes nothing; it is counted in ``/healthz`` and logged."""

    async def route(headers, body: bytes) -> tuple[int, dict]:
        try:
            event = json.loads(body)
        except ValueError:
            return 400, {"error": -1}
        if not isinstance(event, dict):
            return 400, {"error": -1}
        app_id = str(event.get("app_id") or "")
        account = await oa.account(app_id) if app_id else None
        if account is None:
            oa.stats["unknown_app"] += 1
            log.warning("a Zalo OA event for an app that is not registered was dropped")
            return 200, {"error": 0}
        if not signature_ok(headers.get("X-ZEvent-Signature"), app_id, body, str(event.get("timestamp", "")),
                            account.oa_secret_key):
            oa.stats["forged"] += 1
            log.warning("a Zalo OA event with a wrong signature was dropped (app %s)", app_id)
            return 200, {"error": 0}
        now = oa.clock.now()
        user = subject(event)
        name = str(event.get("event_name", ""))
        async with oa.db.transaction() as tx:
            await OfficialAccounts.event_seen(tx, app_id, _str((event.get("recipient") or {}).get("id"))
                                              or _str(event.get("oa_id")), now)
            if user is not None and name == "unfollow":
                await OAUsers.unfollowed(tx, app_id, user)
            elif user is not None and (name == "follow" or name.startswith("user_")):
                await OAUsers.interacted(tx, app_id, user, event_time(event, now))
        inbound = to_inbound(event, app_id)
        if inbound is not None:
            await dispatcher.receive([inbound])
        return 200, {"error": 0}

    return route
