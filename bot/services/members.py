"""Who may use the bot in a commune, and taking that away: police (or the operator, from the
command line) end a person's access, unlink one of their messenger accounts, cancel an invite code
nobody has used, and hand a supervisor's people to someone else. The person is told; the audit log
records who did it; a deactivated account gets a stranger's answers (``Actor.role`` is None)."""

from __future__ import annotations

from dataclasses import dataclass

from bot.models import Identity, Invite, Messenger, Person, Role
from bot.services.access import NotFound, PermissionDenied, require_role
from bot.services.base import Service
from bot.services.outbox import enqueue, enqueue_chat
from bot.storage.assignments import Assignments
from bot.storage.audit import Audit
from bot.storage.communes import Communes
from bot.storage.identities import Identities
from bot.storage.invites import Invites
from bot.storage.people import People
from bot.storage.records import Records


@dataclass(frozen=True)
class Member:
    person: Person
    accounts: list[Identity]
    follows: int  # a supervisor's people


class Members(Service):
    async def _commune_of(self, conn, actor, commune_name: str | None) -> tuple[int, int | None]:
        """(commune id, acting officer's id): police act on their own commune; the operator (no
        actor, from the command line) names one."""
        if actor is not None:
            return require_role(actor, Role.POLICE).commune_id, actor.person.id
        commune = await Communes.find(conn, commune_name or "")
        if commune is None:
            raise NotFound(commune_name)
        return commune.id, None

    async def members(self, actor, commune_name: str | None = None) -> list[Member]:
        """Everyone of the commune who can use the bot now, with their messenger accounts."""
        async with self.db.reading() as conn:
            commune_id, _ = await self._commune_of(conn, actor, commune_name)
            found = []
            for person, _count in await People.with_access(conn, commune_id):
                follows = len(await Records.of_supervisor(conn, person.id)) if person.role is Role.SUPERVISOR else 0
                found.append(Member(person, await Identities.of_person(conn, person.id), follows))
        return found

    async def unused_invites(self, actor, commune_name: str | None = None) -> list[Invite]:
        async with self.db.reading() as conn:
            commune_id, _ = await self._commune_of(conn, actor, commune_name)
            return await Invites.unused(conn, commune_id, self.clock.now())

    async def cancel_invite(self, actor, invite_id: int, commune_name: str | None = None) -> bool:
        now = self.clock.now()
        async with self.db.transaction() as tx:
            commune_id, by = await self._commune_of(tx, actor, commune_name)
            if not await Invites.cancel(tx, invite_id, commune_id, now):
                return False
            await Audit.record(tx, now=now, actor_id=by, action="invite.cancel", detail={"invite_id": invite_id})
        return True

    async def _member(self, conn, commune_id: int, person_id: int) -> Person:
        person = await People.get(conn, person_id)
        if person is None or person.commune_id != commune_id or not person.active:
            raise NotFound(person_id)
        return person

    async def deactivate(self, actor, person_id: int, *, hand_to: int | None = None,
                         commune_name: str | None = None) -> Person:
        """End the person's use of the bot. A supervisor's people go to ``hand_to`` (another
        supervisor of the commune, who is told) or wait unassigned for police to choose. Codes made
        for the person and not yet used are cancelled."""
        now = self.clock.now()
        async with self.db.transaction() as tx:
            commune_id, by = await self._commune_of(tx, actor, commune_name)
            person = await self._member(tx, commune_id, person_id)
            if by == person.id:
                raise PermissionDenied  # an officer does not lock themself out; a colleague does it
            successor = None
            if hand_to is not None:
                successor = await self._member(tx, commune_id, hand_to)
                if successor.role is not Role.SUPERVISOR or successor.id == person.id:
                    raise NotFound(hand_to)
            if person.role is Role.SUPERVISOR:
                for record in await Records.of_supervisor(tx, person.id):
                    about = {"name": record.full_name, "village": record.village}
                    if successor is not None:
                        await Assignments.assign(tx, person_id=record.person_id, supervisor_id=successor.id,
                                                 assigned_by=by, now=now)
                        await enqueue(tx, tz=self.tz, now=now, person_id=successor.id, kind="assigned", params=about)
                    else:
                        await Assignments.end(tx, record.person_id, now)
            await Invites.cancel_for_person(tx, person.id, now)
            # The last message they get (the sender drops anything else queued for a former member).
            await enqueue(tx, tz=self.tz, now=now, person_id=person.id, kind="access_ended", params={})
            await People.deactivate(tx, person.id, now)
            await Audit.record(tx, now=now, actor_id=by, action="access.deactivate", subject_id=person.id,
                               detail={"role": person.role.value, "hand_to": successor.id if successor else None})
        return person

    async def unlink(self, actor, person_id: int, messenger: Messenger, commune_name: str | None = None) -> Person:
        """One messenger account (a lost phone) stops being the person's; their other accounts stay."""
        now = self.clock.now()
        async with self.db.transaction() as tx:
            commune_id, by = await self._commune_of(tx, actor, commune_name)
            person = await self._member(tx, commune_id, person_id)
            account = next((i for i in await Identities.of_person(tx, person.id) if i.messenger is messenger), None)
            if account is None:
                raise NotFound(messenger.value)
            await enqueue_chat(tx, now=now, messenger=messenger.value, chat_id=account.chat_id,
                               kind="account_unlinked", params={})
            await Identities.unlink(tx, account.id)
            await Audit.record(tx, now=now, actor_id=by, action="access.unlink", subject_id=person.id,
                               detail={"messenger": messenger.value})
        return person
