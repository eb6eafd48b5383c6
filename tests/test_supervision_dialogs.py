"""Supervision as people live it: enrolment, assignment, check-ins, lists, cards, self-reports."""

from __future__ import annotations

from datetime import date

import pytest

from bot.models import AlertReason, Category, Messenger, Role, Status
from bot.services.access import NotFound, PermissionDenied
from bot.services.supervision import CheckinInput
from bot.models import Contact
from tests.support.people import TextChat, onboard
from tests.support.recording import RecordingChannel
from tests.support.world import make_world


@pytest.fixture
async def world(services):
    return await make_world(services)


async def test_police_enrol_a_person_on_a_suspended_sentence_and_assign_a_supervisor(world, services):
    police = world.police
    await police.says("/enrol")
    await police.says("Nông Văn Bình")
    await police.says("17/5/1990")
    await police.says("Thôn Nà Lay")
    await police.picks("Án treo")
    await police.says("2 năm")
    await police.says("10/01/2026")
    assert "Ngày hết thời gian thử thách" in police.last.text
    await police.says("10/01/2028")
    await police.picks("Không có")  # no supplementary penalty
    await police.says("Nông Thị Lan")
    await police.picks("Vợ/chồng")
    said = await police.says("0912 345 67")  # a digit short
    assert said == ["Đây không phải số điện thoại Việt Nam. Hãy nhập như khi gọi, ví dụ 0912 345 678 hoặc 024 3825 1234.",
                    "Số điện thoại của người thân?"]
    await police.says("0912 345 678")
    await police.picks("Bỏ qua")
    summary = police.last.text

    assert "Nông Văn Bình, 17/05/1990, Thôn Nà Lay" in summary
    assert "Diện: án treo" in summary and "Thử thách: từ 10/01/2026 đến 10/01/2028" in summary
    assert "Người thân: Nông Thị Lan (Vợ/chồng) 0912 345 678" in summary
    await police.picks("Sửa thôn")  # a field corrected from the summary, then back to it
    await police.says("Thôn Pò Mã")
    assert "Nông Văn Bình, 17/05/1990, Thôn Pò Mã" in police.last.text and "Người thân: Nông Thị Lan" in police.last.text
    await police.picks("Sửa thôn")
    await police.says("Thôn Nà Lay")
    said = await police.picks("✅ Lưu")
    assert said[0] == "Đã tiếp nhận Nông Văn Bình."
    assert police.options == ["Lương Thị Hoa", "Vi Văn Tám", "Để sau"]
    said = await police.picks("Lương Thị Hoa")
    assert said[0] == "Đã phân công Lương Thị Hoa giúp đỡ Nông Văn Bình và đã báo cho Lương Thị Hoa."
    said = await police.picks("Tạo mã")
    assert said[0].startswith("Mã mời cho người tái hòa nhập hoặc người chấp hành án tại cộng đồng: ")

    rows = await services.supervision.my_people(await world.actor("supervisor1"))
    assert [r.record.full_name for r in rows] == ["Nông Văn Bình"]
    record = rows[0].record
    assert (record.category, record.penalty_months, record.probation_end) == (Category.SUSPENDED, 24, date(2028, 1, 10))


async def test_the_returnee_joins_with_the_code_from_enrolment_and_sees_only_their_own_record(world, services):
    await world.enrol("Nông Văn Bình", supervisor="supervisor1")
    await world.enrol("Lý Thị Mai", supervisor="supervisor2", village="Thôn Khuổi Cưởm")
    police = await world.actor("police1")
    invite = await services.accounts.create_invite(role=Role.RETURNEE, commune_id=police.person.commune_id,
                                                   created_by=police.person, person_id=world.people["Nông Văn Bình"])
    binh = TextChat(services, "binh")
    await binh.says(f"/start {invite.code}")

    said = await binh.says("/me")

    assert said[0].splitlines() == [
        "Diện của anh/chị: án treo.",
        "Người giúp đỡ anh/chị: Lương Thị Hoa, Tổ bảo vệ an ninh, trật tự.",
        "Lần liên lạc tới: từ 01/12/2026 đến 05/12/2026.",  # "next" said once
        "Thời gian thử thách kết thúc ngày 10/01/2028.",
        "Báo cáo định kỳ với Công an xã: hỏi cán bộ ngày nộp (theo quy định cũ là 5 ngày đầu mỗi tháng); gửi "
        "/selfreport nếu xã dùng trợ lý cho việc này.",
        "Số ngày vắng mặt đã được đồng ý: 0/243 (mỗi lần không quá 60 ngày; theo Luật 2019, cần xác nhận). "
        "Xin phép: /absence.",
        "Điểm danh: trong 5 ngày đầu mỗi tháng, tại trụ sở Công an xã.",
        "Từ ngày 10/01/2027 (qua một nửa thời gian thử thách), nếu có nhiều tiến bộ, anh/chị có thể được đề nghị rút "
        "ngắn thời gian thử thách; Tòa án quyết định (BLHS Điều 65 khoản 4, 66 khoản 5).",
        "Án tích của anh/chị có thể được xóa từ ngày 10/01/2029 (dự kiến, nếu khi phạm tội anh/chị đã đủ 18 tuổi "
        "và không phải tội xâm phạm an ninh quốc gia; BLHS Điều 70). Gửi /expungement để tính đầy đủ.",
        "Gửi /selfreport để cho người giúp đỡ biết tình hình của anh/chị.",
    ]
    assert "Lý Thị Mai" not in " ".join(said)
    for command in ("/people", "/mylist", "/checkin", "/enrol", "/assess"):
        assert "không dành cho anh/chị" in (await binh.says(command))[0], command


