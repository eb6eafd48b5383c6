"""Zalo Official Accounts: each registered OA with its tokens, the PKCE verifier of a pending
authorisation, and each person's interaction window per OA."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from aiosqlite import Connection

from bot.clock import from_db, to_db
from bot.storage.sql import moment_or_none, fetch_all, fetch_one



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
        access_expires_at=moment_or_none(row["access_expires_at"]), refresh_token=row["refresh_token"],
        refresh_expires_at=moment_or_none(row["refresh_expires_at"]), token_version=row["token_version"],
        reauth_needed_at=moment_or_none(row["reauth_needed_at"]), reauth_told_at=moment_or_none(row["reauth_told_at"]),
        window_hours=row["window_hours"], buttons=bool(row["buttons"]), last_event_at=moment_or_none(row["last_event_at"]),
        last_sent_at=moment_or_none(row["last_sent_at"]))


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
