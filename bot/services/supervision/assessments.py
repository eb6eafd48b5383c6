"""Monthly assessments by commune police."""

from __future__ import annotations


from bot.models import (
    Role,
)
from bot.services.access import require_role
from bot.services.base import Service
from bot.services.supervision.checkins import MAX_NOTE
from bot.storage.assessments import Assessments
from bot.storage.audit import Audit


class AssessmentService(Service):
    # ---- assessments and self-reports --------------------------------------------------------
    async def assess(self, actor, person_id: int, *, conduct: str, work: str, family: str, needs: str) -> str:
        """Record this month's assessment (a second one in the month replaces the first)."""
        author = require_role(actor, Role.SUPERVISOR, Role.POLICE)
        now = self.clock.now()
        period = self.today().strftime("%Y-%m")
        async with self.db.transaction() as tx:
            if author.role is Role.SUPERVISOR:
                await self._supervised_record(tx, author, person_id)
            else:
                await self._police_record(tx, author, person_id)
            await Assessments.put(tx, person_id=person_id, author_id=author.id, period=period, conduct=conduct,
                                  work=work, family=family, needs=needs[:MAX_NOTE], now=now)
            await Audit.record(tx, now=now, actor_id=author.id, action="assessment.put", subject_id=person_id,
                               detail={"period": period})
        return period
