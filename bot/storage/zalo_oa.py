"""The SQL of Zalo Official Accounts: each registered OA with its tokens, people's interaction
window, the PKCE verifier of a pending authorisation; and two small stores the channel uses:
photos kept from short-lived links (``media``) and single-use file links. Transactions belong
to the caller."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from aiosqlite import Connection

from bot.clock import from_db, to_db
from bot.storage.repos import fetch_all, fetch_one


def _when(text: str | None) -> datetime | None:
    return from_db(text) if text else None


@dataclass(frozen=True)
class OfficialAccount:
    app_id: str
    app_secret: str
    oa_secret_key: str
    oa_id: str | None
    commune_id: int | None
    access_token: str | None
    access_expires_at: datetime | None
    refresh_token: str | None
    refresh_expires_at: datetime | None
    token_version: int
    reauth_needed_at: datetime | None
    reauth_told_at: datetime | None
    window_hours: int
    buttons: bool
    last_event_at: datetime | None
    last_sent_at: datetime | None

    def __repr__(self) -> str:  # never print a secret or a token
        return f"OfficialAccount(app_id={self.app_id!r}, oa_id={self.oa_id!r}, commune_id={self.commune_id!r})"


def _oa(row) -> OfficialAccount:
    return OfficialAccount(
        app_id=row["app_id"], app_secret=row["app_secret"], oa_secret_key=row["oa_secret_key"], oa_id=row["oa_id"],
        commune_id=row["commune_id"], access_token=row["access_token"],
        access_expires_at=_when(row["access_expires_at"]), refresh_token=row["refresh_token"],
        refresh_expires_at=_when(row["refresh_expires_at"]), token_version=row["token_version"],
        reauth_needed_at=_when(row["reauth_needed_at"]), reauth_told_at=_when(row["reauth_told_at"]),
        window_hours=row["window_hours"], buttons=bool(row["buttons"]), last_event_at=_when(row["last_event_at"]),
        last_sent_at=_when(row["last_sent_at"]))


class OfficialAccounts:
    @staticmethod
    async def add(conn: Connection, *, app_id: str, app_secret: str, oa_secret_key: str, commune_id: int | None,
                  now: datetime) -> bool:
        """Register an OA (or replace its secrets); True when it is new."""
        rows = await conn.execute_fetchall(
            """INSERT INTO zalo_oas (app_id, app_secret, oa_secret_key, commune_id, created_at) VALUES (?, ?, ?, ?, ?)
               ON CONFLICT (app_id) DO UPDATE SET app_secret = excluded.app_secret,
                   oa_secret_key = excluded.oa_secret_key, commune_id = COALESCE(excluded.commune_id, commune_id)
               RETURNING created_at""", (app_id, app_secret, oa_secret_key, commune_id, to_db(now)))
        return rows[0]["created_at"] == to_db(now)

    @staticmethod
    async def get(conn: Connection, app_id: str) -> OfficialAccount | None:
        row = await fetch_one(conn, "SELECT * FROM zalo_oas WHERE app_id = ?", (app_id,))
        return _oa(row) if row else None

    @staticmethod
    async def all(conn: Connection) -> list[OfficialAccount]:
        return [_oa(r) for r in await fetch_all(conn, "SELECT * FROM zalo_oas ORDER BY created_at, app_id")]

    @staticmethod
    async def store_tokens(conn: Connection, app_id: str, *, access_token: str, access_expires_at: datetime,
                           refresh_token: str, refresh_expires_at: datetime, version: int | None) -> bool:
        """Store a new pair, if nobody stored one since ``version`` was read (None: whatever is there).
        Clears a pending re-authorisation."""
        rows = await conn.execute_fetchall(
            """UPDATE zalo_oas SET access_token = ?, access_expires_at = ?, refresh_token = ?, refresh_expires_at = ?,
                      token_version = token_version + 1, reauth_needed_at = NULL, reauth_told_at = NULL
               WHERE app_id = ? AND (? IS NULL OR token_version = ?) RETURNING token_version""",
            (access_token, to_db(access_expires_at), refresh_token, to_db(refresh_expires_at), app_id, version,
             version))
        return bool(rows)

    @staticmethod
    async def needs_reauth(conn: Connection, app_id: str, now: datetime) -> bool:
        """Mark that an admin must authorise the app again; True the first time (to tell people once)."""
        rows = await conn.execute_fetchall(
            "UPDATE zalo_oas SET reauth_needed_at = COALESCE(reauth_needed_at, ?), reauth_told_at = ? "
            "WHERE app_id = ? AND reauth_told_at IS NULL RETURNING app_id", (to_db(now), to_db(now), app_id))
        return bool(rows)

    @staticmethod
    async def event_seen(conn: Connection, app_id: str, oa_id: str | None, now: datetime) -> None:
        await conn.execute("UPDATE zalo_oas SET last_event_at = ?, oa_id = COALESCE(?, oa_id) WHERE app_id = ?",
                           (to_db(now), oa_id, app_id))

    @staticmethod
    async def sent(conn: Connection, app_id: str, now: datetime) -> None:
        await conn.execute("UPDATE zalo_oas SET last_sent_at = ? WHERE app_id = ?", (to_db(now), app_id))

    @staticmethod
    async def configure(conn: Connection, app_id: str, *, window_hours: int | None = None,
                        buttons: bool | None = None) -> None:
        await conn.execute("UPDATE zalo_oas SET window_hours = COALESCE(?, window_hours), "
                           "buttons = COALESCE(?, buttons) WHERE app_id = ?",
                           (window_hours, None if buttons is None else int(buttons), app_id))

    @staticmethod
    async def begin_authorisation(conn: Connection, app_id: str, verifier: str, state: str, now: datetime) -> None:
        await conn.execute("INSERT OR REPLACE INTO zalo_oa_pkce (app_id, verifier, state, created_at) VALUES (?, ?, ?, ?)",
                           (app_id, verifier, state, to_db(now)))

    @staticmethod
    async def take_verifier(conn: Connection, app_id: str, not_before: datetime) -> str | None:
        """The verifier of the pending authorisation (used once; None if none or older than ``not_before``)."""
        rows = await conn.execute_fetchall("DELETE FROM zalo_oa_pkce WHERE app_id = ? RETURNING verifier, created_at",
                                           (app_id,))
        if not rows or from_db(rows[0]["created_at"]) < not_before:
            return None
        return rows[0]["verifier"]


class OAUsers:
    """Per OA and person: when they last wrote (the interaction window), and whether they follow."""

    @staticmethod
    async def interacted(conn: Connection, app_id: str, user_id: str, at: datetime) -> None:
        await conn.execute(
            """INSERT INTO zalo_oa_users (app_id, user_id, last_interaction_at, following) VALUES (?, ?, ?, 1)
               ON CONFLICT (app_id, user_id) DO UPDATE SET following = 1,
                   last_interaction_at = max(last_interaction_at, excluded.last_interaction_at)""",
            (app_id, user_id, to_db(at)))

    @staticmethod
    async def unfollowed(conn: Connection, app_id: str, user_id: str) -> None:
        await conn.execute("UPDATE zalo_oa_users SET following = 0 WHERE app_id = ? AND user_id = ?", (app_id, user_id))

    @staticmethod
    async def last_interaction(conn: Connection, app_id: str, user_id: str) -> tuple[datetime, bool] | None:
        row = await fetch_one(conn, "SELECT last_interaction_at, following FROM zalo_oa_users "
                                    "WHERE app_id = ? AND user_id = ?", (app_id, user_id))
        return (from_db(row["last_interaction_at"]), bool(row["following"])) if row else None


class Media:
    """Photos kept in the database (a check-in refers to one as ``media:<id>``)."""

    PREFIX = "media:"

    @staticmethod
    async def add(conn: Connection, mime: str, content: bytes, now: datetime) -> str:
        rows = await conn.execute_fetchall("INSERT INTO media (mime, content, created_at) VALUES (?, ?, ?) RETURNING id",
                                           (mime, content, to_db(now)))
        return f"{Media.PREFIX}{rows[0]['id']}"

    @staticmethod
    async def get(conn: Connection, ref: str) -> tuple[str, bytes] | None:
        if not ref.startswith(Media.PREFIX) or not ref[len(Media.PREFIX):].isdigit():
            return None
        row = await fetch_one(conn, "SELECT mime, content FROM media WHERE id = ?", (int(ref[len(Media.PREFIX):]),))
        return (row["mime"], bytes(row["content"])) if row else None

    @staticmethod
    async def prune(conn: Connection, before: datetime) -> int:
        """Photos no check-in refers to, older than ``before`` (sent, then the check-in was cancelled)."""
        cursor = await conn.execute(
            "DELETE FROM media WHERE created_at < ? AND NOT EXISTS "
            "(SELECT 1 FROM checkins WHERE checkins.photo = 'media:' || media.id)", (to_db(before),))
        return cursor.rowcount

    @staticmethod
    async def forget_of_person(conn: Connection, person_id: int) -> None:
        """Delete the photos of a person's check-ins (before the check-ins forget them)."""
        await conn.execute("DELETE FROM media WHERE 'media:' || id IN "
                           "(SELECT photo FROM checkins WHERE person_id = ? AND photo LIKE 'media:%')", (person_id,))


class FileLinks:
    @staticmethod
    async def add(conn: Connection, token_hash: str, filename: str, mime: str, content: bytes,
                  expires_at: datetime) -> None:
        await conn.execute("INSERT INTO file_links (token_hash, filename, mime, content, expires_at) "
                           "VALUES (?, ?, ?, ?, ?)", (token_hash, filename, mime, content, to_db(expires_at)))

    @staticmethod
    async def take(conn: Connection, token_hash: str, now: datetime) -> tuple[str, str, bytes] | None:
        """The file, once (run in a transaction): a used or expired link gives None; a used one
        keeps no content."""
        row = await fetch_one(conn, "SELECT filename, mime, content FROM file_links WHERE token_hash = ? "
                                    "AND used_at IS NULL AND expires_at > ?", (token_hash, to_db(now)))
        if row is None:
            return None
        await conn.execute("UPDATE file_links SET used_at = ?, content = X'' WHERE token_hash = ?",
                           (to_db(now), token_hash))
        return row["filename"], row["mime"], bytes(row["content"])

    @staticmethod
    async def prune(conn: Connection, now: datetime) -> None:
        await conn.execute("DELETE FROM file_links WHERE expires_at <= ? OR used_at IS NOT NULL", (to_db(now),))
