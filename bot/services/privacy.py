"""Privacy: consent to optional messages, a copy of what is kept, anonymisation after retention.

Criminal-record data is sensitive personal data (Nghị định 13/2023 Điều 2; Luật 91/2025/QH15):
optional messages need explicit, informed consent that can be withdrawn (Luật 91/2025 Điều 4, 9);
a person may ask what is kept about them; once management has ended, personal data is
anonymised after a retention period, while the audit log keeps who looked at what.
"""

from __future__ import annotations

from datetime import timedelta
import json

from bot.models import Role
from bot.services.access import require_role
from bot.services.base import Service
from bot.storage.audit import Audit
from bot.storage.people import People
from bot.storage.privacy import PrivacyData

DEFAULT_RETENTION_DAYS = 5 * 365


class Privacy(Service):
    def __init__(self, db, clock, tz, retention_days: int = DEFAULT_RETENTION_DAYS) -> None:
        super().__init__(db, clock, tz)
        self.retention_days = retention_days

    async def set_consent(self, actor, given: bool) -> None:
        """Record (or withdraw) consent to optional reminders; they follow it."""
        person = require_role(actor, Role.RETURNEE, Role.FAMILY, Role.SUPERVISOR, Role.POLICE)
        now = self.clock.now()
        async with self.db.transaction() as tx:
            await People.set_flags(tx, person.id, consent_at=now if given else None, reminders=given)
            await Audit.record(tx, now=now, actor_id=person.id, action="consent.give" if given else "consent.withdraw",
                               subject_id=person.id)

    async def my_data(self, actor) -> bytes:
        """Everything kept about the person, as JSON (their right to a copy)."""
        person = require_role(actor, Role.RETURNEE, Role.FAMILY, Role.SUPERVISOR, Role.POLICE, Role.PROVINCE)
        async with self.db.transaction() as tx:
            data = await PrivacyData.everything_about(tx, person.id)
            await Audit.record(tx, now=self.clock.now(), actor_id=person.id, action="privacy.copy",
                               subject_id=person.id)
        return json.dumps(data, ensure_ascii=False, indent=2, default=str).encode()

    async def anonymise_due(self) -> int:
        """Anonymise the records whose management ended more than the retention period ago."""
        now = self.clock.now()
        cutoff = (now.astimezone(self.tz).date() - timedelta(days=self.retention_days)).isoformat()
        async with self.db.transaction() as tx:
            people = await PrivacyData.closed_before(tx, cutoff)
            for person_id in people:
                await PrivacyData.anonymise(tx, person_id, now)
                await Audit.record(tx, now=now, actor_id=None, action="privacy.anonymise", subject_id=person_id)
        if people:  # the old pages must not linger in the write-ahead log (secure_delete clears the file)
            await self.db.checkpoint()
        return len(people)
