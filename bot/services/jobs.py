"""The jobs and training board: police post openings and courses; people browse and say they are
interested, which tells the poster and the person's supervisor."""

from __future__ import annotations

from datetime import date

from bot.models import Role
from bot.services.access import NotFound, require_role
from bot.services.base import Service
from bot.services.outbox import enqueue
from bot.storage.assignments import Assignments
from bot.storage.audit import Audit
from bot.storage.postings import Posting, Postings

VIEWERS = (Role.RETURNEE, Role.FAMILY, Role.SUPERVISOR, Role.POLICE)


class Jobs(Service):

    async def post(self, actor, *, kind: str, title: str, employer: str, place: str, pay: str, contact: str,
                   closes_on: date) -> int:
        police = require_role(actor, Role.POLICE)
        if kind not in ("job", "course"):
            raise ValueError(kind)
        now = self.clock.now()
        async with self.db.transaction() as tx:
            posting_id = await Postings.add(tx, commune_id=police.commune_id, kind=kind, title=title, employer=employer,
                                            place=place, pay=pay, contact=contact, closes_on=closes_on,
                                            created_by=police.id, now=now)
            await Audit.record(tx, now=now, actor_id=police.id, action="posting.add", detail={"posting_id": posting_id})
        return posting_id

    async def open_postings(self, actor, place: str | None = None) -> list[Posting]:
        """What is open in the actor's commune today (closed and past postings never show)."""
        person = require_role(actor, *VIEWERS)
        async with self.db.reading() as conn:
            postings = await Postings.open_in_commune(conn, person.commune_id, self.today())
        return [p for p in postings if place is None or p.place == place]

    async def posting(self, actor, posting_id: int) -> Posting:
        for posting in await self.open_postings(actor):
            if posting.id == posting_id:
                return posting
        raise NotFound

    async def interested(self, actor, posting_id: int) -> bool:
        """Record interest once; the poster and the person's supervisor are told. False if already said."""
        person = require_role(actor, Role.RETURNEE)
        posting = await self.posting(actor, posting_id)
        now = self.clock.now()
        async with self.db.transaction() as tx:
            if not await Postings.interest(tx, posting_id, person.id, now):
                return False
            params = {"name": person.full_name, "title": posting.title, "employer": posting.employer}
            await enqueue(tx, tz=self.tz, now=now, person_id=posting.created_by, kind="job_interest", params=params)
            supervisor_id = await Assignments.current(tx, person.id)
            if supervisor_id is not None:
                await enqueue(tx, tz=self.tz, now=now, person_id=supervisor_id, kind="job_interest", params=params)
            await Audit.record(tx, now=now, actor_id=person.id, action="posting.interest", subject_id=person.id,
                               detail={"posting_id": posting_id})
        return True

    async def close(self, actor, posting_id: int) -> None:
        police = require_role(actor, Role.POLICE)
        now = self.clock.now()
        async with self.db.transaction() as tx:
            posting = await Postings.get(tx, posting_id)
            if posting is None or posting.commune_id != police.commune_id:
                raise NotFound
            await Postings.close(tx, posting_id, now)
            await Audit.record(tx, now=now, actor_id=police.id, action="posting.close", detail={"posting_id": posting_id})
