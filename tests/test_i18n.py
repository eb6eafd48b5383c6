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
        [sys.executable, "-m", "babel.messages.frontend", "extract", "-F", "babel.cfg", "-k", "_", "-k", "N_",
         "--no-location", "-o", str(pot), "."],
        cwd=ROOT, check=True, capture_output=True,
    )
    with pot.open("rb") as fh:
        return {m.id for m in read_po(fh) if m.id}


def test_every_message_in_the_code_has_a_vietnamese_translation(tmp_path):
    vi = {m.id: m for m in _catalog("vi") if m.id}
    missing = sorted(i for i in _source_msgids(tmp_path) if i not in vi or not vi[i].string or vi[i].fuzzy)
    assert missing == [], "run the pybabel commands in the README and translate these"


def test_translations_keep_the_same_placeholders():
    for locale in ("vi", "en"):
        for message in _catalog(locale):
            if message.id and message.string:
                assert set(PLACEHOLDER.findall(message.id)) == set(PLACEHOLDER.findall(message.string)), message.id


def test_the_recipient_language_decides_the_rendering():
    assert translate("vi", "Skip") == "Bỏ qua"
    assert translate("en", "Skip") == "Skip"
    assert translate("vi", "{name} has joined as a {role}.", name="Hoa", role="x") == "Hoa đã tham gia với vai trò x."


def test_returnees_are_never_called_doi_tuong():
    for message in _catalog("vi"):
        assert "đối tượng" not in (message.string or "").lower(), message.id