async def test_the_new_supervisor_is_told_in_their_own_language(services):
    world = await make_world(services, supervisor_locales=("en", "vi"))
    channel = RecordingChannel(Messenger.CONSOLE)
    services.notifier.register(channel)
    person = await world.enrol("Nông Văn Bình", village="Thôn Nà Lay")

    await world.police.says("/people")
    await world.police.picks("Tất cả")
    await world.police.says("nong van binh")  # found without diacritics
    await world.police.picks("Phân công người giúp đỡ")
    await world.police.picks("Lương Thị Hoa")
    await world.police.picks("Đổi người giúp đỡ")
    await world.police.picks("Vi Văn Tám")

    assert channel.texts("supervisor1") == [
        "You now follow Nông Văn Bình (Thôn Nà Lay). Send /mylist to see everyone you follow, /checkin to record "
        "a visit or a call.",
        "Nông Văn Bình has been assigned to another supervisor. Thank you for your help.",
    ]
    assert channel.texts("supervisor2")[0].startswith("Anh/chị được phân công giúp đỡ Nông Văn Bình")
    async with services.db.reading() as conn:
        async with conn.execute("SELECT supervisor_id, ended_at IS NULL FROM assignments WHERE person_id = ? ORDER BY id",
                                (person,)) as cur:
            history = [tuple(r) for r in await cur.fetchall()]
    assert [open_ for _, open_ in history] == [0, 1]  # the first assignment ended, history kept


async def test_a_check_in_in_four_taps_then_the_list_and_the_police_card_show_it(world, services):
    await world.enrol("Nông Văn Bình", supervisor="supervisor1")
    hoa = world.supervisors["supervisor1"]

    await hoa.says("/checkin")
    await hoa.says("1")  # tap 1: the person
    await hoa.says("1")  # tap 2: home visit
    await hoa.says("1")  # tap 3: stable
    assert hoa.last.text.splitlines()[:5] == ["Lần liên lạc sẽ lưu:", "Người: Nông Văn Bình", "Hình thức: Thăm tại nhà",
                                              "Tình trạng: Ổn định", "Ngày: 22/11/2026"]
    said = await hoa.says("1")  # tap 4: save

    assert said[0] == "Đã lưu lần liên lạc với Nông Văn Bình ngày 22/11/2026 (thăm tại nhà): ổn định."
    assert said[1] == "Lần liên lạc tới với Nông Văn Bình: từ 01/12/2026 đến 05/12/2026."
    listing = (await hoa.says("/mylist"))[0].splitlines()
    assert listing[1] == "• Nông Văn Bình (Thôn Nà Lay): liên lạc lần cuối 22/11/2026; lần tới từ 01/12/2026 đến 05/12/2026"
    assert not any(line.startswith("1.") for line in listing)  # the only "1." is the action below the list

    police = world.police
    await police.says("/people")
    await police.picks("Tất cả")
    card = (await police.says("1"))[0]
    assert "Người giúp đỡ: Lương Thị Hoa" in card
    assert "• 22/11/2026 Thăm tại nhà: Ổn định" in card


