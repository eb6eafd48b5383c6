"""What a person shares with their family members."""

from __future__ import annotations


from bot.models import (
    Role,
)
from bot.services.access import require_role
from bot.services.base import Service
from bot.storage.audit import Audit
from bot.storage.family import FamilyLinks


class FamilyService(Service):
    async def set_family_shares(self, actor, shares: list[str]) -> None:
        person = require_role(actor, Role.RETURNEE)
        allowed = [s for s in shares if s in ("dates", "supervisor")]
        async with self.db.transaction() as tx:
            await FamilyLinks.set_shares(tx, person.id, allowed)
            await Audit.record(tx, now=self.clock.now(), actor_id=person.id, action="family.shares",
                               subject_id=person.id, detail={"shares": allowed})

    async def family_shares(self, actor) -> tuple[int, list[str]]:
        """(number of linked family members, what is shared with them)."""
        person = require_role(actor, Role.RETURNEE)
        async with self.db.reading() as conn:
            links = await FamilyLinks.of_person(conn, person.id)
        return len(links), (links[0][1] if links else [])
