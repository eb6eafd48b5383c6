"""The help desk: many small, sourced answers (``bot/content/knowledge/*.toml``, editable without
code) and finding the one a question asks for.

Finding it:

1. Small talk first: a greeting, thanks, a bare number, an emoji, rude words get a short answer,
   never a legal text.
2. Words, as people type them. A word typed with its accents is that word ("vậy" is not "vay",
   "đủ" is not a rude word); a word typed without accents may be any of the words that fold to it,
   so it is matched folded, after chat shorthand is expanded ("ko" → "không", "dc" → "được"). A
   word the examples never use is corrected to the nearest one they do (rapidfuzz), so "vây vốn"
   and "xoa an tihc" still find their answer.
3. BM25 (``rank_bm25``) over every example question of every entry, in both languages; an entry
   scores as its best example. How much of the question the best example covers (the share of the
   question's BM25 weight, ``idf``, found in it) says whether to answer, offer the two or three
   closest entries, or say that nothing fits.
"""

from __future__ import annotations

import math
import re
import tomllib
import unicodedata
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from importlib import resources

from rank_bm25 import BM25Okapi
from rapidfuzz import fuzz, process

from bot.textnorm import fold

TOPICS = ("loans", "training", "jobs", "expungement", "judicial_record", "papers", "obligations", "rights",
          "legal_aid", "contact")
LANGUAGES = ("vi", "en")

# Tuned on the "train" and "dev" questions of tests/data/helpdesk_questions.toml (never on "heldout").
OFFER = 0.30  # the best entry covers less than this share of the question's weight: nothing fits
ANSWER = 0.50  # at least this share, and the best entry LEADs the runner-up by this factor: answer it
LEAD = 1.10
SURE = 0.75  # a share this high is answered unless the runner-up is tied (SURE_LEAD)
SURE_LEAD = 1.0

# Chat shorthand, for words typed without accents. Each was checked against a Vietnamese syllable
# list (hunspell-vi): a shorthand that is also a real word is left out ("ca" is also "cá", "hong"
# also "hỏng", "xat" also "xát", "v"/"z" are "vậy", not "vay").
ABBREVIATIONS = {
    "ko": "khong", "k": "khong", "kh": "khong", "hok": "khong", "dc": "duoc", "ntn": "nhu the nao", "j": "gi",
    "ji": "gi", "bn": "bao nhieu", "bnhieu": "bao nhieu", "bh": "bao gio", "vs": "voi", "ng": "nguoi",
    "lm": "lam", "mk": "minh", "t": "toi", "cty": "cong ty", "sdt": "so dien thoai", "cccd": "can cuoc",
    "cmnd": "chung minh", "lltp": "ly lich tu phap", "nhcsxh": "ngan hang chinh sach", "xkld": "xuat khau lao dong",
    "tnhs": "trach nhiem hinh su", "ubnd": "uy ban", "ctkgg": "cai tao khong giam giu",
}
# Words that carry no meaning for finding an answer. Typed with accents they are these words only;
# "vậy" is here, "vay" (to borrow) is not.
STOP_MARKED = {"vậy", "nhé", "nhỉ", "ạ", "à", "ơi", "thì", "là", "mà", "và", "của", "có", "không", "tôi", "em", "anh",
               "chị", "mình", "cho", "hỏi", "với", "nha", "hả", "hở", "ấy", "này", "đó", "kia", "rồi", "cái", "những",
               "các", "được", "bị", "ông", "bà", "bác", "cô", "chú", "ad", "admin", "xin", "ơ", "vâng", "dạ", "muốn",
               "thế", "như", "làm", "giờ", "bây", "nay", "nhé", "ạ", "gì", "sao", "nữa", "ấy", "mới", "cũng"}
STOP_BARE = {"thi", "la", "ma", "va", "cua", "co", "khong", "toi", "em", "anh", "chi", "minh", "cho", "hoi", "voi",
             "nha", "nhi", "ha", "a", "e", "c", "z", "v", "ak", "ah", "oi", "nhe", "u", "uh", "duoc", "roi", "cai",
             "nhung", "cac", "bi", "ong", "ba", "bac", "co", "chu", "ad", "admin", "xin", "vang", "da", "ay", "nay",
             "do", "kia", "the", "muon", "nhu", "lam", "gio", "bay", "gi", "nua", "cung", "an", "is", "are", "do", "does", "i", "my", "me", "to", "of", "for", "can",
             "the", "in", "on", "it", "what", "how", "be", "and", "or", "with", "you", "your", "am", "will"}
# Rude words as typed (lower case): answered calmly, never matched. Only forms that are not also
# ordinary words ("du" folds from "đủ", "dư", "dù": not here).
RUDE = {"dm", "dcm", "dmm", "đm", "đcm", "đmm", "vcl", "vl", "vkl", "cc", "địt", "đéo", "lồn", "loz", "cặc", "fuck",
        "shit", "dit", "clgt"}