async def test_a_draft_survives_a_restart_and_saving_twice_stores_once(world, settings, clock):
    from bot.app import Services

    person = await world.enrol("Nông Văn Bình", supervisor="supervisor1")
    hoa = world.supervisors["supervisor1"]
    await hoa.says("/checkin")
    await hoa.says("nong")  # type part of the name
    await hoa.says("Gọi điện thoại")
    await world.services.close()

    clock.advance(hours=3)  # a phone call, a day in the fields, a restart
    services = await Services.start(settings, clock)
    try:
        hoa = TextChat(services, "supervisor1")
        assert (await hoa.says("có dấu hiệu đáng lo ngại"))[0].startswith("Lần liên lạc sẽ lưu:")
        await hoa.picks("Đổi ngày")
        await hoa.says("hôm qua")
        await hoa.picks("Thêm ghi chú")
        await hoa.says("Uống rượu nhiều, vợ lo lắng")
        assert "Khi lưu, Công an xã sẽ được báo" in hoa.last.text
        said = await hoa.picks("✅ Lưu")
        assert said[:2] == ["Đã lưu lần liên lạc với Nông Văn Bình ngày 21/11/2026 (gọi điện thoại): có dấu hiệu đáng lo ngại.",
                            "Đã báo Công an xã."]

        supervisor = await services.accounts.identify(Messenger.CONSOLE, "supervisor1", "supervisor1")
        again = CheckinInput(client_key="same-draft", person_id=person, contact=Contact.HOME_VISIT,
                             status=Status.STABLE, happened_on=date(2026, 11, 22))
        first = await services.supervision.record_checkin(supervisor, again)
        second = await services.supervision.record_checkin(supervisor, again)
        assert first.new and not second.new and first.checkin.id == second.checkin.id
        async with services.db.reading() as conn:
            async with conn.execute("SELECT count(*) FROM checkins WHERE person_id = ?", (person,)) as cur:
                assert (await cur.fetchone())[0] == 2
    finally:
        await services.close()


async def test_no_future_dates_and_garbage_dates_get_a_clear_answer(world):
    await world.enrol("Nông Văn Bình", supervisor="supervisor1")
    hoa = world.supervisors["supervisor1"]
    for answer in ("/checkin", "1", "1", "1", "Đổi ngày"):
        await hoa.says(answer) if answer.startswith("/") or answer.isdigit() else await hoa.picks(answer)

    assert (await hoa.says("25/11/2026"))[0] == "Ngày này ở tương lai. Chỉ ghi nhận những lần liên lạc đã diễn ra."
    assert (await hoa.says("31/02"))[0] == "Ngày này không có thật. Vui lòng kiểm tra ngày và tháng."
    assert (await hoa.says("thứ ba tuần trước"))[0].startswith("Vui lòng gõ ngày như 20/11")
    assert (await hoa.says("20/11"))[0].startswith("Lần liên lạc sẽ lưu:")
    assert "Ngày: 20/11/2026" in hoa.last.text


async def test_a_day_without_a_year_is_the_nearest_the_question_allows_and_each_refusal_says_why(world, services):
    person = await world.enrol("Nông Văn Bình", supervisor="supervisor1")  # today is 22/11/2026
    hoa = world.supervisors["supervisor1"]
    for answer in ("/checkin", "1", "1", "1", "Đổi ngày"):
        await hoa.says(answer) if answer.startswith("/") or answer.isdigit() else await hoa.picks(answer)
    # in 3 days, not 361 days ago (which would be before the person was enrolled)
    assert (await hoa.says("25/11"))[0] == "Ngày này ở tương lai. Chỉ ghi nhận những lần liên lạc đã diễn ra."
    await hoa.says("/cancel")

    police = world.police
    await police.says("/people")
    await police.picks("Tất cả")
    await police.says("1")
    await police.picks("Kết thúc quản lý")
    await police.picks("Đã được xóa án tích")
    said = await police.says("30/11/2026")  # a closing is not a check-in: its own reason
    assert said[0] == "Hồ sơ chỉ kết thúc vào một ngày đã đến: nhập hôm nay hoặc một ngày trước đó."
    card = await services.supervision.card(await world.actor("police1"), person)
    assert card.record.closed_on is None


@pytest.mark.parametrize("status, reason", [
    ("Cần hỗ trợ", AlertReason.CHECKIN_NEEDS_SUPPORT),
    ("Có dấu hiệu đáng lo ngại", AlertReason.CHECKIN_CONCERN),
    ("Đã rời khỏi địa phương", AlertReason.CHECKIN_LEFT_LOCALITY),
    ("Không liên lạc được", AlertReason.CHECKIN_UNREACHABLE),
])
async def test_statuses_that_need_attention_record_one_open_alert_for_commune_police(world, services, status, reason):
    person = await world.enrol("Nông Văn Bình", supervisor="supervisor1")
    hoa = world.supervisors["supervisor1"]
    for _ in range(2):  # twice: still one open alert for this person and reason
        await hoa.says("/checkin")
        await hoa.says("1")
        await hoa.says("1")
        await hoa.picks(status)
        said = await hoa.picks("✅ Lưu")
        assert said[1] == "Đã báo Công an xã."

    from bot.storage.alerts import Alerts

    commune_id = (await world.actor("police1")).person.commune_id
    async with services.db.reading() as conn:
        alerts = await Alerts.of_commune(conn, commune_id)
    assert [(a.person_id, a.reason, a.state) for a in alerts] == [(person, reason, "open")]
    card = await services.supervision.card(await world.actor("police1"), person)
    assert len(card.alerts) == 1


