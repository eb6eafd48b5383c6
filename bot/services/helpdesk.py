"""The help desk's knowledge base and question matching.

Content lives in ``bot/content/helpdesk.<lang>.toml`` (one file per language, editable without
code) with figures that change in ``bot/content/figures.toml``. A question is normalised
(lower case, diacritics removed, đ → d, common chat abbreviations expanded) and matched with
rapidfuzz against every topic's example questions in both languages.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from importlib import resources

from rapidfuzz import fuzz, process

from bot.textnorm import fold

TOPICS = ("loans", "training", "jobs", "expungement", "judicial_record", "papers", "obligations", "legal_aid",
          "contact")
LANGUAGES = ("vi", "en")
CONFIDENT = 80  # at or above: answer (token_set_ratio, 0-100)
ALONE = 72  # enough when no other topic comes close
UNSURE = 62  # between UNSURE and CONFIDENT: offer the closest topics
MARGIN = 4  # the best topic must lead the next by this much to be answered straight away

# How people shorten Vietnamese in chat, after folding (no diacritics).
ABBREVIATIONS = {
    "ko": "khong", "k": "khong", "kh": "khong", "hok": "khong", "hong": "khong", "dc": "duoc", "dk": "duoc",
    "ntn": "nhu the nao", "j": "gi", "ji": "gi", "bn": "bao nhieu", "bnhieu": "bao nhieu", "bh": "bao gio",
    "vs": "voi", "ng": "nguoi", "ns": "noi", "r": "roi", "lm": "lam", "ak": "a", "uh": "u", "mk": "minh",
    "t": "toi", "e": "em", "a": "anh", "c": "chi", "oy": "roi", "z": "vay", "v": "vay", "cty": "cong ty",
    "nh": "nhieu", "sdt": "so dien thoai", "cccd": "can cuoc", "cmnd": "chung minh", "lltp": "ly lich tu phap",
    "nhcsxh": "ngan hang chinh sach xa hoi", "xat": "xoa an tich", "ca": "cong an", "tnr": "tra loi",
}
# Rude words (folded): answered with the polite fallback, never matched to a topic.
RUDE = {"dm", "dcm", "dmm", "vcl", "vl", "cc", "dit", "du", "loz", "fuck", "shit"}
_WORD = re.compile(r"[a-z0-9]+")


def normalise(text: str) -> str:
    words = _WORD.findall(fold(text))
    return " ".join(ABBREVIATIONS.get(w, w) for w in words)


@dataclass(frozen=True)
class Figure:
    value: dict[str, str]
    checked: date
    confirmed: bool


@dataclass(frozen=True)
class Topic:
    id: str
    title: str
    answer: str
    sources: tuple[str, ...]
    checked: date
    unconfirmed: str
    examples: tuple[str, ...]


@dataclass(frozen=True)
class Match:
    topic: str  # a topic id, or "unknown"
    score: float
    alternatives: tuple[str, ...]  # when unsure: the closest topics, best first


def _load_toml(name: str) -> dict:
    return tomllib.loads(resources.files("bot.content").joinpath(name).read_text(encoding="utf-8"))


@lru_cache(maxsize=None)
def figures() -> dict[str, Figure]:
    return {
        key: Figure({"vi": item["value"], "en": item["value_en"]}, date.fromisoformat(item["checked"]),
                    bool(item["confirmed"]))
        for key, item in _load_toml("figures.toml").items()
    }


@lru_cache(maxsize=None)
def knowledge(locale: str) -> dict[str, Topic]:
    raw = _load_toml(f"helpdesk.{locale}.toml")
    values = {key: figure.value[locale] for key, figure in figures().items()}
    return {
        topic_id: Topic(
            id=topic_id, title=item["title"], answer=item["answer"].strip().format(**values),
            sources=tuple(item["sources"]), checked=date.fromisoformat(item["checked"]),
            unconfirmed=item.get("unconfirmed", ""), examples=tuple(item["examples"]),
        )
        for topic_id, item in raw.items()
    }


@lru_cache(maxsize=1)
def _index() -> tuple[list[str], list[str]]:
    """Every normalised example question of both languages, with its topic."""
    phrases, owners = [], []
    for locale in LANGUAGES:
        for topic in knowledge(locale).values():
            for phrase in topic.examples:
                phrases.append(normalise(phrase))
                owners.append(topic.id)
    return phrases, owners


def _best_per_topic(query: str, phrases: list[str], owners: list[str], scorer) -> list[tuple[str, float]]:
    best: dict[str, float] = {}
    for _phrase, score, index in process.extract(query, phrases, scorer=scorer, limit=60):
        best[owners[index]] = max(best.get(owners[index], 0.0), score)
    return sorted(best.items(), key=lambda item: item[1], reverse=True)


def match(question: str) -> Match:
    query = normalise(question)
    words = set(query.split())
    if not query or words & RUDE or len(query) > 300:
        return Match("unknown", 0.0, ())
    phrases, owners = _index()
    # token_set_ratio: word order and extra words matter little, typos are tolerated.
    ranked = _best_per_topic(query, phrases, owners, fuzz.token_set_ratio)
    if not ranked or ranked[0][1] < UNSURE:
        return Match("unknown", ranked[0][1] if ranked else 0.0, ())
    top, score = ranked[0]
    close = [t for t, s in ranked[:3] if s >= UNSURE and score - s < MARGIN]
    if len(close) > 1 and score >= CONFIDENT:
        # A near tie (a short example inside a long question scores 100 for several topics):
        # the whole-question similarity decides between them.
        keep = [i for i, owner in enumerate(owners) if owner in close]
        tie = _best_per_topic(query, [phrases[i] for i in keep], [owners[i] for i in keep], fuzz.token_sort_ratio)
        if len(tie) > 1 and tie[0][1] - tie[1][1] >= MARGIN:
            return Match(tie[0][0], score, ())
        return Match("unknown", score, tuple(t for t, _ in tie))
    runner_up = ranked[1][1] if len(ranked) > 1 else 0.0
    if score >= CONFIDENT or (score >= ALONE and score - runner_up >= 10):
        return Match(top, score, ())
    return Match("unknown", score, tuple(t for t, s in ranked[:3] if s >= UNSURE))
