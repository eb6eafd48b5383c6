"""The supervision cycle as commune police and the person live it (issue 18): a breach and its
review within 5 working days, the threshold of two, the monthly roll call and grades signed by
the head, the list for the province, the end of the term, and the person's own view."""

from __future__ import annotations

import io
from datetime import date

from openpyxl import load_workbook

from bot.models import Category, Messenger, PenaltyType, Role
from tests.support.people import TextChat
from tests.support.recording import RecordingChannel
from tests.support.world import make_world
from tests.test_reminders_alerts import at


async def _setting(services, clock, day=date(2026, 12, 1)):
    at(clock, day, 10)
    channel = RecordingChannel(Messenger.CONSOLE)
    services.notifier.register(channel)
    world = await make_world(services)
    binh = await world.enrol("Nông Văn Bình", supervisor="supervisor1")  # án treo 10/01/2026 – 10/01/2028
    police = await world.actor("police1")
    code = await services.accounts.create_invite(role=Role.RETURNEE, commune_id=police.person.commune_id,
                                                 person_id=binh)
    chat = TextChat(services, "binh")
    await chat.says(f"/start {code.code}")
    return world, channel, binh, chat


async def _breach(police, what="Không nộp báo cáo tháng 11", intentional=True, day="hôm nay"):
    await police.says("/breach")
    await police.says("nong van binh")
    await police.picks("Vi phạm nghĩa vụ (biên bản)")
    await police.says(day)
    await police.says(what)
    return await police.picks("Cố ý" if intentional else "Không cố ý")


async def test_a_breach_gets_its_review_within_five_working_days_and_the_person_is_told_kindly(services, clock):
    world, channel, _binh, chat = await _setting(services, clock)

    said = await _breach(world.police)
    await services.notifier.flush()

    assert said == ["Đã lưu. Hạn tổ chức kiểm điểm là 08/12/2026: 5 ngày làm việc, không tính ngày lễ "
                    "(Nghị định 231/2026, Điều 9). Đã báo cho Nông Văn Bình."]
    told = channel.texts("binh")[-1]
    assert told.startswith("Công an xã đã ghi nhận một nghĩa vụ chưa được thực hiện đúng vào ngày 01/12/2026.")
    assert "án treo" not in told and "tù" not in told  # may show on a lock screen
    me = (await chat.says("/me"))[0]
    assert "Buổi kiểm điểm: chậm nhất ngày 08/12/2026." in me


async def test_the_second_intentional_breach_alerts_police_with_what_the_court_may_do(services, clock):
    world, channel, _binh, _chat = await _setting(services, clock)
    await _breach(world.police, intentional=False)
    await _breach(world.police)
    await services.notifier.flush()
    assert not any("⚠️" in t for t in channel.texts("police1"))  # one intentional breach so far

    said = await _breach(world.police, what="Vắng mặt khi được triệu tập")
    await services.notifier.flush()

    assert said[0].endswith("⚠️ Đã đến ngưỡng 2 lần: Tòa án có thể được đề nghị xem xét. Công an xã đã được báo; "
                            "Tòa án quyết định.")
    warning = channel.texts("police1")[-1]
    assert warning.startswith("⚠️ Nông Văn Bình: đã ghi 2 lần cố ý vi phạm nghĩa vụ và 0 lần bị xử phạt hành chính. "
                              "Theo BLHS 2015 Điều 65 khoản 5, có thể bị đề nghị buộc chấp hành hình phạt tù")
    assert "Tòa án quyết định" in warning and " sẽ " not in warning


async def test_missing_the_review_is_a_new_breach_with_its_own_review(services, clock):
    world, channel, _binh, _chat = await _setting(services, clock)
    await _breach(world.police)
    at(clock, date(2026, 12, 8), 10)
    police = world.police

    await police.says("/reviews")
    assert police.options == ["Nông Văn Bình · hạn 08/12/2026"]
    await police.picks("Nông Văn Bình · hạn 08/12/2026")
    said = await police.picks("Vắng mặt không có lý do chính đáng")

    assert said[0].startswith("Đã lưu. Vắng buổi kiểm điểm không có lý do chính đáng cũng là một lần vi phạm nghĩa vụ")
    assert "chậm nhất ngày 15/12/2026" in said[0] and "ngưỡng 2 lần" in said[0]  # 2 intentional now
    assert (await police.says("/reviews"))[-1] != "Không có buổi kiểm điểm nào chờ ghi kết quả."