async def test_a_stable_check_in_raises_no_alert(world, services):
    person = await world.enrol("Nông Văn Bình", supervisor="supervisor1")
    hoa = world.supervisors["supervisor1"]
    for answer in ("/checkin", "1", "1", "1"):  # whom, how (home visit), status (stable)
        await hoa.says(answer)
    assert hoa.last.text.startswith("Lần liên lạc sẽ lưu:") and "Tình trạng: Ổn định" in hoa.last.text
    saved, *_then = await hoa.says("1")
    assert saved == "Đã lưu lần liên lạc với Nông Văn Bình ngày 22/11/2026 (thăm tại nhà): ổn định."
    card = await services.supervision.card(await world.actor("police1"), person)
    assert [(c.person_id, c.status.value) for c in card.checkins] == [(person, "stable")]
    assert card.alerts == []


async def test_a_supervisor_cannot_see_or_check_in_on_someone_elses_person(world, services):
    mine = await world.enrol("Nông Văn Bình", supervisor="supervisor1")
    theirs = await world.enrol("Lý Thị Mai", supervisor="supervisor2", village="Thôn Khuổi Cưởm")
    hoa = world.supervisors["supervisor1"]

    await hoa.says("/checkin")
    assert hoa.options == ["Nông Văn Bình · Thôn Nà Lay"]
    assert (await hoa.says("Lý Thị Mai"))[0].startswith("Không có ai khớp với “Lý Thị Mai”")
    assert "Lý Thị Mai" not in (await hoa.says("/mylist"))[0]

    supervisor = await world.actor("supervisor1")
    with pytest.raises(NotFound):
        await services.supervision.checkin_record(supervisor, theirs)
    with pytest.raises(NotFound):
        await services.supervision.record_checkin(supervisor, CheckinInput(
            client_key="forged", person_id=theirs, contact=Contact.HOME_VISIT, status=Status.STABLE,
            happened_on=date(2026, 11, 22)))
    with pytest.raises(PermissionDenied):
        await services.supervision.card(supervisor, mine)


async def test_police_of_another_commune_see_nothing(services):
    world = await make_world(services)
    person = await world.enrol("Nông Văn Bình", supervisor="supervisor1")
    await onboard(services, Messenger.CONSOLE, "police_other", Role.POLICE, commune="Xã Khác")
    other = await services.accounts.identify(Messenger.CONSOLE, "police_other", "police_other")

    assert await services.supervision.roster(other) == []
    with pytest.raises(NotFound):
        await services.supervision.card(other, person)
    with pytest.raises(NotFound):
        await services.supervision.assign(other, person, (await world.actor("supervisor1")).person.id)


async def test_a_supervisor_may_correct_or_withdraw_for_24_hours_then_police_do_it(world, services, clock):
    await world.enrol("Nông Văn Bình", supervisor="supervisor1")
    hoa = world.supervisors["supervisor1"]
    for answer in ("/checkin", "1", "1", "1", "1"):
        await hoa.says(answer)

    await hoa.says("/checkins")
    await hoa.says("1")
    await hoa.picks("Sửa tình trạng")
    said = await hoa.picks("Cần hỗ trợ")
    assert said == ["Xong. Lần liên lạc ngày 22/11/2026 (thăm tại nhà) nay ghi: cần hỗ trợ."]

    clock.advance(hours=25)
    assert (await hoa.says("/checkins"))[0].startswith("Anh/chị không có lần liên lạc nào trong 24 giờ qua")
    supervisor = await world.actor("supervisor1")
    checkin_id = (await services.supervision.fixable_checkins(await world.actor("police1")))[0][0].id
    with pytest.raises(PermissionDenied):
        await services.supervision.withdraw_checkin(supervisor, checkin_id, "nhầm")

    police = world.police
    await police.says("/checkins")
    await police.says("1")
    await police.picks("Rút lại")
    said = await police.says("Nhập nhầm người")
    assert said == ["Đã rút lại: lần liên lạc ngày 22/11/2026 không còn được tính."]
    async with services.db.reading() as conn:
        async with conn.execute("SELECT action FROM audit_log WHERE action LIKE 'checkin.%' ORDER BY id") as cur:
            assert [r[0] for r in await cur.fetchall()] == ["checkin.add", "checkin.correct", "checkin.withdraw"]


