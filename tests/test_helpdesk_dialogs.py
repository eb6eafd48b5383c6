"""The help desk as a returnee and the staff live it: questions, the calculator, the loan check,
talking to a person, and the jobs board."""

from __future__ import annotations

from datetime import date

import pytest

from bot.models import Category, Messenger, PenaltyType, Role
from tests.support.people import TextChat
from tests.support.recording import RecordingChannel
from tests.support.world import make_world


@pytest.fixture
async def world(services):
    return await make_world(services)


async def returnee(world, name="Nông Văn Bình", **fields) -> TextChat:
    person = await world.enrol(name, supervisor="supervisor1", **fields)
    police = await world.actor("police1")
    invite = await world.services.accounts.create_invite(role=Role.RETURNEE, commune_id=police.person.commune_id,
                                                         person_id=person)
    chat = TextChat(world.services, "binh")
    await chat.says(f"/start {invite.code}")
    return chat


async def test_a_question_typed_without_diacritics_gets_the_answer_it_asked_for_with_its_source(world):
    binh = await returnee(world)

    said = await binh.says("doanh nghiep nhan 30 nguoi man han tu vao lam thi duoc vay bao nhieu")

    assert said[0].startswith("Cơ sở sản xuất, kinh doanh")
    assert "tối đa 2 tỷ đồng mỗi dự án" in said[0] and "ít nhất 10% lao động" in said[0]
    assert "Căn cứ: Quyết định 22/2023/QĐ-TTg, Điều 3 khoản 2 điểm b, Điều 6 khoản 2 điểm b, Điều 10" in said[0]
    assert "Kiểm tra ngày 01/12/2026." in said[0]
    assert binh.options == ["Câu hỏi khác", "Gặp cán bộ"]


async def test_an_answer_a_calculator_gives_better_offers_to_start_it_from_the_record(world):
    binh = await returnee(world)

    said = await binh.says("bao lâu thì được xóa án tích")

    assert said[0].startswith("Người đủ 18 tuổi khi phạm tội")
    assert binh.options == ["Tính ngày xóa án tích của tôi", "Câu hỏi khác", "Gặp cán bộ"]
    said = await binh.picks("Tính ngày xóa án tích của tôi")
    assert said[0].startswith("Tôi tính từ hồ sơ của anh/chị: án treo")


async def test_topics_then_questions_and_an_off_topic_question(world):
    binh = await returnee(world)

    await binh.says("hôm nay trời đẹp quá")
    assert binh.last.text.startswith("Xin lỗi, tôi chưa có câu trả lời cho câu hỏi này.")
    assert binh.options[:3] == ["Vay vốn", "Học nghề", "Việc làm"] and binh.options[-1] == "Gặp cán bộ"
    await binh.picks("Phiếu lý lịch tư pháp")
    assert binh.last.text == "Phiếu lý lịch tư pháp: anh/chị muốn hỏi điều gì?"
    said = await binh.picks("Công ty đòi phiếu lý lịch tư pháp số 2 có đúng không?")
    assert said[0].startswith("Từ 01/7/2026:\n• không ai (kể cả công ty) được yêu cầu anh/chị nộp Phiếu lý lịch tư pháp số 2")

    await binh.says("/ask")
    said = await binh.says("lam lai can cuoc")  # typed instead of pressing a topic
    assert said[0].startswith("Làm hoặc làm lại thẻ căn cước tại Công an xã")


@pytest.mark.parametrize("typed, answer", [
    ("xin chào", "Chào anh/chị. Anh/chị muốn hỏi gì?"),
    ("cảm ơn nhé", "Không có gì ạ."),
    ("👍", "Khi cần gì, anh/chị cứ nhắn"),
    ("đm", "Tôi hiểu anh/chị đang bực."),
])
async def test_small_talk_gets_a_short_kind_answer(world, typed, answer):
    binh = await returnee(world)

    said = await binh.says(typed)

    assert len(said) == 1 and said[0].startswith(answer) and "Căn cứ" not in said[0]


async def test_close_answers_are_offered_as_choices(world):
    binh = await returnee(world)

    await binh.says("vây vốn ra tù")  # a typo: several loan answers are close

    assert binh.last.text == "Có phải anh/chị muốn hỏi một trong các câu này?"
    assert binh.options[-1] == "Câu hỏi khác" and 2 <= len(binh.options) <= 4
    said = await binh.picks(binh.options[0])
    assert "Căn cứ: Quyết định 22/2023/QĐ-TTg" in said[0]


