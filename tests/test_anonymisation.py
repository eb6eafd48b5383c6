"""Anonymisation that leaves nothing behind (issue 17, item 1): every column of every table has a
rule, and a person seeded through every flow cannot be found afterwards — not in any table, not in
the bytes of the database file after a checkpoint and VACUUM."""

from __future__ import annotations

import sqlite3
from datetime import date, datetime
from pathlib import Path

from bot.clock import VIETNAM
from bot.models import CloseReason, Contact, Messenger, Role, Status
from bot.services.importer import import_file
from bot.services.supervision import CheckinInput
from bot.storage.media import Media
from bot.storage.privacy import BLANK, RULES
from tests.support.people import TextChat
from tests.support.recording import RecordingChannel
from tests.support.world import make_world


async def _schema(services) -> dict[str, set[str]]:
    async with services.db.reading() as conn:
        async with conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'") as cur:
            tables = [r[0] for r in await cur.fetchall()]
        schema = {}
        for table in tables:
            async with conn.execute(f"PRAGMA table_info({table})") as cur:
                schema[table] = {r[1] for r in await cur.fetchall()}
    return schema


async def test_every_column_of_every_table_has_a_rule(services):
    """A migration that adds a table or a column fails here until the rule list says what
    anonymisation does with it (bot/storage/privacy.py, RULES)."""
    covered: dict[str, set[str]] = {}
    for rule in RULES:
        covered.setdefault(rule.table, set()).update(rule.personal, rule.kept)
        if rule.action == BLANK:
            assert rule.personal, rule.table
    schema = await _schema(services)

    assert sorted(schema) == sorted(covered)
    for table, columns in schema.items():
        assert columns == covered[table], (table, columns ^ covered[table])


NEEDLES = (
    "Nông Văn Bình", "nong van binh", "Nông Thị Lan", "nong thi lan",
    "912345678",  # the wife's phone in every form (0912…, +84912…)
    "977111222",  # the phone the import brought
    "966333444",  # the phone a correction brought
    "987000111",  # a phone typed in a help request
    "Tôi bị đánh", "Uống rượu, cãi nhau", "nợ xấu", "xưởng gỗ", "chữa bệnh cho mẹ", "Nhà văn hóa Nà Lay",
    "chuyển đi Hà Giang", "Số mới của vợ", "zalo-user-8842117", "PHOTO-OF-BINH-7731",
)


async def test_a_person_seeded_through_every_flow_leaves_nothing_after_anonymisation(services, clock, tmp_path):
    for messenger in (Messenger.CONSOLE, Messenger.ZALO):
        services.notifier.register(RecordingChannel(messenger))
    world = await make_world(services)
    police = await world.actor("police1")
    # Enrolment, with a family contact and a note.
    person = await world.enrol("Nông Văn Bình", supervisor="supervisor1", family_name="Nông Thị Lan",
                               family_phone="0912345678", note="Cần hỗ trợ, từng nợ xấu")
    # An import that updates the record (a new phone for the family contact).
    sheet = tmp_path / "people.csv"
    sheet.write_text("full_name,date_of_birth,village,category,penalty_type,penalty_term,release_date,probation_start,"
                     "probation_end,family_name,family_relation,family_phone,note\n"
                     "Nông Văn Bình,17/05/1990,Thôn Nà Lay,án treo,,2 năm,,10/01/2026,10/01/2028,Nông Thị Lan,Vợ,"
                     "0977111222,\n", encoding="utf-8")
    result = await import_file(services, sheet, "Xã Mẫu Sơn")
    assert result.updated == 1, result
    # A correction by police, with its reason.
    await services.supervision.update(police, person, {"family_phone": "+84966333444"}, reason="Số mới của vợ anh Bình")
    # The person joins on the console and on Zalo; a family member joins.
    code = await services.accounts.create_invite(role=Role.RETURNEE, commune_id=police.person.commune_id,
                                                 person_id=person, full_name="Nông Văn Bình")
    binh = TextChat(services, "binh")
    await binh.says(f"/start {code.code}")
    await binh.says("/linkcode")
    other = binh.replies[0].text.split("/start ", 1)[1].split()[0]
    binh_zalo = TextChat(services, "zalo-user-8842117", Messenger.ZALO)
    await binh_zalo.says(f"/start {other}")
    family = await services.accounts.create_invite(role=Role.FAMILY, commune_id=police.person.commune_id,
                                                   family_of=person, full_name="Nông Thị Lan")
    await TextChat(services, "lan").says(f"/start {family.code}")
    # A request for help with a phone number in it, on Zalo.
    await binh_zalo.says("/contact")
    await binh_zalo.says("Tôi bị đánh, số tôi 0987000111")
    # Check-ins with a note and a photo; one raises an alert with its note.
    hoa = await world.actor("supervisor1")
    async with services.db.transaction() as tx:
        photo = await Media.add(tx, "image/jpeg", b"\xff\xd8PHOTO-OF-BINH-7731\xff\xd9", clock.now())
    await services.supervision.record_checkin(hoa, CheckinInput(
        client_key="a", person_id=person, contact=Contact.HOME_VISIT, status=Status.STABLE,
        happened_on=date(2026, 11, 20), note="Uống rượu, cãi nhau với vợ", photo=photo, latitude=21.85, longitude=106.76))
    await services.supervision.record_checkin(hoa, CheckinInput(
        client_key="b", person_id=person, contact=Contact.PHONE_CALL, status=Status.NEEDS_SUPPORT,
        happened_on=date(2026, 11, 22), note="Anh Bình đang nợ xấu 30 triệu"))
    # Jobs interest, a self-report, an assessment, an appointment.
    posting = await services.jobs.post(police, kind="job", title="Công nhân mộc", employer="Xưởng gỗ An Phú",
                                       place="Thôn Nà Lay", pay="", contact="", closes_on=date(2026, 12, 31))
    binh_actor = await services.accounts.identify(Messenger.CONSOLE, "binh", "binh")
    await services.jobs.interested(binh_actor, posting)
    await services.supervision.self_report(binh_actor, wellbeing="hard", work="none",
                                           help_needed="Cần tiền chữa bệnh cho mẹ")
    await services.supervision.assess(hoa, person, conduct="good", work="none", family="supportive",
                                      needs="Muốn vào làm ở xưởng gỗ")
    await services.supervision.set_appointment(police, person, datetime(2026, 11, 25, 9, tzinfo=VIETNAM),
                                               "Nhà văn hóa Nà Lay, gặp riêng")
    # Some messages delivered, some still waiting; then management ends with a note.
    await services.notifier.flush()
    await services.supervision.close(police, person, CloseReason.MOVED_AWAY, date(2026, 11, 23),
                                     note="Nông Văn Bình chuyển đi Hà Giang")
    async with services.db.reading() as conn:  # the seeding reached the tables it should
        for table in ("record_changes", "help_messages", "self_reports", "assessments", "appointments", "outbox",
                      "inbox", "media", "family_links", "posting_interest", "alerts"):
            async with conn.execute(f"SELECT count(*) FROM {table}") as cur:
                assert (await cur.fetchone())[0] > 0, table
    assert _found(services.db.path)  # and the file holds the needles now

    clock.advance(days=services.privacy.retention_days + 2)
    assert await services.privacy.anonymise_due() == 1

    async with services.db.reading() as conn:
        for table, columns in (await _schema(services)).items():
            async with conn.execute(f"SELECT * FROM {table}") as cur:
                text = "\n".join(repr(tuple(row)) for row in await cur.fetchall())
            for needle in NEEDLES:
                assert needle not in text, (table, needle)
    await services.db.checkpoint()  # what anonymise_due leaves: the file itself, then a VACUUM by the operator
    assert _found(services.db.path) == []
    with sqlite3.connect(services.db.path) as conn:
        conn.execute("VACUUM")
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    assert _found(services.db.path) == []
    # The figures stay: the record, its category and its contacts, by number.
    card = await services.supervision.card(police, person)
    assert card.record.full_name == f"#{person}" and len(card.checkins) == 2


