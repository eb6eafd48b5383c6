"""Access that can be revoked (issue 17, item 2): police end a person's use of the bot, unlink a
lost phone's account, cancel an unused code, and hand a supervisor's people to a colleague; the
person is told, the audit log says who did it, and a deactivated account is a stranger again."""

from __future__ import annotations

from bot.models import Messenger, Role
from tests.support.people import TextChat
from tests.support.recording import RecordingChannel
from tests.support.world import make_world



async def strangers_answer(services, text: str) -> list[str]:
    """What someone who never joined gets for ``text``."""
    return await TextChat(services, "someone-who-never-joined").says(text)


async def _audit(services, action: str) -> list[tuple]:
    async with services.db.reading() as conn:
        async with conn.execute("SELECT actor_id, subject_id FROM audit_log WHERE action = ?", (action,)) as cur:
            return [tuple(r) for r in await cur.fetchall()]


async def test_police_end_a_supervisors_access_and_hand_their_people_to_a_colleague(services):
    channel = RecordingChannel(Messenger.CONSOLE)
    services.notifier.register(channel)
    world = await make_world(services)
    binh = await world.enrol("Nông Văn Bình", supervisor="supervisor1")
    police = world.police
    hoa = world.supervisors["supervisor1"]

    await police.says("/members")
    await police.picks("Người dùng trợ lý")
    await police.says("luong thi hoa")  # her name, typed without accents
    assert police.last.text == "Lương Thị Hoa — tổ viên Tổ bảo vệ an ninh, trật tự\nTài khoản: bảng điều khiển\nĐang giúp đỡ 1 người"
    await police.picks("Ngừng quyền sử dụng")
    assert police.last.text == "Ai nhận giúp đỡ 1 người mà Lương Thị Hoa đang giúp đỡ?"
    await police.picks("Vi Văn Tám")
    said = await police.picks("Ngừng quyền")
    await services.notifier.flush()

    assert said == ["Lương Thị Hoa không còn quyền sử dụng trợ lý và đã được báo."]
    assert channel.texts("supervisor1")[-1].startswith("Công an xã đã ngừng quyền sử dụng trợ lý của anh/chị.")
    assert channel.texts("supervisor2")[-1].startswith("Anh/chị được phân công giúp đỡ Nông Văn Bình")
    tam = await world.actor("supervisor2")
    assert [r.record.person_id for r in await services.supervision.my_people(tam)] == [binh]
    police_id = (await world.actor("police1")).person.id
    hoa_id = (await services.accounts.identify(Messenger.CONSOLE, "supervisor1", "supervisor1")).person.id
    assert await _audit(services, "access.deactivate") == [(police_id, hoa_id)]
    for text in ("/mylist", "/checkin", "hello"):  # her phone is a stranger's now
        assert await hoa.says(text) == await strangers_answer(services, text)
    # Whatever was still queued for her is not sent: the last thing she got says her access ended.
    async with services.db.transaction() as tx:
        from bot.services.outbox import enqueue

        await enqueue(tx, tz=services.settings.timezone, now=services.clock.now(), person_id=hoa_id,
                      kind="assigned", params={"name": "Nông Văn Bình", "village": "Thôn Nà Lay"})
    await services.notifier.flush()
    assert channel.texts("supervisor1")[-1].startswith("Công an xã đã ngừng")


async def test_a_lost_phones_account_is_unlinked_and_the_other_messenger_keeps_working(services):
    console, zalo = RecordingChannel(Messenger.CONSOLE), RecordingChannel(Messenger.ZALO)
    services.notifier.register(console)
    services.notifier.register(zalo)
    world = await make_world(services)
    hoa = world.supervisors["supervisor1"]
    await hoa.says("/linkcode")
    code = hoa.replies[0].text.split("/start ", 1)[1].split()[0]
    phone = TextChat(services, "zalo-hoa", Messenger.ZALO)
    await phone.says(f"/start {code}")

    police = world.police
    await police.says("/members")
    await police.picks("Người dùng trợ lý")
    await police.says("luong thi hoa")
    await police.picks("Gỡ tài khoản Zalo (bot)")
    said = await police.picks("Gỡ")
    await services.notifier.flush()

    assert said == ["Tài khoản Zalo (bot) của Lương Thị Hoa đã được gỡ."]
    assert zalo.texts("zalo-hoa")[-1].startswith("Tài khoản nhắn tin này đã được Công an xã gỡ khỏi trợ lý.")
    assert await phone.says("/mylist") == await strangers_answer(services, "/mylist")
    assert await hoa.says("/mylist") != await strangers_answer(services, "/mylist")  # the console still works
    assert len(await _audit(services, "access.unlink")) == 1


async def test_an_unused_code_is_cancelled_and_then_refused(services):
    world = await make_world(services)
    police = world.police
    await police.says("/invite")
    await police.picks("Tổ viên Tổ bảo vệ an ninh, trật tự")
    await police.says("Hà Văn Mới")
    code = police.replies[0].text.split(": ", 1)[1].split()[0]

    await police.says("/members")
    assert police.options[1] == "1 mã mời chưa dùng"
    await police.picks("1 mã mời chưa dùng")
    await police.picks(police.options[0])
    said = await police.picks("Hủy mã")

    assert said == ["Đã hủy mã."]
    said = await TextChat(services, "newcomer").says(f"/start {code}")
    assert said == ["Mã này đã bị Công an xã hủy. Vui lòng xin Công an xã mã mới."]


async def test_an_officer_cannot_lock_themself_out_and_others_cannot_reach_this_screen(services):
    world = await make_world(services)
    police = world.police
    await police.says("/members")
    await police.picks("Người dùng trợ lý")
    await police.says("hoang")
    assert "Ngừng quyền sử dụng" not in police.options
    said = await world.supervisors["supervisor1"].says("/members")
    assert said[0].startswith("Xin lỗi, chức năng này không dành cho anh/chị.")


async def test_a_returnee_given_a_new_code_after_their_access_ended_is_back(services):
    world = await make_world(services)
    person = await world.enrol("Nông Văn Bình")
    police = await world.actor("police1")
    code = await services.accounts.create_invite(role=Role.RETURNEE, commune_id=police.person.commune_id,
                                                 person_id=person)
    binh = TextChat(services, "binh")
    await binh.says(f"/start {code.code}")
    await services.members.deactivate(police, person)
    assert await binh.says("/me") == await strangers_answer(services, "/me")

    again = await services.accounts.create_invite(role=Role.RETURNEE, commune_id=police.person.commune_id,
                                                  person_id=person)
    said = await binh.says(f"/start {again.code}")
    assert said[0].startswith("Chào mừng")
    assert await binh.says("/me") != await strangers_answer(services, "/me")
