"""Privacy: consent to optional messages, a copy of what is kept, anonymisation after retention.

Criminal-record data is sensitive personal data (Nghị định 13/2023 Điều 2; Luật 91/2025/QH15):
optional messages need explicit, informed consent that can be withdrawn (Luật 91/2025 Điều 4, 9);
a person may ask what is kept about them; once management has ended, personal data is
anonymised after a retention period, while the audit log keeps who looked at what.
"""

from __future__ import annotations

from datetime import timedelta
import json

from bot.models import Person, Role
from bot.services.access import NotFound, require_role
from bot.services.outbox import enqueue
from bot.services.base import Service
from bot.storage.audit import Audit
from bot.storage.data_requests import DataRequest, DataRequests
from bot.storage.people import People
from bot.storage.privacy import PrivacyData

DEFAULT_RETENTION_DAYS = 5 * 365
MAX_REQUEST = 1000


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

    # ---- the data subject's requests (Luật 91/2025/QH15): correct or delete ----------------

    async def ask(self, actor, kind: str, body: str) -> None:
        """A person asks their commune police to correct or delete data about them; police are told."""
        person = require_role(actor, Role.RETURNEE, Role.FAMILY, Role.SUPERVISOR)
        if kind not in ("correct", "delete"):
            raise ValueError(kind)
        now = self.clock.now()
        async with self.db.transaction() as tx:
            request_id = await DataRequests.add(tx, person_id=person.id, commune_id=person.commune_id, kind=kind,
                                                body=body[:MAX_REQUEST], now=now)
            await Audit.record(tx, now=now, actor_id=person.id, action="privacy.request", subject_id=person.id,
                               detail={"request_id": request_id, "kind": kind})
            for officer in await People.in_commune(tx, person.commune_id, Role.POLICE):
                await enqueue(tx, tz=self.tz, now=now, person_id=officer.id, kind="data_request",
                              params={"name": person.full_name, "kind": kind})

    async def open_requests(self, actor) -> list[tuple[DataRequest, Person]]:
        police = require_role(actor, Role.POLICE)
        async with self.db.reading() as conn:
            requests = await DataRequests.open_in_commune(conn, police.commune_id)
            return [(r, await People.get(conn, r.person_id)) for r in requests]

    async def decide(self, actor, request_id: int, outcome: str, answer: str) -> Person:
        """Police record their decision; the person is told it, with the reason."""
        police = require_role(actor, Role.POLICE)
        if outcome not in ("done", "partly", "refused"):
            raise ValueError(outcome)
        now = self.clock.now()
        async with self.db.transaction() as tx:
            request = await DataRequests.get(tx, request_id)
            if request is None or request.commune_id != police.commune_id:
                raise NotFound(request_id)
            if not await DataRequests.decide(tx, request_id, by=police.id, outcome=outcome,
                                             answer=answer[:MAX_REQUEST], now=now):
                raise NotFound(request_id)  # decided by a colleague meanwhile
            await Audit.record(tx, now=now, actor_id=police.id, action="privacy.decide",
                               subject_id=request.person_id, detail={"request_id": request_id, "outcome": outcome})
            await enqueue(tx, tz=self.tz, now=now, person_id=request.person_id, kind="data_request_decided",
                          params={"kind": request.kind, "outcome": outcome, "answer": answer[:MAX_REQUEST]})
            return await People.get(tx, request.person_id)