def _found(path: Path) -> list[str]:
    data = b"".join(p.read_bytes() for p in (path, Path(f"{path}-wal")) if p.exists())
    return [needle for needle in NEEDLES if needle.encode() in data]


async def test_the_text_of_sent_messages_and_abandoned_drafts_do_not_outlive_their_use(services, clock):
    """Housekeeping drops the text of a sent message after 7 days and a conversation left
    unfinished after 30 (a draft can hold a person's name and a note)."""
    services.notifier.register(RecordingChannel(Messenger.CONSOLE))
    world = await make_world(services)
    await world.enrol("Nông Văn Bình", supervisor="supervisor1")
    hoa = world.supervisors["supervisor1"]
    await hoa.says("/checkin")
    await hoa.says("1")
    await services.notifier.flush()
    clock.advance(days=8)
    await services.pipeline.housekeeping()
    async with services.db.reading() as conn:
        async with conn.execute("SELECT params FROM outbox WHERE sent_at IS NOT NULL") as cur:
            assert {r[0] for r in await cur.fetchall()} == {"{}"}
        async with conn.execute("SELECT count(*) FROM dialogs WHERE chat_key = 'supervisor1'") as cur:
            assert (await cur.fetchone())[0] == 1  # a week: still there to resume
    clock.advance(days=23)
    await services.pipeline.housekeeping()
    async with services.db.reading() as conn:
        async with conn.execute("SELECT count(*) FROM dialogs WHERE chat_key = 'supervisor1'") as cur:
            assert (await cur.fetchone())[0] == 0


def test_the_readme_says_what_is_kept_for_every_table():
    """The README's privacy section lists, table by table, what is kept, how long, who sees it."""
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    section = readme.split("### What is kept, for how long, who sees it", 1)[1].split("\n## ", 1)[0]
    assert [rule.table for rule in RULES if f"`{rule.table}`" not in section] == []


async def test_anonymising_one_person_leaves_a_namesakes_pending_notices_alone(services, clock):
    """"Lê Văn An" is inside "Lê Văn Anh": only the exact name, as the bot stores it, is swept."""
    from bot.services.outbox import enqueue

    world = await make_world(services)
    an = await world.enrol("Lê Văn An")
    await world.enrol("Lê Văn Anh", dob=date(1991, 1, 1))
    police = await world.actor("police1")
    await services.supervision.close(police, an, CloseReason.MOVED_AWAY, date(2026, 11, 22))
    clock.advance(days=services.privacy.retention_days + 2)
    async with services.db.transaction() as tx:  # a notice about Anh waiting for the morning
        await enqueue(tx, tz=services.settings.timezone, now=clock.now(), person_id=police.person.id,
                      kind="assigned", params={"name": "Lê Văn Anh", "village": "Thôn Nà Lay"})

    assert await services.privacy.anonymise_due() == 1

    async with services.db.reading() as conn:
        async with conn.execute("SELECT params FROM outbox WHERE sent_at IS NULL AND failed_at IS NULL") as cur:
            assert any("Lê Văn Anh" in r[0] for r in await cur.fetchall())