async def test_mylist_puts_overdue_people_first(world, services, clock):
    await world.enrol("An Văn Một", supervisor="supervisor1", category=Category.RELEASED,
                      release_date=date(2026, 6, 1))
    await world.enrol("Bế Thị Hai", supervisor="supervisor1")
    clock.advance(days=14)  # 06/12/2026: the monthly window (01-05/12) has passed

    lines = (await world.supervisors["supervisor1"].says("/mylist"))[0].splitlines()

    assert lines[0] == "Anh/chị đang giúp đỡ 2 người; 1 người quá hạn liên lạc."
    assert lines[1] == "• ⚠️ Bế Thị Hai (Thôn Nà Lay): chưa liên lạc lần nào; quá hạn từ 05/12/2026"
    assert lines[2] == "• An Văn Một (Thôn Nà Lay): chưa liên lạc lần nào; lần tới từ 09/02/2027 đến 22/02/2027"


async def test_people_filters_and_every_card_view_is_audited(world, services, clock):
    await world.enrol("An Văn Một", supervisor="supervisor1", category=Category.RELEASED, release_date=date(2026, 6, 1))
    await world.enrol("Bế Thị Hai", supervisor="supervisor2", village="Thôn Khuổi Cưởm")
    clock.advance(days=14)
    police = world.police

    await police.says("/people")
    await police.picks("Quá hạn liên lạc")
    assert police.options == ["⚠️ Bế Thị Hai · Thôn Khuổi Cưởm"]
    await police.says("/cancel")
    await police.says("/people")
    await police.picks("Theo thôn")
    await police.picks("Thôn Nà Lay")
    assert police.options == ["An Văn Một · Thôn Nà Lay"]
    await police.says("/cancel")
    await police.says("/people")
    await police.picks("Theo người giúp đỡ")
    await police.picks("Vi Văn Tám")
    card = (await police.says("1"))[0]

    assert card.startswith("👤 Bế Thị Hai, 17/05/1990, Thôn Khuổi Cưởm")
    async with services.db.reading() as conn:
        async with conn.execute("SELECT actor_id, subject_id FROM audit_log WHERE action = 'record.view'") as cur:
            views = [tuple(r) for r in await cur.fetchall()]
    assert views == [((await world.actor("police1")).person.id, world.people["Bế Thị Hai"])]


async def test_editing_and_closing_a_record_keeps_its_history(world, services):
    person = await world.enrol("Nông Văn Bình", supervisor="supervisor1")
    police = world.police
    await police.says("/people")
    await police.picks("Tất cả")
    await police.says("1")
    await police.picks("Sửa hồ sơ")
    await police.picks("Thôn")
    await police.says("Thôn Pò Mã")
    said = await police.says("Chuyển nhà trong xã")
    assert said[0] == "Đã lưu." and "Thôn Pò Mã" in said[1]

    await police.picks("Kết thúc quản lý")
    await police.picks("Đã được xóa án tích")
    await police.picks("Hôm nay")
    said = await police.says("Phiếu LLTP số 123/2026")
    assert said == ["Đã kết thúc quản lý Nông Văn Bình. Hồ sơ vẫn được lưu; không còn lịch liên lạc."]

    assert await services.supervision.my_people(await world.actor("supervisor1")) == []
    card = await services.supervision.card(await world.actor("police1"), person)
    assert card.record.closed_on == date(2026, 11, 22) and card.due.state.value == "closed"
    assert [c["reason"] for c in card.changes] == ["Chuyển nhà trong xã", "closed: expunged"]
    assert card.changes[0]["changes"] == {"village": ["Thôn Nà Lay", "Thôn Pò Mã"]}


async def test_a_self_report_lands_on_the_card_and_the_supervisor_is_told(world, services):
    channel = RecordingChannel(Messenger.CONSOLE)
    services.notifier.register(channel)
    person = await world.enrol("Nông Văn Bình", supervisor="supervisor1")
    police = await world.actor("police1")
    invite = await services.accounts.create_invite(role=Role.RETURNEE, commune_id=police.person.commune_id,
                                                   person_id=person)
    binh = TextChat(services, "binh")
    await binh.says(f"/start {invite.code}")

    await binh.says("/selfreport")
    await binh.picks("Đang gặp khó khăn")
    await binh.picks("Chưa có việc làm")
    said = await binh.says("Muốn vay vốn nuôi bò")

    assert said == ["Cảm ơn anh/chị. Đã báo cho Lương Thị Hoa.\nViệc này giúp người giúp đỡ nắm tình hình; không thay "
                    "thế báo cáo bằng văn bản mà pháp luật yêu cầu anh/chị."]
    assert channel.texts("supervisor1")[-1] == "Nông Văn Bình vừa tự báo cáo: đang gặp khó khăn.\nCần giúp: Muốn vay vốn nuôi bò"
    card = await services.supervision.card(police, person)
    assert card.self_reports[0].help_needed == "Muốn vay vốn nuôi bò"


