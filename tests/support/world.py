"""A commune with people in it, built through the services the bot uses."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from bot.models import Category, Messenger, PenaltyType, Role
from bot.services.supervision import RecordInput
from tests.support.people import TextChat, onboard


@dataclass
class World:
    services: object
    police: TextChat
    supervisors: dict[str, TextChat] = field(default_factory=dict)
    people: dict[str, int] = field(default_factory=dict)  # name → person id

    async def actor(self, handle: str):
        return await self.services.accounts.identify(Messenger.CONSOLE, handle, handle)

    async def enrol(self, name: str, *, village: str = "Thôn Nà Lay", category: Category = Category.SUSPENDED,
                    supervisor: str | None = None, dob: date = date(1990, 5, 17), **fields) -> int:
        police = await self.actor("police1")
        defaults = {
            Category.SUSPENDED: dict(penalty_type=PenaltyType.SUSPENDED, penalty_months=24,
                                     probation_start=date(2026, 1, 10), probation_end=date(2028, 1, 10)),
            Category.RELEASED: dict(penalty_type=PenaltyType.PRISON, penalty_months=36, release_date=date(2025, 6, 1)),
        }[category]
        record, _ = await self.services.supervision.enrol(
            police, RecordInput(full_name=name, date_of_birth=dob, village=village, category=category,
                                **{**defaults, **fields}))
        if supervisor:
            await self.services.supervision.assign(police, record.person_id,
                                                   (await self.actor(supervisor)).person.id)
        self.people[name] = record.person_id
        await self.services.notifier.flush()  # the supervisor is told now, as after a real turn
        return record.person_id


async def make_world(services, *, supervisor_locales=("vi", "vi"), commune: str = "Xã Mẫu Sơn") -> World:
    await onboard(services, Messenger.CONSOLE, "police1", Role.POLICE, commune=commune, name="Hoàng Văn Minh")
    world = World(services, TextChat(services, "police1"))
    names = ("Lương Thị Hoa", "Vi Văn Tám")
    for n, locale in enumerate(supervisor_locales, 1):
        handle = f"supervisor{n}"
        await onboard(services, Messenger.CONSOLE, handle, Role.SUPERVISOR, commune=commune, name=names[n - 1],
                      locale=locale)
        world.supervisors[handle] = TextChat(services, handle)
    return world
