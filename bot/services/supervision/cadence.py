"""Contact cadence: the defaults per category (cadence_defaults.toml) and a commune's own rules."""

from __future__ import annotations

from importlib import resources
import tomllib

from bot.models import (
    Category,
)
from bot.rules.cadence import parse_rule
from bot.services.access import NotFound
from bot.services.base import Service
from bot.storage.audit import Audit
from bot.storage.cadence import CadenceRules
from bot.storage.communes import Communes


def cadence_defaults() -> dict[str, tuple[str, str]]:
    text = resources.files("bot.rules").joinpath("cadence_defaults.toml").read_text(encoding="utf-8")
    data = tomllib.loads(text)
    for category, entry in data.items():
        Category(category)
        parse_rule(entry["rule"])
    return {category: (entry["rule"], entry.get("source", "")) for category, entry in data.items()}


class CadenceService(Service):
    async def seed_cadence(self) -> None:
        async with self.db.transaction() as tx:
            await CadenceRules.seed(tx, cadence_defaults())

    async def commune_cadence(self, commune_name: str) -> dict[str, str] | None:
        """category → rule in force for a commune (None when there is no such commune)."""
        async with self.db.reading() as conn:
            commune = await Communes.find(conn, commune_name)
            return await CadenceRules.for_commune(conn, commune.id) if commune else None

    async def set_commune_cadence(self, commune_name: str, category: Category, rule: str) -> None:
        """A commune's own rule for a category (from the command line; the defaults stay as they are)."""
        parse_rule(rule)
        async with self.db.transaction() as tx:
            commune = await Communes.find(tx, commune_name)
            if commune is None:
                raise NotFound
            await CadenceRules.set_for_commune(tx, commune.id, category.value, rule)
            await Audit.record(tx, now=self.clock.now(), actor_id=None, action="cadence.set",
                               detail={"commune_id": commune.id, "category": category.value, "rule": rule})

    # ---- views -----------------------------------------------------------------------------
    async def rules_for(self, conn, commune_id: int) -> dict[str, str]:
        return await CadenceRules.for_commune(conn, commune_id)
