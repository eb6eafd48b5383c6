"""The one way into the outbox: queueing a message for a person (or a police group), with quiet
hours applied here and nowhere else. ``bot/services/notifier.py`` delivers what is queued;
``bot/notices.py`` holds the texts.

Called inside the caller's transaction, so the message is queued if and only if the change
that causes it is stored.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime

from bot.models import CommuneSettings, Role
from bot.rules.quiet import next_allowed
from bot.storage.communes import Communes
from bot.storage.outbox import Outbox
from bot.storage.people import People


async def enqueue(tx, *, tz, now: datetime, person_id: int, kind: str, params: dict, dedupe_key: str | None = None,
                  urgent: bool = False, alert_id: int | None = None) -> bool:
    """Queue ``kind`` for ``person_id``; at night it waits for the morning unless it is an urgent
    alert to police and the commune lets those through. False if ``dedupe_key`` was queued before."""
    person = await People.get(tx, person_id)
    settings = await Communes.settings(tx, person.commune_id)
    bypass = urgent and person.role is Role.POLICE and settings.urgent_bypasses_quiet
    not_before = now if bypass else next_allowed(now, tz, settings.quiet_start, settings.quiet_end)
    return await Outbox.add(tx, person_id=person_id, kind=kind, params=params, now=now, not_before=not_before,
                            dedupe_key=dedupe_key, urgent=bypass, alert_id=alert_id)


async def enqueue_group(tx, *, now: datetime, messenger: str, chat_id: str, kind: str, params: dict,
                        dedupe_key: str | None = None, alert_id: int | None = None) -> bool:
    """A police group chat (alerts only): police chats are not held back by quiet hours."""
    return await Outbox.add(tx, messenger=messenger, chat_id=chat_id, kind=kind, params=params, now=now,
                            dedupe_key=dedupe_key, urgent=True, alert_id=alert_id)


async def enqueue_chat(tx, *, now: datetime, messenger: str, chat_id: str, kind: str, params: dict) -> bool:
    """One chat rather than a person (an account being unlinked: after this it is no one's)."""
    return await Outbox.add(tx, messenger=messenger, chat_id=chat_id, kind=kind, params=params, now=now)


async def enqueue_many(tx, *, tz, now: datetime, settings: CommuneSettings,
                       items: list[tuple[int, str, dict, str]]) -> Counter:
    """Queue many non-urgent messages of one commune at once — (person, kind, params, dedupe key) —
    all after its quiet hours; returns how many were new, by kind (a key queued before is skipped)."""
    not_before = next_allowed(now, tz, settings.quiet_start, settings.quiet_end)
    queued: Counter = Counter()
    by_kind: dict[str, list] = {}
    for person_id, kind, params, key in items:
        by_kind.setdefault(kind, []).append((person_id, kind, params, key, not_before))
    for kind, rows in by_kind.items():  # one statement per kind
        queued[kind] += await Outbox.add_many(tx, rows, now)
    return queued