async def test_a_periodic_assessment_is_seen_on_the_card(world, services):
    person = await world.enrol("Nông Văn Bình", supervisor="supervisor1")
    hoa = world.supervisors["supervisor1"]
    await hoa.says("/assess")
    await hoa.says("1")
    await hoa.picks("Tốt")
    await hoa.picks("Làm thời vụ, việc tự do")
    await hoa.picks("Gia đình ủng hộ")
    said = await hoa.says("Cần học nghề sửa xe")

    assert said == ["Đã lưu nhận xét, đánh giá tháng 11/2026 của Nông Văn Bình. Công an xã xem được trên hồ sơ."]
    card = (await services.supervision.card(await world.actor("police1"), person))
    from bot.flows.texts import card_text

    assert "• 11/2026: Tốt, Làm thời vụ, việc tự do, Gia đình ủng hộ; Cần học nghề sửa xe" in card_text(card)


async def test_family_sees_only_what_the_person_shares(world, services):
    person = await world.enrol("Nông Văn Bình", supervisor="supervisor1")
    police = await world.actor("police1")
    binh_code = await services.accounts.create_invite(role=Role.RETURNEE, commune_id=police.person.commune_id,
                                                      person_id=person)
    lan_code = await services.accounts.create_invite(role=Role.FAMILY, commune_id=police.person.commune_id,
                                                     full_name="Nông Thị Lan", family_of=person)
    binh, lan = TextChat(services, "binh"), TextChat(services, "lan")
    await binh.says(f"/start {binh_code.code}")
    await lan.says(f"/start {lan_code.code}")

    assert (await lan.says("/me"))[0].splitlines() == [
        "Nông Văn Bình chia sẻ với anh/chị:",
        "Chưa có thông tin nào được chia sẻ với anh/chị. Người thân của anh/chị quyết định anh/chị được xem gì."]

    await binh.says("/share")
    await binh.says("2")  # who supports me: on
    await binh.picks("Xong")
    lines = (await lan.says("/me"))[0].splitlines()
    assert lines == ["Nông Văn Bình chia sẻ với anh/chị:",
                     "Người giúp đỡ anh/chị: Lương Thị Hoa, Tổ bảo vệ an ninh, trật tự."]
    assert "án treo" not in " ".join(lines)


async def test_invites_for_returnees_and_family_need_an_enrolled_record(world):
    police = world.police
    await police.says("/invite")
    said = await police.picks("Người tái hòa nhập hoặc người chấp hành án tại cộng đồng")
    assert said == ["Hãy tiếp nhận người này trước bằng /enrol; mã mời gắn với hồ sơ của họ."]


async def test_a_commune_changes_its_cadence_and_police_set_one_persons(world, services, clock):
    person = await world.enrol("An Văn Một", supervisor="supervisor1", category=Category.RELEASED,
                               release_date=date(2026, 6, 1))
    await services.supervision.set_commune_cadence("Xã Mẫu Sơn", Category.RELEASED, "window:1:5")
    clock.advance(days=14)  # 06/12: now overdue under the commune's monthly rule
    [row] = await services.supervision.my_people(await world.actor("supervisor1"))
    assert row.due.state.value == "overdue"

    police = world.police
    await police.says("/people")
    await police.picks("Tất cả")
    await police.says("1")
    await police.picks("Sửa hồ sơ")
    await police.picks("Tần suất liên lạc")
    await police.picks("3 tháng một lần kể từ lần liên lạc cuối")
    await police.says("Đã ổn định, giảm tần suất")
    [row] = await services.supervision.my_people(await world.actor("supervisor1"))
    assert (row.due.state.value, row.due.deadline) == ("ok", date(2027, 2, 22))
    with pytest.raises(ValueError):
        await services.supervision.set_commune_cadence("Xã Mẫu Sơn", Category.RELEASED, "weekly")
    assert person


async def test_a_self_report_from_someone_not_enrolled_is_refused_before_any_question(world, services):
    police = await world.actor("police1")
    invite = await services.accounts.create_invite(role=Role.RETURNEE, commune_id=police.person.commune_id,
                                                   full_name="Lý Văn Tư")  # tied to no record yet
    tu = TextChat(services, "tu")
    await tu.says(f"/start {invite.code}")
    said = await tu.says("/selfreport")
    assert said == ["Công an xã chưa nhập thông tin của anh/chị nên chưa thể gửi tự báo cáo. Nếu cần giúp đỡ ngay, "
                    "gửi /contact: tin nhắn sẽ đến Công an xã."]
    assert tu.options == []  # no question asked


