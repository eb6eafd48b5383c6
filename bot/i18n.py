"""Message catalogs (Babel gettext) and the locale of the person being answered.

Every text a person sees goes through :func:`_` (translate now, in the current locale) or is
marked with :func:`N_` (a label translated later, when it is shown). The locale lives in a
ContextVar that the channel sets per incoming update; a message to somebody else is rendered
with :func:`use_locale` set to the recipient's language.

The ``.po`` files are compiled to ``.mo`` in memory at start-up, so no compiled file is kept in
the repository.
"""

from __future__ import annotations

import contextlib
import io
import os
from collections.abc import Iterator
from contextvars import ContextVar
from functools import lru_cache
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations

from bot.config import SUPPORTED_LOCALES

DOMAIN = "messages"
LOCALES_DIR = Path(os.environ.get("HOANHAP_LOCALES_DIR", Path(__file__).resolve().parent.parent / "locales"))

_current: ContextVar[str] = ContextVar("hoanhap_locale", default="vi")


@lru_cache(maxsize=None)
def translations(locale: str) -> NullTranslations:
    """Compile ``locales/<locale>/LC_MESSAGES/messages.po`` in memory and return it."""
    po_path = LOCALES_DIR / locale / "LC_MESSAGES" / f"{DOMAIN}.po"
    if not po_path.exists():
        return NullTranslations()
    with po_path.open("rb") as fh:
        catalog = read_po(fh, locale=locale)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(fp=buffer, domain=DOMAIN)


def current_locale() -> str:
    return _current.get()


@contextlib.contextmanager
def use_locale(locale: str | None) -> Iterator[None]:
    token = _current.set(locale if locale in SUPPORTED_LOCALES else "vi")
    try:
        yield
    finally:
        _current.reset(token)


def _(msgid: str, **params: object) -> str:
    """Translate ``msgid`` into the current locale and fill its named placeholders."""
    text = translations(_current.get()).gettext(msgid)
    return text.format(**params) if params else text


def _n(singular: str, plural: str, count: int, **params: object) -> str:
    """A text that depends on a number (``{count}`` is filled): English says "1 person", "2 people";
    Vietnamese has one form."""
    text = translations(_current.get()).ngettext(singular, plural, count)
    return text.format(count=count, **params)


def format_number(value: float, decimals: int = 0) -> str:
    """A number as the reader writes it: "0,5" and "1.234" in Vietnamese, "0.5" and "1,234" in English."""
    from babel.numbers import format_decimal

    pattern = "#,##0" + ("." + "0" * decimals if decimals else "")
    return format_decimal(value, format=pattern, locale=_current.get())


def N_(msgid: str) -> str:
    """Mark a label for extraction; it is translated when shown (``_(label)``)."""
    return msgid


def translate(locale: str, msgid: str, **params: object) -> str:
    with use_locale(locale):
        return _(msgid, **params)
