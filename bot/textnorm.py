"""Vietnamese text folding, so people can type with or without diacritics."""

from __future__ import annotations

import unicodedata


def fold(text: str) -> str:
    """Lower-case, strip diacritics (đ → d), collapse white space.

    >>> fold("  Tiếng  VIỆT Đà Nẵng ")
    'tieng viet da nang'
    """
    text = text.replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(stripped.lower().split())


def fold_words(text: str) -> str:
    """:func:`fold`, keeping only letters, digits and single spaces ("🙋 Tôi xử lý" → "toi xu ly")."""
    return " ".join("".join(c if c.isalnum() else " " for c in fold(text)).split())


def well_formed(text: str) -> str:
    """``text`` with any lone UTF-16 surrogate (which no file, database or messenger can hold) replaced
    by U+FFFD; pairs become the character they encode."""
    return text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")


def clean_input(text: str, limit: int = 4096) -> str:
    """What a person typed (or a file held), in one form: NFC (a keyboard that sends "e" + a
    combining accent gives the same text as one that sends "ê"), without control, invisible or
    bidi-override characters, capped in length."""
    kept = []
    for c in unicodedata.normalize("NFC", text[: limit * 2]):
        cat = unicodedata.category(c)
        if (cat == "Cc" and c not in "\n\t") or cat == "Cs":  # controls; lone surrogates
            continue
        if cat == "Cf" and c not in "\u200d":  # keep the emoji joiner, drop RLO/LRO and friends
            continue
        kept.append(c)
    return "".join(kept)[:limit].strip()


def utf16_units(text: str) -> int:
    """Length as Zalo counts it: UTF-16 code units (an emoji outside the BMP counts 2)."""
    return len(text.encode("utf-16-le")) // 2


def _fitting(text: str, limit: int, size) -> int:
    """How many characters of ``text`` fit in ``limit`` as measured by ``size``."""
    if size is len:
        return min(limit, len(text))
    used = 0
    for index, char in enumerate(text):
        used += size(char)
        if used > limit:
            return index
    return len(text)


def split_text(text: str, limit: int, size=len) -> list[str]:
    """Cut a long message into parts of at most ``limit`` (characters, or what ``size`` counts), at
    line breaks when possible, else at spaces; never inside a word unless a single word is longer
    than the limit."""
    parts: list[str] = []
    rest = text
    while size(rest) > limit:
        fit = _fitting(rest, limit, size)
        cut = rest.rfind("\n", 0, fit + 1)
        if cut <= 0:
            cut = rest.rfind(" ", 0, fit + 1)
        if cut <= 0:
            cut = fit
        parts.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip("\n ")
    if rest.strip() or not parts:
        parts.append(rest.rstrip())
    return parts


def clean_name(text: str) -> str:
    """A person's name in the one form it is stored and matched in: :func:`clean_input`, no
    zero-width joiner either, single spaces."""
    return " ".join(clean_input(text, limit=200).replace("\u200d", "").split())