async def test_an_officer_invited_without_a_name_is_asked_for_it_and_claims_read_well(world, services):
    invite = await services.accounts.create_invite(role=Role.POLICE, commune_name="Xã Mẫu Sơn")  # no --name
    officer = TextChat(services, "police9")
    said = await officer.says(f"/start {invite.code}")
    assert said == ["Chào mừng! Anh/chị đã đăng ký với vai trò cán bộ Công an xã (Xã Mẫu Sơn).",
                    "Họ và tên đầy đủ của anh/chị? Đồng nghiệp và những người anh/chị làm việc cùng sẽ thấy tên này."]
    assert (await officer.says("/"))[0].startswith("Vui lòng nhập họ và tên")
    said = await officer.says("Đinh  Văn   Lực")
    assert said[0] == "Cảm ơn Đinh Văn Lực." and "Tạo mã mời" in officer.options  # then the menu, as usual
    actor = await services.accounts.identify(Messenger.CONSOLE, "police9", "police9")
    assert actor.person.full_name == "Đinh Văn Lực"


async def test_a_command_mid_conversation_starts_unless_a_half_typed_record_would_be_lost(world, services):
    await world.enrol("Nông Văn Bình", supervisor="supervisor1")
    police = world.police
    await police.says("/people")
    await police.picks("Tất cả")
    await police.says("1")  # a card is open
    said = await police.says("/alerts")
    assert said[0] == "Đã dừng: Danh sách của xã (gửi /people để làm lại)."
    assert said[1] == "Không có cảnh báo nào đang mở."

    await police.says("/enrol")
    await police.says("Lý Thị Mai")  # a new person half typed
    said = await police.says("/people")
    assert said[0].startswith("Anh/chị đang làm dở: Tiếp nhận người mới")  # asked to finish or /cancel first
    assert police.last.text.startswith("Ngày sinh")


async def test_an_unclear_answer_is_told_what_this_messenger_allows(world):
    await world.enrol("Nông Văn Bình", supervisor="supervisor1")
    hoa = world.supervisors["supervisor1"]  # the console: no buttons
    await hoa.says("/checkin")
    await hoa.says("1")
    said = await hoa.says("không rõ")
    assert said[0] == "Vui lòng chọn một mục: trả lời bằng số thứ tự hoặc bằng chữ của mục đó."


async def test_the_category_is_corrected_from_the_enrol_summary_with_its_own_questions(world, services):
    police = world.police
    for text in ("/enrol", "Lý Thị Mai", "3/9/1985", "Thôn Khuổi Cưởm"):
        await police.says(text)
    await police.picks("Án treo")
    for text in ("2 năm", "10/01/2026", "10/01/2028"):
        await police.says(text)
    await police.picks("Không có")
    await police.picks("Bỏ qua")  # no family contact
    await police.picks("Bỏ qua")  # no note
    assert "Diện: án treo" in police.last.text
    await police.picks("Sửa diện và hình phạt")
    await police.picks("Người chấp hành xong án phạt tù")
    await police.picks("Phạt tù")
    await police.says("3 năm 6 tháng")
    await police.says("01/06/2025")
    await police.picks("Không có")
    summary = police.last.text
    assert "Diện: người chấp hành xong án phạt tù" in summary and "Thử thách" not in summary  # the old dates are gone
    said = await police.picks("✅ Lưu")
    assert said[0] == "Đã tiếp nhận Lý Thị Mai."


async def test_after_a_restart_a_question_asked_a_while_ago_is_asked_again_not_guessed(world, settings, clock):
    from bot.app import Services

    await world.enrol("Nông Văn Bình", supervisor="supervisor1")
    hoa = world.supervisors["supervisor1"]
    await hoa.says("/checkin")
    await hoa.says("1")  # whom: the next question is how
    await world.services.close()

    clock.advance(hours=5)  # the bot restarted meanwhile; she comes back later
    services = await Services.start(settings, clock)
    try:
        hoa = TextChat(services, "supervisor1")
        said = await hoa.says("chào em")  # not an answer to anything she remembers
        assert said[0] == "Tiếp tục từ chỗ đang dừng (gửi /cancel để dừng):"
        assert said[1] == "Anh/chị liên lạc với Nông Văn Bình bằng cách nào?"
        assert hoa.options == ["Thăm tại nhà", "Gọi điện thoại", "Gặp tại trụ sở xã", "Đến trình diện, báo cáo"]
        said = await hoa.says("2")  # now an answer: taken
        assert said[0].startswith("Tình hình của Nông Văn Bình thế nào?")
    finally:
        await services.close()


async def test_after_a_restart_a_free_text_question_is_asked_again_before_taking_an_answer(world, settings, clock):
    from bot.app import Services

    await world.enrol("Nông Văn Bình", supervisor="supervisor1")
    hoa = world.supervisors["supervisor1"]
    for answer in ("/checkin", "1", "1", "1"):
        await hoa.says(answer)
    await hoa.picks("Thêm ghi chú")  # a question that takes any text
    await world.services.close()

    clock.advance(hours=5)
    services = await Services.start(settings, clock)
    try:
        hoa = TextChat(services, "supervisor1")
        said = await hoa.says("chào em, hôm nay trời mưa")
        assert said[0] == "Tiếp tục từ chỗ đang dừng (gửi /cancel để dừng):"  # not stored as the note
        await hoa.says("Đã đi làm lại ở xưởng gỗ")
        assert "Ghi chú: Đã đi làm lại ở xưởng gỗ" in hoa.last.text
    finally:
        await services.close()