async def test_the_months_grades_are_proposed_changed_signed_by_the_head_and_go_out_as_a_list(services, clock):
    world, channel, binh, chat = await _setting(services, clock, date(2026, 11, 3))
    mai = await world.enrol("Lý Thị Mai", supervisor="supervisor2", category=Category.SUSPENDED,
                            penalty_type=PenaltyType.SUSPENDED, penalty_months=12,
                            probation_start=date(2026, 5, 1), probation_end=date(2027, 5, 1))
    police = world.police
    await police.says("/rollcall")
    await police.says("ly thi mai")
    binh_actor = await services.accounts.identify(Messenger.CONSOLE, "binh", "binh")
    await services.supervision.self_report(binh_actor, wellbeing="good", work="steady", help_needed="")
    at(clock, date(2026, 11, 20), 10)
    await _breach(police, day="hôm nay")
    at(clock, date(2026, 12, 1), 10)

    await police.says("/grades")
    listing = police.last.text.splitlines()

    assert listing[0] == "Xếp loại tháng 11/2026 (trợ lý đề xuất từ dữ kiện trong tháng; cán bộ quyết định):"
    assert "• Lý Thị Mai: Trung bình (chưa nộp báo cáo định kỳ)" in listing
    assert "• Nông Văn Bình: Kém (có biên bản vi phạm)" in listing
    assert "✍️ Ký xếp loại của tháng" not in police.options  # Hoàng Văn Minh is not the head yet
    await police.picks("Sửa: Lý Thị Mai")
    await police.picks("Khá")
    assert "• Lý Thị Mai: Khá (chưa nộp báo cáo định kỳ)" in police.last.text

    await services.accounts.configure_commune("Xã Mẫu Sơn", {}, head="Hoàng Văn Minh")
    await police.says("/grades")
    said = await police.picks("✍️ Ký xếp loại của tháng")
    assert said[0] == "Đã ký 2 xếp loại tháng 11/2026."
    book = load_workbook(io.BytesIO(police.replies[-1].attachment.data))
    rows = [[c.value for c in row] for row in book.active.iter_rows(min_row=3)]
    assert ["Lý Thị Mai", "án treo", "Khá", "Trung bình", "chưa nộp báo cáo định kỳ", "có", "chưa nhận", 0, "có"] in rows
    assert ["Nông Văn Bình", "án treo", "Kém", "Kém", "có biên bản vi phạm", "không", "đã nhận", 1, "có"] in rows
    assert "✍️" in (await police.says("/grades"))[0] and "Sửa: Lý Thị Mai" not in police.options  # signed: fixed
    assert mai and binh


async def test_police_are_reminded_on_day_1_and_day_4_of_what_is_not_signed(services, clock):
    from tests.test_reminders_alerts import run_tick

    world, channel, _binh, _chat = await _setting(services, clock, date(2026, 11, 3))
    at(clock, date(2026, 12, 1), 9)
    await run_tick(services)
    at(clock, date(2026, 12, 2), 9)
    await run_tick(services)
    at(clock, date(2026, 12, 4), 9)
    await run_tick(services)

    reminders = [t for t in channel.texts("police1") if t.startswith("Nhắc lịch: trước 05/12/2026")]
    assert len(reminders) == 2  # day 1 and day 4, not day 2
    assert "xếp loại tháng 11/2026" in reminders[0] and "Còn 1 người chưa có xếp loại được ký. /grades" in reminders[0]
    assert world


