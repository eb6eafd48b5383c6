"""The reminder tick looks only at people whose situation can have changed (``records.look_on``,
cleared by the database on every relevant write). These tests show that this gives exactly the
messages and alerts a full recomputation gives, day after day, whatever happens in between."""

from __future__ import annotations

import random
import sqlite3
from datetime import date, datetime, timedelta, timezone

import pytest

from bot.app import Services
from bot.clock import VIETNAM, FixedClock
from bot.config import load_settings
from bot.models import Category, Contact, Messenger, Role, Status
from bot.services.supervision import CheckinInput
from tests.support.world import make_world

START = date(2026, 11, 20)


def at(clock, day: date, hour: int) -> None:
    clock._at = datetime(day.year, day.month, day.day, hour, tzinfo=VIETNAM).astimezone(timezone.utc)


def decisions(path) -> tuple[set, set]:
    """Everything queued and every alert opened, as a person would notice them."""
    with sqlite3.connect(path) as conn:
        queued = set(conn.execute("SELECT person_id, kind, dedupe_key, params FROM outbox"))
        alerts = set(conn.execute("SELECT person_id, reason, source, state FROM alerts"))
    return queued, alerts


class Commune:
    """One commune built through the services, driven by a seeded script of everyday events."""

    def __init__(self, tmp_path, name: str) -> None:
        self.path = tmp_path / f"{name}.sqlite3"
        self.clock = FixedClock(datetime(2026, 11, 20, 3, tzinfo=timezone.utc))
        self.settings = load_settings({"HOANHAP_DB": str(self.path)}, dotenv=False)

    async def start(self, people: int):
        self.services = await Services.start(self.settings, self.clock)
        self.world = await make_world(self.services)
        rng = random.Random(3)
        for n in range(people):
            category = (Category.SUSPENDED, Category.RELEASED)[n % 2]
            fields = {}
            if category is Category.SUSPENDED:
                fields["probation_end"] = START + timedelta(days=rng.randrange(5, 150))
            else:
                fields["release_date"] = date(2024, 12, 1) + timedelta(days=rng.randrange(0, 200))
                fields["penalty_months"] = rng.choice((6, 36, 84))
            await self.world.enrol(f"Người {n}", category=category, dob=date(1980, 1, 1) + timedelta(days=n),
                                   supervisor=("supervisor1", "supervisor2", None)[n % 3], **fields)
        return self

    async def happen(self, rng: random.Random, today: date) -> None:
        """A few of the things that happen in a commune on a day."""
        services, world = self.services, self.world
        ids = sorted(world.people.values())
        police = await world.actor("police1")
        for _ in range(rng.randrange(0, 4)):
            person = rng.choice(ids)
            supervisor = await world.actor(rng.choice(("supervisor1", "supervisor2")))
            if (await services.supervision.assign(police, person, supervisor.person.id)) and rng.random() < 0.7:
                await services.supervision.record_checkin(supervisor, CheckinInput(
                    client_key=f"{today}:{person}:{rng.random()}", person_id=person, contact=Contact.HOME_VISIT,
                    status=Status.STABLE, happened_on=today - timedelta(days=rng.randrange(0, 2))))
        if rng.random() < 0.2:
            alerts = await services.alerting.unresolved(police)
            if alerts:
                await services.alerting.resolve(police, rng.choice(alerts).alert.id, "đã liên hệ")
        if rng.random() < 0.1:
            await services.supervision.update(police, rng.choice(ids), {"cadence_rule": rng.choice(
                (None, "interval:1:7", "window:2:10"))}, "thay đổi lịch")
        if rng.random() < 0.15:  # someone joins on a messenger, or changes their mind about reminders
            person = rng.choice(ids)
            handle = f"person{person}"
            actor = await services.accounts.identify(Messenger.CONSOLE, handle, handle)
            if actor.person is None:
                invite = await services.accounts.create_invite(role=Role.RETURNEE, commune_name="Xã Mẫu Sơn",
                                                               person_id=person)
                await services.accounts.redeem(Messenger.CONSOLE, handle, handle, invite.code, "vi")
                actor = await services.accounts.identify(Messenger.CONSOLE, handle, handle)
            await services.privacy.set_consent(actor, rng.random() < 0.8)
        if rng.random() < 0.05:
            await services.supervision.set_commune_cadence("Xã Mẫu Sơn", Category.SUSPENDED,
                                                           rng.choice(("window:1:5", "window:1:10")))

    async def close(self) -> None:
        await self.services.close()


