"""Questions from returnees (and anyone registered): type the question, or pick a topic and then a
question of that topic.

Free text outside a conversation comes here. A clear match gets its entry's answer with the legal
source, the date it was checked and what is not certain; when two or three entries are close, they
are offered; when nothing fits, the bot says so and offers topics and a person. A greeting, thanks,
a bare number or an emoji gets a short, kind answer; rude words a calm one — never a legal text.
"""

from __future__ import annotations

from bot.clock import format_date
from bot.dialog import engine
from bot.dialog.types import Choice, Finish, Flow, Goto, Incoming, Reply, Step, StepContext, Turn
from bot.flows import contact
from bot.i18n import N_, _, current_locale
from bot.models import Role
from bot.services import helpdesk

MENU_STATE = "menu"


def answer_text(entry: helpdesk.Entry, locale: str) -> str:
    """The entry's answer with its source, the day it was checked and what is not certain."""
    lines = [entry.answer[locale], "", _("Source: {sources}", sources="; ".join(entry.sources)),
             _("Checked on {date}.", date=format_date(entry.checked))]
    if entry.unconfirmed[locale]:
        lines.append(_("Not certain: {what} Ask commune police before relying on it.", what=entry.unconfirmed[locale]))
    return "\n".join(lines)


def entry_label(entry: helpdesk.Entry, locale: str) -> str:
    """How a choice shows an entry: its first example question."""
    example = (entry.examples[locale] or entry.examples["vi"])[0]
    example = example[0].upper() + example[1:]
    return example if example.endswith("?") else example + "?"


def topic_title(topic: str) -> str:
    return helpdesk.topic_titles()[topic][current_locale()]


def small_talk(kind: str) -> str:
    return {
        "greeting": _("Hello. What would you like to ask? Type your question, or send /help to see what I can do."),
        "thanks": _("You are welcome. Write whenever you need something."),
        "goodbye": _("Goodbye. Write whenever you need something."),
        "emoji": _("Write whenever you need something; send /help to see what I can do."),
        "number": _("There is no question waiting for that number. Send /help to see what you can do."),
        "rude": _("I understand you may be upset. If something is wrong, write what happened, or send /contact to "
                  "talk to a person."),
    }[kind]


def fallback_text() -> str:
    return _("Sorry, I have no answer to that. Choose a topic below, or talk to a person at the commune.")


def answer_for(question: str, locale: str) -> dict:
    """What the command line prints for a question: the topic, the entry, the answer, its sources."""
    found = helpdesk.match(question)
    if found.kind == "answer":
        entry = helpdesk.entries()[found.entry]
        return {"topic": entry.topic, "entry": entry.id, "answer": answer_text(entry, locale),
                "sources": list(entry.sources)}
    if found.kind in ("greeting", "thanks", "goodbye", "emoji", "number", "rude"):
        return {"topic": "unknown", "entry": None, "answer": small_talk(found.kind), "sources": []}
    text = fallback_text()
    if found.alternatives:
        text = _("Did you mean one of these?") + "\n" + "\n".join(
            f"• {entry_label(helpdesk.entries()[e], locale)}" for e in found.alternatives)
    return {"topic": "unknown", "entry": None, "answer": text, "sources": []}


def _allowed(ctx: StepContext) -> set[str]:
    return {i.name for i in ctx.services.flows.allowed(ctx)}


def _follow_up(ctx: StepContext, entry: helpdesk.Entry | None = None) -> Reply:
    choices = [Choice("go:ask", _("Another question"))]
    allowed = _allowed(ctx)
    if entry and entry.calculator and entry.calculator in allowed:
        label = _("Work out my expungement date") if entry.calculator == "expungement" else _("Check my loan")
        choices.insert(0, Choice(f"go:{entry.calculator}", label))
    if "contact" in allowed:
        choices.append(Choice("go:contact", _("Talk to a person")))
    return Reply(_("Anything else?"), tuple(choices), MENU_STATE)