async def test_the_end_of_the_term_moves_the_record_on_by_itself(services, clock):
    world, channel, binh, chat = await _setting(services, clock, date(2027, 1, 12))
    from bot.services.supervision import RecordInput

    record, _new = await services.supervision.enrol(await world.actor("police1"), RecordInput(
        full_name="Vi Thị Hằng", date_of_birth=date(1995, 2, 14), village="Thôn Pò Mã", category=Category.PAROLE,
        penalty_type=PenaltyType.PRISON, penalty_months=48, release_date=date(2026, 1, 15),
        probation_end=date(2027, 1, 10)))
    parole = record.person_id
    police = world.police

    await police.says("/complete")
    await police.says("vi thi hang")
    said = await police.says("11/01/2027")
    assert said[0].startswith("Đã lưu. Từ nay Vi Thị Hằng thuộc diện người chấp hành xong án phạt tù")
    record = (await services.supervision.card(await world.actor("police1"), parole)).record
    assert (record.category, record.release_date, record.open) == (Category.RELEASED, date(2027, 1, 11), True)

    await police.says("/complete")
    await police.says("nong van binh")
    said = await police.says("11/01/2027")
    assert said[0].startswith("Đã lưu. Việc giám sát Nông Văn Bình kết thúc; hồ sơ chờ xóa án tích.")
    assert "Ngày dự kiến được xóa án tích: 11/01/2028" in said[0]  # án treo: 1 year after the certificate
    await services.notifier.flush()
    assert channel.texts("binh")[-1] == ("Công an xã đã ghi nhận giấy chứng nhận chấp hành xong ngày 11/01/2027. "
                                         "Việc giám sát đã kết thúc. Gửi /expungement để xem khi nào anh/chị có thể "
                                         "được xóa án tích.")
    record = (await services.supervision.card(await world.actor("police1"), binh)).record
    assert not record.open and record.closed_reason.value == "sentence_completed"


async def test_the_persons_own_view_says_when_shortening_may_be_proposed_never_that_it_will(services, clock):
    _world, _channel, _binh, chat = await _setting(services, clock)

    me = (await chat.says("/me"))[0]

    assert ("Từ ngày 10/01/2027 (qua một nửa thời gian thử thách), nếu có nhiều tiến bộ, anh/chị có thể được đề nghị "
            "rút ngắn thời gian thử thách; Tòa án quyết định") in me
    assert "Báo cáo định kỳ với Công an xã: hỏi cán bộ ngày nộp (theo quy định cũ là 5 ngày đầu mỗi tháng)" in me
    assert " sẽ được" not in me


async def test_police_see_who_may_be_proposed_for_a_shorter_probation_with_the_facts(services, clock):
    world, _channel, _binh, _chat = await _setting(services, clock, date(2027, 1, 12))  # half: 10/01/2027
    await world.enrol("Lý Thị Mai", category=Category.SUSPENDED, penalty_type=PenaltyType.SUSPENDED, penalty_months=12,
                      probation_start=date(2026, 6, 1), probation_end=date(2027, 6, 1))  # half on 01/12/2026
    police = world.police
    await _breach(police)  # Mai has none; Bình now has one

    said = await police.says("/shortening")

    assert said[0].startswith("Có thể được đề nghị rút ngắn thời gian thử thách (đã qua một nửa")
    assert "• Lý Thị Mai: qua một nửa từ 01/12/2026; xếp loại Tốt 0, Khá 0; 0 lần báo cáo định kỳ" in said[0]
    assert "Nông Văn Bình" not in said[0]


async def test_a_day_off_the_commune_adds_pushes_the_review_back(services, clock):
    world, _channel, _binh, _chat = await _setting(services, clock)
    await services.accounts.configure_commune("Xã Mẫu Sơn", {}, days_off=[date(2026, 12, 4)])

    said = await _breach(world.police)

    assert said[0].startswith("Đã lưu. Hạn tổ chức kiểm điểm là 09/12/2026")


