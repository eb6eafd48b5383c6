"""Helpers every storage module shares: one round trip for a row or rows, and the text forms
of dates in the database."""

from __future__ import annotations

from datetime import date, datetime

from aiosqlite import Connection, Row

from bot.clock import from_db


async def fetch_one(conn: Connection, sql: str, params: tuple = ()) -> Row | None:
    rows = await conn.execute_fetchall(sql, params)  # one round trip to SQLite's thread, not three
    return rows[0] if rows else None


async def fetch_all(conn: Connection, sql: str, params: tuple = ()) -> list[Row]:
    return list(await conn.execute_fetchall(sql, params))


def day_or_none(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


def iso_or_none(day: date | None) -> str | None:
    return day.isoformat() if day else None


def db_value(value):
    """Python values to what the records table stores."""
    if isinstance(value, date):
        return value.isoformat()
    if hasattr(value, "value"):
        return value.value
    return value


def moment_or_none(text: str | None) -> datetime | None:
    return from_db(text) if text else None
