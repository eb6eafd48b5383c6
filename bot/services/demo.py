"""A demo commune for the console (``hoanhap console --demo``): fictional people only."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from bot.models import Category, Contact, Messenger, PenaltyType, Role, Status
from bot.services.supervision import CheckinInput, RecordInput
from bot.storage.communes import Communes
from bot.storage.identities import Identities
from bot.storage.people import People

DEMO_COMMUNE = "Xã Mẫu Sơn (demo)"


@dataclass(frozen=True)
class DemoPerson:
    handle: str  # what you type after /as
    role: Role | None
    full_name: str


DEMO_PEOPLE = (
    DemoPerson("police1", Role.POLICE, "Hoàng Văn Minh"),
    DemoPerson("supervisor1", Role.SUPERVISOR, "Lương Thị Hoa"),
    DemoPerson("supervisor2", Role.SUPERVISOR, "Vi Văn Tám"),
    DemoPerson("returnee1", Role.RETURNEE, "Nông Văn Bình"),
    DemoPerson("returnee2", Role.RETURNEE, "Lý Thị Mai"),
    DemoPerson("returnee3", Role.RETURNEE, "Hà Văn Sơn"),
)


STRANGER = DemoPerson("stranger", None, "")  # someone without a code: what a newcomer sees

# Each returnee's record, their supervisor, and the contacts already logged (days ago, status, note).
RECORDS = {
    "returnee1": dict(category=Category.SUSPENDED, penalty=PenaltyType.SUSPENDED, months=24, dob=date(1990, 5, 17),
                      village="Thôn Nà Lay", probation=(-300, 430), supervisor="supervisor1",
                      contacts=((40, Status.STABLE, "Làm thuê ở xưởng gỗ."),
                                (3, Status.CONCERN, "Uống rượu nhiều, vợ lo lắng."))),
    "returnee2": dict(category=Category.RELEASED, penalty=PenaltyType.PRISON, months=42, dob=date(1985, 9, 3),
                      village="Thôn Khuổi Cưởm", released=-500, supervisor="supervisor1",
                      contacts=((70, Status.NEEDS_SUPPORT, "Cần hỗ trợ học nghề may."),)),
    "returnee3": dict(category=Category.NON_CUSTODIAL, penalty=PenaltyType.NON_CUSTODIAL_REFORM, months=18,
                      dob=date(1979, 12, 21), village="Thôn Pò Mã", probation=(-120, None), supervisor="supervisor2",
                      contacts=()),
}


async def seed_demo(services) -> list[DemoPerson]:
    """Create the demo commune once — police, supervisors, three enrolled people with their
    supervisors, a few check-ins and an open alert — so a trainer can show every flow; later runs
    reuse it."""
    now = services.clock.now()
    async with services.db.transaction() as tx:
        if await Identities.find(tx, Messenger.CONSOLE, "police1"):
            return [*DEMO_PEOPLE, STRANGER]
        commune = await Communes.get_or_create(tx, DEMO_COMMUNE, now)
        for demo in DEMO_PEOPLE:
            if demo.role is Role.RETURNEE:
                continue
            person = await People.add(tx, commune_id=commune.id, role=demo.role, full_name=demo.full_name,
                                      locale=None, now=now)
            await Identities.upsert(tx, messenger=Messenger.CONSOLE, external_id=demo.handle, chat_id=demo.handle,
                                    now=now, person_id=person.id)
    accounts = services.accounts
    police = await accounts.identify(Messenger.CONSOLE, "police1", "police1")
    today = services.supervision.today()
    for demo in DEMO_PEOPLE:
        if demo.role is not Role.RETURNEE:
            continue
        spec = RECORDS[demo.handle]
        start, end = spec.get("probation", (None, None))
        record, _new = await services.supervision.enrol(police, RecordInput(
            full_name=demo.full_name, date_of_birth=spec["dob"], village=spec["village"], category=spec["category"],
            penalty_type=spec["penalty"], penalty_months=spec["months"],
            release_date=today + timedelta(days=spec["released"]) if "released" in spec else None,
            probation_start=today + timedelta(days=start) if start is not None else None,
            probation_end=today + timedelta(days=end) if end is not None else None))
        async with services.db.transaction() as tx:
            await Identities.upsert(tx, messenger=Messenger.CONSOLE, external_id=demo.handle, chat_id=demo.handle,
                                    now=now, person_id=record.person_id)
        supervisor = await accounts.identify(Messenger.CONSOLE, spec["supervisor"], spec["supervisor"])
        await services.supervision.assign(police, record.person_id, supervisor.person.id)
        for days_ago, status, note in spec["contacts"]:
            await services.supervision.record_checkin(supervisor, CheckinInput(
                client_key=f"demo:{demo.handle}:{days_ago}", person_id=record.person_id, contact=Contact.HOME_VISIT,
                status=status, note=note, happened_on=today - timedelta(days=days_ago)))
    return [*DEMO_PEOPLE, STRANGER]
