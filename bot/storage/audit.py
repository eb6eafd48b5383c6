"""The audit log: who did what to whose record."""

from __future__ import annotations

from datetime import datetime
import json
from typing import Any

from aiosqlite import Connection

from bot.clock import to_db


class Audit:
    @staticmethod
    async def record(
        conn: Connection,
        *,
        now: datetime,
        actor_id: int | None,
        action: str,
        subject_id: int | None = None,
        detail: dict[str, Any] | None = None,
    ) -> None:
        await conn.execute(
            "INSERT INTO audit_log (at, actor_id, action, subject_id, detail) VALUES (?, ?, ?, ?, ?)",
            (to_db(now), actor_id, action, subject_id, json.dumps(detail or {}, ensure_ascii=False)),
        )