async def test_vietnamese_that_reads_naturally_where_a_native_reader_stumbled(world):
    await world.enrol("Nông Văn Bình", supervisor="supervisor1")
    hoa = world.supervisors["supervisor1"]
    await hoa.says("/checkin")
    assert (await hoa.says("2"))[0] == "Không có mục 2. Chỉ có mục 1."  # not "from 1 to 1"
    await hoa.says("/cancel")
    await hoa.says("/help")
    assert "Tôi có được vay vốn không?" not in hoa.options  # a supervisor's menu does not speak as a returnee


async def _enrol_suspended(police, name: str) -> list[str]:
    for text in ("/enrol", name, "17/5/1990", "Thôn Nà Lay"):
        await police.says(text)
    await police.picks("Án treo")
    for text in ("2 năm", "10/01/2026", "10/01/2028"):
        await police.says(text)
    await police.picks("Không có")
    await police.picks("Bỏ qua")
    await police.picks("Bỏ qua")
    return await police.picks("✅ Lưu")


async def test_a_name_differing_only_in_accents_is_asked_about_not_merged(world, services):
    await world.enrol("Nông Văn Bình", supervisor="supervisor1")
    police = world.police

    said = await _enrol_suspended(police, "Nông Văn Bính")

    assert said == ["Xã đã có Nông Văn Bình, sinh ngày 17/05/1990, Thôn Nà Lay: tên chỉ khác dấu. "
                    "Nông Văn Bính có phải là cùng một người không?"]
    assert police.options == ["Cùng một người", "Người khác: tiếp nhận"]
    said = await police.picks("Người khác: tiếp nhận")
    assert said[0] == "Đã tiếp nhận Nông Văn Bính."
    roster = await services.supervision.roster(await world.actor("police1"))
    assert sorted(r.record.full_name for r in roster) == ["Nông Văn Bình", "Nông Văn Bính"]
    await police.picks("Để sau")  # no supervisor yet
    await police.picks("Để sau")  # no invite code yet

    said = await _enrol_suspended(police, "Nông Văn Binh")  # a third spelling: asked again, and this time the same
    said = await police.picks("Cùng một người")
    assert said == ["Chưa lưu gì mới. Dùng /people để xem hoặc sửa hồ sơ của Nông Văn Bình."]
    assert len(await services.supervision.roster(await world.actor("police1"))) == 2


async def test_police_of_another_commune_learn_nothing_about_a_person_managed_elsewhere(world, services):
    from tests.support.people import onboard

    await world.enrol("Nông Văn Bình", supervisor="supervisor1")
    await onboard(services, Messenger.CONSOLE, "police_x", Role.POLICE, commune="Xã Khác", name="Đàm Văn Xuân")
    other = TextChat(services, "police_x")

    said = await _enrol_suspended(other, "Nông Văn Bình")

    assert said[0] == "Đã tiếp nhận Nông Văn Bình."  # as anyone new: nothing says another commune manages him
    assert not any("xã khác" in text.lower() for text in said)


async def test_a_genuine_transfer_goes_through_the_province_and_the_new_commune_is_told(world, services):
    channel = RecordingChannel(Messenger.CONSOLE)
    services.notifier.register(channel)
    person = await world.enrol("Nông Văn Bình", supervisor="supervisor1")
    await onboard(services, Messenger.CONSOLE, "police_x", Role.POLICE, commune="Xã Khác", name="Đàm Văn Xuân")

    record = await services.supervision.transfer("nong van binh", "Xã Mẫu Sơn", "Xã Khác")
    await services.notifier.flush()

    assert channel.texts("police_x") == [
        "Nông Văn Bình (Thôn Nà Lay) đã được chuyển đến xã từ Xã Mẫu Sơn, cùng hồ sơ. Hãy phân công người giúp đỡ trong /people."]
    assert channel.texts("supervisor1")[-1] == "Nông Văn Bình đã được phân công cho người khác giúp đỡ. Cảm ơn anh/chị đã giúp đỡ."
    other = await services.accounts.identify(Messenger.CONSOLE, "police_x", "police_x")
    assert [r.record.person_id for r in await services.supervision.roster(other)] == [person] == [record.person_id]
    assert await services.supervision.roster(await world.actor("police1")) == []
    assert await services.supervision.my_people(await world.actor("supervisor1")) == []
