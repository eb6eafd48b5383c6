"""The catalogs: every message has a Vietnamese translation with the same placeholders."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po

from bot.i18n import LOCALES_DIR, translate

ROOT = Path(__file__).resolve().parent.parent
PLACEHOLDER = re.compile(r"\{(\w+)\}")


def _catalog(locale: str):
    with (LOCALES_DIR / locale / "LC_MESSAGES" / "messages.po").open("rb") as fh:
        return read_po(fh, locale=locale)


def _source_msgids(tmp_path) -> set[str]:
    pot = tmp_path / "fresh.pot"
    subprocess.run(
        [sys.executable, "-m", "babel.messages.frontend", "extract", "-F", "babel.cfg", "-k", "_", "-k", "N_", "-k", "_n:1,2",
         "--no-location", "-o", str(pot), "."],
        cwd=ROOT, check=True, capture_output=True,
    )
    with pot.open("rb") as fh:
        return {m.id for m in read_po(fh) if m.id}


def test_every_message_in_the_code_has_a_vietnamese_translation(tmp_path):
    vi = {m.id: m for m in _catalog("vi") if m.id}
    missing = sorted((i for i in _source_msgids(tmp_path)
                      if i not in vi or not all(_texts(vi[i].string) or [""]) or vi[i].fuzzy), key=str)
    assert missing == [], "run the pybabel commands in the README and translate these"


def _texts(value) -> list[str]:
    """A message's id or translation: one text, or the forms of a counted text."""
    return [v for v in (value if isinstance(value, (tuple, list)) else (value,)) if v]


def test_translations_keep_the_same_placeholders():
    for locale in ("vi", "en"):
        for message in _catalog(locale):
            ids = _texts(message.id)
            for translated in _texts(message.string):
                for original in ids:
                    assert set(PLACEHOLDER.findall(original)) == set(PLACEHOLDER.findall(translated)), message.id


def test_the_recipient_language_decides_the_rendering():
    assert translate("vi", "Skip") == "Bỏ qua"
    assert translate("en", "Skip") == "Skip"
    assert translate("vi", "{name} has joined as a {role}.", name="Hoa", role="x") == "Hoa đã tham gia với vai trò x."


def test_returnees_are_never_called_doi_tuong():
    for message in _catalog("vi"):
        for text in _texts(message.string):
            assert "đối tượng" not in text.lower(), message.id


def test_counts_agree_with_their_number_in_english_and_read_naturally_in_vietnamese():
    from bot.flows.texts import term_text
    from bot.i18n import _n, use_locale

    with use_locale("en"):
        assert _n("You follow {count} person; {overdue} overdue.", "You follow {count} people; {overdue} overdue.",
                  1, overdue=0) == "You follow 1 person; 0 overdue."
        assert _n("You follow {count} person; {overdue} overdue.", "You follow {count} people; {overdue} overdue.",
                  3, overdue=1) == "You follow 3 people; 1 overdue."
        assert term_text(12) == "1 year" and term_text(13) == "1 year 1 month" and term_text(30) == "2 years 6 months"
    with use_locale("vi"):
        assert term_text(12) == "1 năm" and term_text(30) == "2 năm 6 tháng"


def test_a_family_relation_chosen_in_vietnamese_is_shown_in_english_to_an_english_reader():
    from bot.i18n import use_locale
    from bot.labels import relation_label

    with use_locale("en"):
        assert relation_label("Spouse") == "Spouse"  # stored by key
        assert relation_label("Vợ/chồng") == "Spouse"  # an older record, entered in Vietnamese
        assert relation_label("Bác ruột") == "Bác ruột"  # typed: shown as typed
    with use_locale("vi"):
        assert relation_label("Spouse") == "Vợ/chồng"


def test_an_appointment_place_chosen_in_vietnamese_reads_in_english():
    from bot import notices
    from bot.i18n import use_locale

    with use_locale("en"):
        [reply] = notices.render("person_appointment", {"time": "09:00", "place": "Tại trụ sở xã"})
        assert reply.text.startswith("Reminder: tomorrow you meet the commune officer at 09:00 (At the commune office).")


def test_one_register_in_vietnamese_everyone_is_anh_chi():
    """Written down in the README's "Translating": the bot says "anh/chị" to everyone (returnees,
    families, supervisors and officers alike), never "bạn", never "đối tượng"."""
    for message in _catalog("vi"):
        for text in _texts(message.string):
            assert not re.search(r"\b[Bb]ạn\b", text), message.id


def test_no_vietnamese_text_names_a_district_or_decides_for_an_authority():
    """Since 01/7/2025 there is no district level ("huyện"); and the bot never speaks for police or a
    court ("Công an xã sẽ giải thích", "Tòa án sẽ…"): it says what the person can do."""
    for message in _catalog("vi"):
        for text in _texts(message.string):
            assert not re.search(r"\bhuyện\b", text, re.IGNORECASE), message.id
            assert not re.search(r"(Công an xã|Tòa án|UBND xã) sẽ (giải thích|quyết định|phân công|xóa|chấp thuận)",
                                 text), message.id