async def test_the_calculator_starts_from_the_persons_own_record(world):
    binh = await returnee(world, category=Category.RELEASED, penalty_type=PenaltyType.PRISON, penalty_months=36,
                          release_date=date(2025, 6, 1))

    await binh.says("/expungement")
    assert binh.last.text.startswith("Tôi tính từ hồ sơ của anh/chị: tù có thời hạn, chấp hành xong ngày 01/06/2025.")
    await binh.picks("Từ 18 tuổi trở lên")
    await binh.picks("Không")
    await binh.picks("Cố ý")
    await binh.picks("Rồi, hoặc không có")
    said = await binh.picks("Không")

    assert said[0].splitlines()[0] == "Theo tính toán sơ bộ, không phải giấy tờ pháp lý."
    assert ("Anh/chị đương nhiên được xóa án tích vào ngày 01/06/2027 (thời hạn 2 năm kể từ 01/06/2025; "
            "BLHS 2015 Điều 70 khoản 2 điểm b)") in said[0]
    assert "Phiếu lý lịch tư pháp số 1" in said[0]


async def test_the_calculator_for_someone_not_enrolled_asks_what_it_needs(world, services):
    hoa = world.supervisors["supervisor1"]  # a supervisor working it out with someone
    await hoa.says("/expungement")
    await hoa.picks("Từ 16 đến dưới 18 tuổi")
    await hoa.picks("Không")
    await hoa.picks("Vô ý")
    said = await hoa.picks("Rất nghiêm trọng")
    assert said[0] == "Hình phạt chính đã tuyên?"
    await hoa.picks("Án treo")
    await hoa.says("2 năm")
    await hoa.says("29/02/2024")
    await hoa.picks("Rồi, hoặc không có")
    said = await hoa.picks("Không")
    assert said[0].splitlines()[1].startswith(
        "Theo luật, anh/chị không bị coi là có án tích (BLHS 2015 Điều 107 khoản 1 điểm b)")


async def test_a_national_security_case_is_told_to_apply_to_the_court(world):
    hoa = world.supervisors["supervisor1"]
    for pick in ("Từ 18 tuổi trở lên", "Xâm phạm an ninh quốc gia (Chương XIII)", "Cố ý", "Tù có thời hạn"):
        await (hoa.says("/expungement") if pick == "Từ 18 tuổi trở lên" else hoa.says(""))
        await hoa.picks(pick)
    await hoa.says("4 năm")
    await hoa.says("10/03/2024")
    await hoa.picks("Rồi, hoặc không có")
    said = await hoa.picks("Không")
    assert "chỉ được xóa theo quyết định của Tòa án" in said[0] and "11/03/2027" in said[0]
    assert "chưa được xác nhận" in said[0]  # the 3-year limb of Điều 71 is UNCONFIRMED


async def test_the_loan_check_then_help_with_the_dossier_reaches_supervisor_and_police(world, services):
    channel = RecordingChannel(Messenger.CONSOLE)
    services.notifier.register(channel)
    binh = await returnee(world, category=Category.RELEASED, penalty_type=PenaltyType.PRISON, penalty_months=36,
                          release_date=date(2023, 1, 15))

    await binh.says("/loan")
    await binh.picks("Sản xuất, kinh doanh, tạo việc làm")
    await binh.picks("Có")
    said = await binh.picks("Không")
    assert said[0].startswith("Theo các câu trả lời, anh/chị có thể đủ điều kiện.")
    assert "Hãy làm hồ sơ trước 15/01/2028" in said[0] and "tối đa 100 triệu đồng" in said[0]
    said = await binh.picks("Vâng, nhờ giúp")

    assert said == ["Đã gửi tới Lương Thị Hoa, Hoàng Văn Minh. Câu trả lời sẽ gửi về đây."]
    assert channel.texts("supervisor1")[-1].startswith("Nông Văn Bình cần giúp đỡ: “Tôi muốn được giúp làm hồ sơ vay vốn")
    assert channel.texts("police1")[-1].endswith("Trả lời bằng /requests.")