async def test_the_officer_accepts_a_periodic_report_or_asks_for_a_new_one(services, clock):
    world, channel, binh, _chat = await _setting(services, clock, date(2026, 11, 3))
    binh_actor = await services.accounts.identify(Messenger.CONSOLE, "binh", "binh")
    await services.supervision.self_report(binh_actor, wellbeing="okay", work="none", help_needed="")
    police = world.police

    await police.says("/periodic")
    await police.picks("Nông Văn Bình · 03/11/2026")
    assert police.last.text.splitlines()[:3] == ["Báo cáo của Nông Văn Bình, ngày 03/11/2026:", "Tình hình: tạm ổn",
                                                 "Công việc: Chưa có việc làm"]
    await police.picks("Đề nghị báo cáo lại")
    said = await police.says("Chưa nêu dự định công việc tháng tới")
    await services.notifier.flush()

    assert said == ["Đã gửi lại; đã báo cho người đó điều còn thiếu."]
    assert channel.texts("binh")[-1] == ("Công an xã đề nghị anh/chị gửi lại báo cáo ngày 03/11/2026: Chưa nêu dự định "
                                         "công việc tháng tới\nGửi /selfreport.")
    at(clock, date(2026, 12, 1), 10)
    await police.says("/grades")
    assert "• Nông Văn Bình: Trung bình (báo cáo chưa đạt)" in police.last.text
    assert binh


async def test_an_absence_is_asked_for_decided_by_police_in_writing_and_an_overdue_return_shows(services, clock):
    world, channel, _binh, chat = await _setting(services, clock)

    await chat.says("/absence")
    await chat.says("10/12/2026")
    await chat.says("20/12/2026")
    await chat.says("Xã Tân Lập, Bình Dương")
    said = await chat.picks("Làm việc hoặc học tập ở đó")
    await services.notifier.flush()

    assert said[0].startswith("Đã gửi Công an xã: 11 ngày, từ 10/12/2026 đến 20/12/2026.")
    assert "Chưa chắc chắn: theo Luật 2019, mỗi lần không quá 60 ngày và tổng cộng không quá 243 ngày" in said[0]
    assert channel.texts("police1")[-1].startswith("Nông Văn Bình xin vắng mặt từ 10/12/2026 đến 20/12/2026 (11 ngày).")
    police = world.police
    await police.says("/absences")
    await police.picks(police.options[0])
    assert "Số ngày đã được đồng ý: 0." in police.last.text
    await police.picks("Đã đồng ý bằng văn bản")
    await police.says("Văn bản số 12/UBND ngày 05/12/2026")
    await services.notifier.flush()
    assert channel.texts("binh")[-1].startswith("Việc vắng mặt từ 10/12/2026 đến 20/12/2026 của anh/chị đã được đồng ý "
                                                "(Văn bản số 12/UBND ngày 05/12/2026). Khi đến nơi, hãy trình báo")

    from tests.test_reminders_alerts import run_tick

    at(clock, date(2026, 12, 21), 10)
    await run_tick(services)
    at(clock, date(2026, 12, 22), 10)
    await run_tick(services)
    await services.notifier.flush()
    overdue = [t for t in channel.texts("police1") if "lẽ ra đã về ngày 20/12/2026" in t]
    assert overdue == ["Nông Văn Bình lẽ ra đã về ngày 20/12/2026 nhưng chưa có ghi nhận trở về. Hãy kiểm tra, rồi ghi "
                       "trong /absences."]  # once, not every tick
    await police.says("/absences")
    assert police.options[0] == "Nông Văn Bình: ⚠️ lẽ ra đã về ngày 20/12/2026"
    await police.picks(police.options[0])
    assert (await police.picks("Đã về hôm nay")) == ["Đã ghi nhận việc trở về."]
    assert "Số ngày vắng mặt đã được đồng ý: 11/243" in (await chat.says("/me"))[0]


