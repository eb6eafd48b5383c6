"""A demo commune for the console (``hoanhap console --demo``): fictional people only."""

from __future__ import annotations

from dataclasses import dataclass

from bot.models import Messenger, Role
from bot.storage.communes import Communes
from bot.storage.identities import Identities
from bot.storage.people import People

DEMO_COMMUNE = "Xã Mẫu Sơn (demo)"


@dataclass(frozen=True)
class DemoPerson:
    handle: str  # what you type after /as
    role: Role
    full_name: str


DEMO_PEOPLE = (
    DemoPerson("police1", Role.POLICE, "Hoàng Văn Minh"),
    DemoPerson("supervisor1", Role.SUPERVISOR, "Lương Thị Hoa"),
    DemoPerson("supervisor2", Role.SUPERVISOR, "Vi Văn Tám"),
    DemoPerson("returnee1", Role.RETURNEE, "Nông Văn Bình"),
    DemoPerson("returnee2", Role.RETURNEE, "Lý Thị Mai"),
    DemoPerson("returnee3", Role.RETURNEE, "Hà Văn Sơn"),
)


async def seed_demo(services) -> list[DemoPerson]:
    """Create the demo commune and people once; later runs reuse them."""
    now = services.clock.now()
    async with services.db.transaction() as tx:
        commune = await Communes.get_or_create(tx, DEMO_COMMUNE, now)
        for demo in DEMO_PEOPLE:
            if await Identities.find(tx, Messenger.CONSOLE, demo.handle):
                continue
            person = await People.add(
                tx, commune_id=commune.id, role=demo.role, full_name=demo.full_name, locale=None, now=now
            )
            await Identities.upsert(
                tx, messenger=Messenger.CONSOLE, external_id=demo.handle, chat_id=demo.handle, now=now,
                person_id=person.id,
            )
    return list(DEMO_PEOPLE)