async def test_the_loan_check_after_five_years_says_no_and_why(world):
    binh = await returnee(world, category=Category.RELEASED, penalty_type=PenaltyType.PRISON, penalty_months=36,
                          release_date=date(2021, 3, 1))
    await binh.says("/loan")
    await binh.picks("Học nghề, đi học")
    await binh.picks("Tôi không biết")
    said = await binh.picks("Không")
    assert said[0].startswith("Theo các câu trả lời, hiện anh/chị có thể chưa đủ điều kiện.")
    assert "Đã quá 5 năm kể từ khi anh/chị chấp hành xong án (hạn cuối là 01/03/2026)." in said[0]


async def test_talk_to_a_person_and_the_police_answer_comes_back(world, services):
    channel = RecordingChannel(Messenger.CONSOLE)
    services.notifier.register(channel)
    binh = await returnee(world)

    await binh.says("/contact")
    said = await binh.says("Tôi bị chủ xưởng trả lương thấp hơn người khác")
    assert said == ["Đã gửi tới Lương Thị Hoa, Hoàng Văn Minh. Câu trả lời sẽ gửi về đây."]

    police = world.police
    await police.says("/requests")
    assert police.options[0].startswith("Nông Văn Bình · ")
    said = await police.says("1")
    assert "Nông Văn Bình: Tôi bị chủ xưởng trả lương thấp hơn người khác" in said[0]
    await police.picks("Trả lời")
    said = await police.says("Chiều mai anh qua trụ sở xã, tôi sẽ làm việc với chủ xưởng.")
    assert said == ["Đã gửi tới Nông Văn Bình."]
    assert channel.texts("binh")[-1] == ("Trả lời của Hoàng Văn Minh: Chiều mai anh qua trụ sở xã, tôi sẽ làm việc với "
                                         "chủ xưởng.\nĐể nhắn lại, gửi /contact.")

    await police.says("/requests")
    await police.says("1")
    said = await police.picks("Đánh dấu đã xong")
    assert said == ["Đã đánh dấu xong. Cuộc trao đổi được lưu trong hồ sơ."]
    assert (await police.says("/requests")) == ["Không có yêu cầu nào đang chờ."]
    # the other supervisor never sees it
    assert (await world.supervisors["supervisor2"].says("/requests")) == ["Không có yêu cầu nào đang chờ."]


async def test_jobs_board_post_browse_interest_and_expiry(world, services, clock):
    channel = RecordingChannel(Messenger.CONSOLE)
    services.notifier.register(channel)
    binh = await returnee(world)
    police = world.police

    await police.says("/post")
    await police.picks("Việc làm")
    for answer in ("Công nhân may", "Công ty May Lạng Sơn", "Cao Lộc", "6 triệu đồng/tháng", "Chị Hà 0912000111"):
        await police.says(answer)
    said = await police.says("15/12/2026")
    assert said == ["Đã đăng: “Công nhân may”, hiển thị đến 15/12/2026."]

    await binh.says("/jobs")
    assert binh.options == ["Việc làm: Công nhân may · Cao Lộc"]
    said = await binh.says("1")
    assert said[0].splitlines() == ["Việc làm: Công nhân may", "Nơi tuyển hoặc trường: Công ty May Lạng Sơn",
                                    "Địa điểm: Cao Lộc", "Lương hoặc hỗ trợ: 6 triệu đồng/tháng",
                                    "Người liên hệ: Chị Hà 0912000111", "Nhận đến ngày 15/12/2026"]
    said = await binh.picks("Tôi quan tâm")
    assert said[0].startswith("Xong: đã báo người đăng tin và người giúp đỡ anh/chị.")
    expected = "Nông Văn Bình quan tâm đến “Công nhân may” (Công ty May Lạng Sơn)."
    assert channel.texts("police1")[-1] == expected and channel.texts("supervisor1")[-1] == expected

    clock.advance(days=24)  # 16/12: past its last day
    assert (await binh.says("/jobs"))[0].startswith("Hiện chưa có tin việc làm hay khóa học nào.")