def _answer(ctx: StepContext, entry_id: str) -> tuple[Reply, Reply]:
    entry = helpdesk.entries()[entry_id]
    return Reply(answer_text(entry, current_locale())), _follow_up(ctx, entry)


async def on_free_text(ctx: StepContext, text: str) -> Turn:
    """Text typed outside a conversation by someone registered."""
    found = helpdesk.match(text)
    if found.kind == "answer":
        return Turn(_answer(ctx, found.entry), None)
    if found.kind not in ("choose", "unknown"):
        return Turn((Reply(small_talk(found.kind)),), None)
    ctx.draft["alternatives"] = list(found.alternatives)
    ctx.draft["asked"] = True
    return await engine.begin_at(FLOW, "choose" if found.alternatives else "topic", ctx)


async def prompt_choose(ctx: StepContext) -> Reply:
    entries = helpdesk.entries()
    locale = current_locale()
    ids = ctx.draft.get("alternatives") or []
    choices = [Choice(f"e:{e}", entry_label(entries[e], locale)) for e in ids if e in entries]
    choices.append(Choice("topics", _("Something else")))
    return Reply(_("Did you mean one of these?"), tuple(choices))


async def on_choose(ctx: StepContext, incoming: Incoming):
    if incoming.choice and incoming.choice.startswith("e:") and incoming.choice[2:] in helpdesk.entries():
        return Finish(_answer(ctx, incoming.choice[2:]))
    if incoming.choice == "topics":
        ctx.draft["alternatives"] = []
        ctx.draft["asked"] = False
        return Goto("topic")
    return await _typed(ctx, incoming.text or "")


async def _typed(ctx: StepContext, text: str):
    found = helpdesk.match(text)
    if found.kind == "answer":
        return Finish(_answer(ctx, found.entry))
    if found.kind not in ("choose", "unknown"):
        return Finish((Reply(small_talk(found.kind)),))
    ctx.draft["alternatives"] = list(found.alternatives)
    ctx.draft["asked"] = True
    return Goto("choose" if found.alternatives else "topic")


async def prompt_topic(ctx: StepContext) -> Reply:
    text = fallback_text() if ctx.draft.get("asked") else _(
        "What would you like to know? Choose a topic or type your question.")
    choices = tuple(Choice(f"kb:{t}", topic_title(t)) for t in helpdesk.TOPICS)
    if "contact" in _allowed(ctx):
        choices += (Choice("person", _("Talk to a person")),)
    return Reply(text, choices)


async def on_topic(ctx: StepContext, incoming: Incoming):
    if incoming.choice == "person":
        return Goto("message")
    if incoming.choice and incoming.choice.startswith("kb:") and incoming.choice[3:] in helpdesk.TOPICS:
        ctx.draft["topic"] = incoming.choice[3:]
        return Goto("entry")
    return await _typed(ctx, incoming.text or "")


async def prompt_entry(ctx: StepContext) -> Reply:
    locale = current_locale()
    choices = tuple(Choice(f"e:{e.id}", entry_label(e, locale)) for e in helpdesk.entries().values()
                    if e.topic == ctx.draft.get("topic"))
    return Reply(_("{topic}: which question?", topic=topic_title(ctx.draft["topic"])), choices)


async def on_entry(ctx: StepContext, incoming: Incoming):
    if incoming.choice and incoming.choice.startswith("e:") and incoming.choice[2:] in helpdesk.entries():
        return Finish(_answer(ctx, incoming.choice[2:]))
    return await _typed(ctx, incoming.text or "")


FLOW = Flow(
    name="ask",
    command="ask",
    title=N_("Questions and answers"),
    roles=frozenset({Role.RETURNEE, Role.FAMILY, Role.SUPERVISOR, Role.POLICE}),
    menu_roles=frozenset({Role.RETURNEE, Role.FAMILY, Role.SUPERVISOR}),
    first="topic",
    steps={"topic": Step(prompt_topic, on_topic, free_text=True),
           "choose": Step(prompt_choose, on_choose, free_text=True),
           "entry": Step(prompt_entry, on_entry, free_text=True),
           "message": contact.MESSAGE},
)