GREETINGS = {"xin chao", "chao", "alo", "alo alo", "hello", "hi", "hey", "good morning", "hi there", "good afternoon"}
THANKS = {"cam on", "thanks", "thank", "tks", "xin cam on", "ok cam on", "thanks a lot", "thank a lot"}
GOODBYES = {"tam biet", "bye", "goodbye", "bai"}
PARTICLES = {"em", "anh", "chi", "a", "nhe", "nha", "nhieu", "lam", "qua", "ban", "ad", "admin", "tro", "ly", "oi",
             "so", "much", "very", "you", "nhe", "ha", "cac", "moi", "nguoi", "buoi", "sang", "chieu", "toi"}

_WORD = re.compile(r"\w+", re.UNICODE)


@dataclass(frozen=True)
class Figure:
    value: dict[str, str]
    checked: date
    confirmed: bool


@dataclass(frozen=True)
class Entry:
    id: str
    topic: str
    checked: date
    sources: tuple[str, ...]
    answer: dict[str, str]
    unconfirmed: dict[str, str]
    examples: dict[str, tuple[str, ...]]
    calculator: str | None


@dataclass(frozen=True)
class Match:
    """What a question reached: ``kind`` is "answer" (``entry``), "choose" (``alternatives``, best
    first), "unknown", or small talk: "greeting", "thanks", "goodbye", "number", "emoji", "rude"."""
    kind: str
    entry: str | None = None
    alternatives: tuple[str, ...] = ()
    score: float = 0.0

    @property
    def topic(self) -> str:
        return entries()[self.entry].topic if self.entry else "unknown"


def _resource(*parts: str):
    node = resources.files("bot.content")
    for part in parts:
        node = node.joinpath(part)
    return node


@lru_cache(maxsize=None)
def figures() -> dict[str, Figure]:
    raw = tomllib.loads(_resource("figures.toml").read_text(encoding="utf-8"))
    return {key: Figure({"vi": item["value"], "en": item["value_en"]}, date.fromisoformat(item["checked"]),
                        bool(item["confirmed"])) for key, item in raw.items()}


@lru_cache(maxsize=None)
def topic_titles() -> dict[str, dict[str, str]]:
    raw = tomllib.loads(_resource("topics.toml").read_text(encoding="utf-8"))
    return {topic: {"vi": raw[topic]["vi"], "en": raw[topic]["en"]} for topic in TOPICS}


@lru_cache(maxsize=None)
def entries() -> dict[str, Entry]:
    """Every entry of every file in ``bot/content/knowledge``, by id, figures filled in."""
    values = {locale: {k: f.value[locale] for k, f in figures().items()} for locale in LANGUAGES}
    found: dict[str, Entry] = {}
    for file in sorted(_resource("knowledge").iterdir(), key=lambda f: f.name):
        if not file.name.endswith(".toml"):
            continue
        for item in tomllib.loads(file.read_text(encoding="utf-8"))["entry"]:
            if item["id"] in found:
                raise ValueError(f"{file.name}: the entry id {item['id']!r} is used twice")
            found[item["id"]] = Entry(
                id=item["id"], topic=item.get("topic", item["id"].split(".", 1)[0]), checked=item["checked"],
                sources=tuple(item["sources"]),
                answer={loc: item[loc].strip().format(**values[loc]) for loc in LANGUAGES},
                unconfirmed={loc: item.get(f"unconfirmed_{loc}", "").strip() for loc in LANGUAGES},
                examples={loc: tuple(item.get(f"ask_{loc}", ())) for loc in LANGUAGES},
                calculator=item.get("calculator"),
            )
    return found


def _marked(word: str) -> bool:
    """Typed with Vietnamese accents (or đ): then it is that word, not every word that folds to it."""
    return word != fold(word)


def words(text: str) -> list[str]:
    return _WORD.findall(unicodedata.normalize("NFC", text).lower().replace("_", " "))


def _doc_tokens(text: str) -> list[str]:
    """An example's tokens: each word folded ("f:"), and as written when it carries accents ("d:")."""
    tokens: list[str] = []
    for word in words(text):
        if (word in STOP_MARKED) if _marked(word) else (word in STOP_BARE):
            continue
        if _marked(word):
            tokens.append("d:" + word)
        for part in ABBREVIATIONS.get(fold(word), fold(word)).split():
            if part not in STOP_BARE:
                tokens.append("f:" + part)
    return tokens


@dataclass
class _Index:
    examples: BM25Okapi  # one document per example question (and per answer)
    owners: list[str]  # entry id of each of those documents
    entries: BM25Okapi  # one document per entry: all its examples and answers together
    ids: list[str]
    pooled: list[set[str]]  # each entry's words
    vocabulary: set[str]
    folded_words: list[str]  # the folded vocabulary, for typo correction
    idf: dict[str, float]
    max_idf: float


