"""Every role × every action and view: allowed or refused exactly as designed. Zero leaks."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from bot.clock import VIETNAM
from bot.models import CloseReason, Contact, Messenger, Role, Status
from bot.services.access import NotFound, PermissionDenied
from bot.services.supervision import CheckinInput, RecordInput
from bot.models import Category, PenaltyType
from tests.support.people import TextChat, onboard
from tests.support.world import make_world

ROLES = ("stranger", "returnee", "family", "supervisor", "other_supervisor", "police", "other_police", "province")

# action → roles allowed to do it on person X (X is supervised by "supervisor" in "police"'s commune)
ALLOWED = {
    "card": {"police"},
    "roster": {"police", "other_police"},  # their own commune only (see the leak test)
    "my_people": {"supervisor", "other_supervisor"},
    "checkin_on_x": {"supervisor"},
    "enrol": {"police", "other_police"},
    "assign_x": {"police"},
    "edit_x": {"police"},
    "close_x": {"police"},
    "me": {"returnee", "family"},
    "self_report": {"returnee"},
    "report": {"police", "other_police", "province"},
    "alerts": {"police", "other_police"},
    "claim_x_alert": {"police"},
    "help_threads": {"police", "other_police", "supervisor", "other_supervisor"},
    "view_x_thread": {"police", "supervisor"},
    "post_job": {"police", "other_police"},
    "browse_jobs": {"returnee", "family", "supervisor", "other_supervisor", "police", "other_police"},
    "appointment_x": {"police"},
    "assess_x": {"police", "supervisor"},
    "fix_checkins": {"supervisor", "other_supervisor", "police", "other_police"},
    "members": {"police", "other_police"},  # their own commune's
    "breach_on_x": {"police"},
    "roll_call_x": {"police"},
    "grades": {"police", "other_police"},  # their own commune's
    "data_requests": {"police", "other_police"},
    "ask_to_be_away": {"returnee"},
    "my_data": {"returnee", "family", "supervisor", "other_supervisor", "police", "other_police", "province"},
}


@pytest.fixture
async def setting(services):
    world = await make_world(services)
    x = await world.enrol("Nông Văn Bình", supervisor="supervisor1")
    police = await world.actor("police1")
    await onboard(services, Messenger.CONSOLE, "other_police", Role.POLICE, commune="Xã Khác")
    await onboard(services, Messenger.CONSOLE, "other_supervisor", Role.SUPERVISOR)  # same commune, not X's
    await onboard(services, Messenger.CONSOLE, "province", Role.PROVINCE)
    code = await services.accounts.create_invite(role=Role.RETURNEE, commune_id=police.person.commune_id, person_id=x)
    await TextChat(services, "returnee").says(f"/start {code.code}")
    fam = await services.accounts.create_invite(role=Role.FAMILY, commune_id=police.person.commune_id, family_of=x)
    await TextChat(services, "family").says(f"/start {fam.code}")
    returnee = await world.actor("returnee")
    await services.handoff.ask_for_help(returnee, "Cần giúp")
    saved = await services.supervision.record_checkin(await world.actor("supervisor1"), CheckinInput(
        client_key="m", person_id=x, contact=Contact.HOME_VISIT, status=Status.CONCERN, happened_on=date(2026, 11, 22)))
    threads = await services.handoff.open_threads(police)
    handles = {"stranger": "nobody", "returnee": "returnee", "family": "family", "supervisor": "supervisor1",
               "other_supervisor": "other_supervisor", "police": "police1", "other_police": "other_police",
               "province": "province"}
    actors = {role: await world.actor(handle) for role, handle in handles.items()}
    return services, actors, x, saved.alert.id, threads[0][0].id


async def attempt(services, actor, action, x, alert_id, thread_id):
    s = services
    if action == "card":
        return await s.supervision.card(actor, x)
    if action == "roster":
        return await s.supervision.roster(actor)
    if action == "my_people":
        return await s.supervision.my_people(actor)
    if action == "checkin_on_x":
        return await s.supervision.record_checkin(actor, CheckinInput(
            client_key=f"a-{actor.external_id}", person_id=x, contact=Contact.PHONE_CALL, status=Status.STABLE,
            happened_on=date(2026, 11, 22)))
    if action == "enrol":
        return await s.supervision.enrol(actor, RecordInput(
            full_name=f"Người {actor.external_id}", date_of_birth=date(1990, 1, 1), village="Thôn A",
            category=Category.RELEASED, penalty_type=PenaltyType.PRISON, penalty_months=12,
            release_date=date(2026, 1, 1)))
    if action == "assign_x":
        supervisor = (await s.accounts.identify(Messenger.CONSOLE, "supervisor1", "supervisor1")).person
        return await s.supervision.assign(actor, x, supervisor.id)
    if action == "edit_x":
        return await s.supervision.update(actor, x, {"note": "x"}, "test")
    if action == "close_x":
        return await s.supervision.close(actor, x, CloseReason.OTHER, date(2026, 11, 22))
    if action == "me":
        return await s.supervision.me(actor)
    if action == "self_report":
        return await s.supervision.self_report(actor, wellbeing="good", work="steady", help_needed="")
    if action == "report":
        return await s.reports.for_actor(actor, date(2026, 1, 1), date(2026, 11, 22))
    if action == "alerts":
        return await s.alerting.unresolved(actor)
    if action == "claim_x_alert":
        return await s.alerting.claim(actor, alert_id)
    if action == "help_threads":
        return await s.handoff.open_threads(actor)
    if action == "view_x_thread":
        return await s.handoff.view(actor, thread_id)
    if action == "post_job":
        return await s.jobs.post(actor, kind="job", title="T", employer="E", place="P", pay="", contact="",
                                 closes_on=date(2027, 1, 1))
    if action == "browse_jobs":
        return await s.jobs.open_postings(actor)
    if action == "appointment_x":
        return await s.supervision.set_appointment(actor, x, datetime(2026, 12, 1, 9, tzinfo=VIETNAM), "")
    if action == "assess_x":
        return await s.supervision.assess(actor, x, conduct="good", work="steady", family="supportive", needs="")
    if action == "fix_checkins":
        return await s.supervision.fixable_checkins(actor)
    if action == "members":
        return await s.members.members(actor)
    if action == "breach_on_x":
        return await s.supervision.record_breach(actor, x, kind="breach", on=date(2026, 11, 20), what="test")
    if action == "roll_call_x":
        return await s.supervision.record_roll_call(actor, x, date(2026, 11, 20))
    if action == "grades":
        return await s.supervision.month(actor, date(2026, 10, 1))
    if action == "data_requests":
        return await s.privacy.open_requests(actor)
    if action == "ask_to_be_away":
        return await s.supervision.request_absence(actor, first=date(2026, 12, 1), last=date(2026, 12, 2),
                                                   place="Xã Khác", reason="việc gia đình", for_work=False)
    if action == "my_data":
        return await s.privacy.my_data(actor)
    raise AssertionError(action)


@pytest.mark.parametrize("action", sorted(ALLOWED))
async def test_each_role_is_allowed_or_refused_exactly_as_designed(setting, action):
    services, actors, x, alert_id, thread_id = setting
    outcome = {}
    for role in ROLES:
        try:
            await attempt(services, actors[role], action, x, alert_id, thread_id)
            outcome[role] = "allowed"
        except (PermissionDenied, NotFound):
            outcome[role] = "refused"
    assert {r for r, o in outcome.items() if o == "allowed"} == ALLOWED[action]


async def test_views_never_leak_another_persons_or_communes_data(setting):
    services, actors, x, _alert, _thread = setting
    assert [r.record.person_id for r in await services.supervision.my_people(actors["other_supervisor"])] == []
    assert await services.supervision.roster(actors["other_police"]) == []
    assert await services.alerting.unresolved(actors["other_police"]) == []
    assert await services.handoff.open_threads(actors["other_supervisor"]) == []
    assert await services.supervision.month(actors["other_police"], date(2026, 10, 1)) == []
    assert {m.person.commune_id for m in await services.members.members(actors["other_police"])} == {
        actors["other_police"].person.commune_id}
    report = await services.reports.for_actor(actors["province"], date(2026, 1, 1), date(2026, 11, 22))
    assert report.people == []
    me = await services.supervision.me(actors["returnee"])
    assert [v.record.person_id for v in me] == [x]
    family = await services.supervision.me(actors["family"])
    assert [(v.supervisor, v.due) for v in family] == [(None, None)]  # nothing shared yet