async def test_the_person_does_the_roll_call_through_the_bot_where_the_commune_turned_it_on(services, clock):
    world, _channel, binh, chat = await _setting(services, clock, date(2026, 12, 2))
    assert (await chat.says("/present"))[0].startswith("Xã anh/chị điểm danh trực tiếp")  # off by default
    await services.accounts.configure_commune("Xã Mẫu Sơn", {"rollcall_by_bot": True})

    await chat.says("/present")
    assert chat.last.text.startswith("Điểm danh tháng này: gửi vị trí hiện tại")
    assert (await chat.says("tôi đang ở nhà"))[0].startswith("Vui lòng gửi vị trí hoặc ảnh")
    said = await chat.sends_location(21.85, 106.76)

    assert said == ["Đã điểm danh tháng 12/2026. Cảm ơn anh/chị."]
    assert (await chat.says("/present"))[0] == "Anh/chị đã điểm danh tháng này. Cảm ơn anh/chị."
    await services.accounts.configure_commune("Xã Mẫu Sơn", {"rollcall_days": 3})  # the officer's window
    at(clock, date(2027, 1, 4), 10)
    assert (await chat.says("/present"))[0].startswith("Điểm danh qua trợ lý chỉ mở trong những ngày đầu mỗi tháng.")
    at(clock, date(2027, 1, 3), 10)
    assert (await chat.says("/present"))[0].startswith("Điểm danh tháng này: gửi vị trí hiện tại")
    await chat.says("/cancel")
    [(_record, _grade, facts)] = await services.supervision.month(await world.actor("police1"), date(2026, 12, 1))
    assert facts.roll_call_done  # counted in December's facts for the grade
    assert binh


async def test_the_report_counts_grades_signed_on_time_and_breaches(services, clock):
    world, _channel, _binh, _chat = await _setting(services, clock, date(2026, 11, 3))
    await _breach(world.police)
    await services.accounts.configure_commune("Xã Mẫu Sơn", {}, head="Hoàng Văn Minh")
    police = await world.actor("police1")
    at(clock, date(2026, 12, 4), 10)
    await services.supervision.sign_month(police, date(2026, 11, 1))  # on time
    at(clock, date(2026, 12, 10), 10)

    report = await services.reports.for_actor(police, date(2026, 11, 1), date(2026, 11, 30))

    assert (report.grades, report.grades_signed, report.grades_on_time, report.breaches) == (1, 1, 1, 1)


async def test_the_review_and_the_periodic_report_are_reminded(services, clock):
    from tests.test_reminders_alerts import run_tick

    world, channel, _binh, _chat = await _setting(services, clock, date(2026, 11, 27))
    await _breach(world.police)  # Friday 27/11: due Friday 04/12
    await services.accounts.configure_commune("Xã Mẫu Sơn", {"rollcall_by_bot": True})
    at(clock, date(2026, 12, 1), 9)
    await run_tick(services)
    at(clock, date(2026, 12, 3), 9)
    await run_tick(services)
    await run_tick(services)
    await services.notifier.flush()

    assert channel.texts("binh")[-1] == ("Nhắc lịch: trong những ngày đầu tháng này, anh/chị gửi báo cáo định kỳ cho "
                                         "Công an xã (/selfreport). Điểm danh hằng tháng cũng làm được tại đây: /present.")
    reviews = [t for t in channel.texts("police1") if "hạn tổ chức kiểm điểm" in t]
    assert reviews == ["Nhắc lịch: ngày mai (04/12/2026) là hạn tổ chức kiểm điểm Nông Văn Bình. Ghi kết quả bằng "
                       "/reviews."]


async def test_the_police_card_shows_a_missing_periodic_report_and_the_review_due(services, clock):
    world, _channel, binh, _chat = await _setting(services, clock)
    await _breach(world.police)

    card = await services.supervision.card(await world.actor("police1"), binh)
    from bot.flows.texts import card_text
    from bot.i18n import use_locale

    with use_locale("vi"):
        text = card_text(card)
    assert "Tháng này: báo cáo định kỳ chưa nhận; điểm danh chưa." in text
    assert "Vi phạm, xử phạt: 1. Kiểm điểm chậm nhất ngày 08/12/2026 (/reviews)." in text



async def test_after_the_months_roll_call_police_can_record_a_spot_check(services, clock):
    world, _channel, _binh, _chat = await _setting(services, clock)
    police = world.police
    await police.says("/rollcall")
    assert (await police.says("nong van binh")) == ["Đã ghi điểm danh trực tiếp cho Nông Văn Bình, ngày 01/12/2026."]

    await police.says("/rollcall")
    await police.says("nong van binh")
    assert police.last.text == "Nông Văn Bình đã điểm danh tháng này. Ghi một lần kiểm tra đột xuất?"
    said = await police.picks("Ghi kiểm tra đột xuất")

    assert said == ["Đã ghi kiểm tra đột xuất Nông Văn Bình, ngày 01/12/2026."]