@lru_cache(maxsize=1)
def _index() -> _Index:
    corpus, owners = [], []
    pooled: list[list[str]] = []
    for entry in entries().values():
        words_of_entry: list[str] = []
        for locale in LANGUAGES:
            # The answer itself is a document too: its words ("thế chấp", "hộ gia đình", "phí")
            # find it when no example uses them.
            for example in (*entry.examples[locale], entry.answer[locale]):
                tokens = _doc_tokens(example)
                if tokens:
                    corpus.append(tokens)
                    owners.append(entry.id)
                    words_of_entry += tokens
        pooled.append(words_of_entry)
    by_entry = BM25Okapi(pooled, k1=1.2, b=0.5)
    vocabulary = {t for doc in corpus for t in doc}
    return _Index(BM25Okapi(corpus), owners, by_entry, list(entries()), [set(doc) for doc in pooled], vocabulary,
                  sorted(t[2:] for t in vocabulary if t.startswith("f:")), by_entry.idf, max(by_entry.idf.values()))


def _query_tokens(text: str, index: _Index) -> list[str]:
    tokens: list[str] = []
    for word in words(text):
        marked = _marked(word)
        if (word in STOP_MARKED) if marked else (word in STOP_BARE):
            continue
        if marked:  # that word exactly: "mưa" (rain) must not become "mua" (buy)
            tokens.append("d:" + word)
            continue
        # Typed without accents: any word folding to it; shorthand expanded; a word no example
        # uses corrected to the nearest one that is ("xoa an tihc" → "tich").
        for part in ABBREVIATIONS.get(fold(word), fold(word)).split():
            if part in STOP_BARE or part.isdigit():  # "tù 4 năm": the number says which row, not which answer
                continue
            if "f:" + part not in index.vocabulary and len(part) >= 3:
                near = process.extractOne(part, index.folded_words, scorer=fuzz.ratio, score_cutoff=80)
                part = near[0] if near else part
            tokens.append("f:" + part)
    return tokens


def _small_talk(text: str) -> str | None:
    stripped = text.strip()
    if not stripped:
        return "unknown"
    if re.fullmatch(r"[\d\s.,)(#-]+", stripped):
        return "number"
    if not any(ch.isalnum() for ch in stripped):
        return "emoji"
    typed = words(stripped)
    if any(w in RUDE for w in typed):
        return "rude"
    # Without the words that only soften it ("cảm ơn em nhiều nhé" → "cam on").
    folded = " ".join(w for w in (fold(w) for w in typed) if w not in PARTICLES)
    for phrases, kind in ((GREETINGS, "greeting"), (THANKS, "thanks"), (GOODBYES, "goodbye")):
        if folded in phrases:
            return kind
    if len(typed) <= 3 and fold(typed[0]) in {"chao", "hello", "hi", "alo"}:
        return "greeting"
    return None


def rank(query: list[str], index: _Index) -> list[tuple[str, float]]:
    """Entries by how well they answer ``query``, best first: BM25 over each entry's words, plus
    half of BM25 over its best single example (an example close to the question counts)."""
    pooled = index.entries.get_scores(query)
    single: dict[str, float] = {}
    for owner, score in zip(index.owners, index.examples.get_scores(query)):
        single[owner] = max(single.get(owner, 0.0), float(score))
    top_pooled, top_single = max(pooled), max(single.values(), default=0.0)
    if top_pooled <= 0:
        return []
    combined = {eid: pooled[i] / top_pooled + (0.5 * single.get(eid, 0.0) / top_single if top_single > 0 else 0.0)
                for i, eid in enumerate(index.ids)}
    return sorted(((eid, s) for eid, s in combined.items() if s > 0), key=lambda item: item[1], reverse=True)


def match(question: str) -> Match:
    """The entry a question asks for, the closest ones when unsure, or small talk."""
    talk = _small_talk(question)
    if talk:
        return Match(talk)
    if len(question) > 600:
        return Match("unknown")
    index = _index()
    query = _query_tokens(question, index)
    if not query:
        return Match("unknown")
    ranked = rank(query, index)
    if not ranked:
        return Match("unknown")
    weight = sum(index.idf.get(t, index.max_idf) for t in query)
    top_id, top_score = ranked[0]
    pool = index.pooled[index.ids.index(top_id)]
    share = sum(index.idf.get(t, index.max_idf) for t in set(query) if t in pool) / weight if weight > 0 else 0.0
    if share < OFFER or top_score <= 0:
        return Match("unknown", score=share)
    rivals = [(eid, s) for eid, s in ranked[1:4] if s > 0]
    lead = top_score / rivals[0][1] if rivals else math.inf
    if (share >= ANSWER and lead >= LEAD) or (share >= SURE and lead >= SURE_LEAD):
        return Match("answer", top_id, score=share)
    close = [top_id] + [eid for eid, s in rivals if s >= top_score / 1.25][:2]
    return Match("choose", alternatives=tuple(close), score=share)