async def test_the_calculator_gives_someone_still_on_probation_the_expected_date(world):
    binh = await returnee(world, probation_start=date(2026, 1, 10), probation_end=date(2028, 1, 10))

    await binh.says("/expungement")
    assert binh.last.text.startswith("Tôi tính từ hồ sơ của anh/chị: án treo, dự kiến chấp hành xong ngày 10/01/2028.")
    await binh.picks("Từ 18 tuổi trở lên")
    await binh.picks("Không")
    await binh.picks("Cố ý")
    await binh.picks("Rồi, hoặc không có")
    said = await binh.picks("Không")

    assert said[0].startswith("Anh/chị vẫn đang chấp hành án: đây là ngày dự kiến, nếu án kết thúc đúng ngày 10/01/2028")
    assert "đương nhiên được xóa án tích vào ngày 10/01/2029" in said[0]


async def test_a_long_message_to_the_commune_reaches_police_whole(world, services):
    channel = RecordingChannel(Messenger.CONSOLE)
    services.notifier.register(channel)
    binh = await returnee(world)
    long = " ".join(f"Ý {n}: chủ xưởng trả lương thấp và bắt làm thêm giờ không trả tiền." for n in range(42))
    assert 2800 < len(long) < 3000  # longer than a Zalo message: the messenger splits it, the bot never cuts it

    await binh.says("/contact")
    said = await binh.says(long)
    assert said[0].startswith("Đã gửi tới")
    await services.notifier.flush()
    assert long in channel.texts("police1")[-1]
    await world.police.says("/requests")
    shown = await world.police.says("1")
    assert long in shown[0]


async def test_a_number_sent_after_a_conversation_ended_gets_a_short_answer(world):
    binh = await returnee(world)
    await binh.says("/loan")  # a list of purposes, numbered
    await binh.says("/cancel")  # the conversation is over
    said = await binh.says("1")  # a stray number from a list that is gone
    assert len(said) == 1 and len(said[0]) < 200, said
    assert "/help" in said[0]


async def test_the_loan_check_uses_the_record_instead_of_asking_again(world):
    binh = await returnee(world)  # án treo: still serving the sentence in the community
    said = await binh.says("/loan")
    assert len(said) == 1 and said[0].startswith("Khoản vay này (Quyết định 22/2023/QĐ-TTg) dành cho người đã chấp hành "
                                                 "xong án phạt tù.")
    assert "có thể chưa thuộc danh sách" in said[0]  # "may", never a decision for the authority


async def test_the_loan_check_says_back_the_completion_date_the_record_holds(world):
    mai = await returnee(world, name="Lý Thị Mai", category=Category.RELEASED, penalty_type=PenaltyType.PRISON,
                         penalty_months=36, release_date=date(2023, 1, 15))
    await mai.says("/loan")
    said = await mai.picks("Sản xuất, kinh doanh, tạo việc làm")
    assert said[0].startswith("Theo hồ sơ, anh/chị chấp hành xong án ngày 15/01/2023")  # confirmed, not asked


async def test_a_command_someone_may_not_use_leaves_their_conversation_where_it_was(world):
    binh = await returnee(world)
    await binh.says("/selfreport")  # a question in progress: how are you doing?
    before = binh.last.text
    said = await binh.says("/enrol")  # police only
    assert said[0].startswith("Xin lỗi, chức năng này không dành cho anh/chị.")
    assert binh.last.text == before  # the question in progress, asked again


async def test_the_loan_check_tells_someone_who_finished_a_suspended_sentence_what_applies(world):
    binh = await returnee(world, probation_start=date(2024, 6, 1), probation_end=date(2026, 6, 1))

    said = await binh.says("/loan")

    assert said[0].startswith("Khoản vay này (Quyết định 22/2023/QĐ-TTg, Điều 3) dành cho người có giấy chứng nhận")
    assert "Chưa chắc chắn: đây là suy luận" in said[0] and "/contact" in said[0]


@pytest.mark.parametrize("question, fact", [
    ("Tôi phạm tội lúc 15 tuổi thì có án tích không?", "được coi là không có án tích"),
    ("phạm tội năm 17 tuổi bị án treo bao lâu xóa án tích", "6 tháng"),
    ("gây tai nạn giao thông bị án có án tích không", "do vô ý"),
])
async def test_minors_and_unintentional_crimes_get_their_own_answer_not_the_adult_periods(world, question, fact):
    binh = await returnee(world)

    said = await binh.says(question)

    assert fact in said[0] and "5 năm: tù trên 15 năm" not in said[0]