@pytest.mark.parametrize("seed", [1, 2])
async def test_looking_only_at_what_changed_gives_the_same_messages_as_recomputing_everyone(tmp_path, seed):
    incremental = await Commune(tmp_path, "incremental").start(people=24)
    everyone = await Commune(tmp_path, "everyone").start(people=24)
    script_a, script_b = random.Random(seed), random.Random(seed)
    looked_at = []
    try:
        day = START
        for _ in range(150):
            day += timedelta(days=1)
            for hour in (9, 15):  # things happen between two ticks of the same day too
                at(incremental.clock, day, hour)
                at(everyone.clock, day, hour)
                await incremental.happen(script_a, day)
                await everyone.happen(script_b, day)
                if day.day % 17 == 0:
                    continue  # the bot was down that day: the next tick catches up
                with sqlite3.connect(incremental.path) as conn:
                    looked_at.append(conn.execute("SELECT COUNT(*) FROM records WHERE look_on <= ?",
                                                  (day.isoformat(),)).fetchone()[0])
                await incremental.services.reminders.tick()
                await everyone.services.reminders.tick(everyone=True)
                (queued_a, alerts_a), (queued_b, alerts_b) = decisions(incremental.path), decisions(everyone.path)
                assert (queued_a ^ queued_b, alerts_a ^ alerts_b) == (set(), set()), f"differ on {day} {hour}:00"
        queued, alerts = decisions(incremental.path)
        kinds = {kind for _p, kind, _k, _params in queued}
        # the script exercised every stage, and most ticks looked at few people
        assert {"supervisor_window_open", "supervisor_window_last", "supervisor_overdue", "police_ending_soon",
                "police_expungement_due", "police_monthly", "person_window"} <= kinds
        assert any(reason == "missed_checkin" for _p, reason, _s, _st in alerts)
        assert sorted(looked_at)[len(looked_at) // 2] < 24 / 2
    finally:
        await incremental.close()
        await everyone.close()


async def test_every_change_that_matters_brings_the_person_back_to_the_next_tick(tmp_path):
    commune = await Commune(tmp_path, "c").start(people=2)
    services, world = commune.services, commune.world
    person = min(world.people.values())
    police = await world.actor("police1")

    def waiting() -> set[int]:
        with sqlite3.connect(commune.path) as conn:
            return {pid for (pid,) in conn.execute("SELECT person_id FROM records WHERE look_on = ''")}

    async def after(change) -> set[int]:
        await services.reminders.tick()
        assert waiting() == set()
        await change()
        return waiting()

    supervisor = await world.actor("supervisor2")
    try:
        assert person in await after(lambda: services.supervision.assign(police, person, supervisor.person.id))
        assert person in await after(lambda: services.supervision.record_checkin(supervisor, CheckinInput(
            client_key="x", person_id=person, contact=Contact.PHONE_CALL, status=Status.STABLE, happened_on=START)))
        assert person in await after(lambda: services.supervision.update(
            police, person, {"probation_end": date(2027, 1, 1)}, "sửa"))
        assert person in await after(lambda: services.supervision.set_commune_cadence(
            "Xã Mẫu Sơn", Category.SUSPENDED, "window:1:7"))
        invite = await services.accounts.create_invite(role=Role.RETURNEE, commune_name="Xã Mẫu Sơn", person_id=person)
        assert person in await after(lambda: services.accounts.redeem(Messenger.CONSOLE, "p", "p", invite.code, "vi"))
        returnee = await services.accounts.identify(Messenger.CONSOLE, "p", "p")
        assert person in await after(lambda: services.privacy.set_consent(returnee, True))
        assert await after(lambda: services.supervision.update(police, person, {"note": "ghi chú"}, "sửa")) == set()
    finally:
        await commune.close()


async def test_the_last_contact_follows_check_ins_withdrawn_and_corrected(tmp_path):
    commune = await Commune(tmp_path, "c").start(people=1)
    services, world = commune.services, commune.world
    person = min(world.people.values())
    police = await world.actor("police1")
    supervisor = await world.actor("supervisor1")

    def last() -> str | None:
        with sqlite3.connect(commune.path) as conn:
            return conn.execute("SELECT last_contact_on FROM records WHERE person_id = ?", (person,)).fetchone()[0]

    try:
        await services.supervision.assign(police, person, supervisor.person.id)
        assert last() is None
        first = await services.supervision.record_checkin(supervisor, CheckinInput(
            client_key="a", person_id=person, contact=Contact.HOME_VISIT, status=Status.STABLE,
            happened_on=date(2026, 11, 10)))
        await services.supervision.record_checkin(supervisor, CheckinInput(
            client_key="b", person_id=person, contact=Contact.HOME_VISIT, status=Status.STABLE,
            happened_on=date(2026, 11, 18)))
        assert last() == "2026-11-18"
        second = (await services.supervision.fixable_checkins(supervisor))[0][0]
        await services.supervision.withdraw_checkin(supervisor, second.id, "nhầm người")
        assert last() == "2026-11-10"
        await services.supervision.withdraw_checkin(police, first.checkin.id, "nhầm người")
        assert last() is None
    finally:
        await commune.close()


def test_the_plan_for_one_person_is_pure_and_names_each_message_by_what_it_is_about():
    from bot.rules.cadence import parse_rule
    from bot.rules.reminders import plan_person
    from bot.storage.schedule import TickRow

    row = TickRow(person_id=7, full_name="Nông Văn Bình", village="Thôn Nà Lay", category="suspended",
                  cadence_rule=None, enrolled_on="2026-09-01", probation_end="2026-12-03", release_date=None,
                  penalty_type="suspended", penalty_months=24, last_contact_on="2026-09-20", supervisor_id=3,
                  reachable=1, opted_in=1, missed_open=0, look_on="")
    rule = parse_rule("window:1:5")  # once a month, in the first five days
    plan = plan_person(row, rule, date(2026, 11, 28), grace_days=3, police=[1, 2])
    assert [(to, kind, key) for to, kind, _params, key in plan.messages] == [
        (3, "supervisor_overdue", "sup:overdue:7:2026-11-05")]
    assert plan.missed_deadline == date(2026, 11, 5)  # 23 days late, past the 3 grace days
    assert plan.ending_on == date(2026, 12, 3)  # probation ends within 7 days
    assert plan == plan_person(row, rule, date(2026, 11, 28), grace_days=3, police=[1, 2])  # same in, same out
