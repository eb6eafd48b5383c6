"""Questions from returnees (and anyone registered): topic buttons, or just type the question.

Free text outside a conversation comes here. A clear match gets the answer with its legal source,
the date it was checked and what is not certain; an unsure match offers the closest topics;
anything else gets a polite answer and the offer of a person (/contact).
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


def render_answer(topic_id: str, locale: str) -> tuple[str, list[str]]:
    topic = helpdesk.knowledge(locale)[topic_id]
    lines = [topic.answer, "", _("Source: {sources}", sources="; ".join(topic.sources)),
             _("Checked on {date}.", date=format_date(topic.checked))]
    if topic.unconfirmed:
        lines.append(_("Not certain: {what} Ask commune police before relying on it.", what=topic.unconfirmed))
    return "\n".join(lines), list(topic.sources)


def fallback_text() -> str:
    return _("Sorry, I have no answer to that. Choose a topic below, or talk to a person at the commune.")


def answer_for(question: str, locale: str) -> tuple[str, str, list[str]]:
    """(topic, answer, sources) for the command line; ``unknown`` with no sources when off-topic."""
    found = helpdesk.match(question)
    if found.topic == "unknown":
        return "unknown", fallback_text(), []
    text, sources = render_answer(found.topic, locale)
    return found.topic, text, sources


def _follow_up(ctx: StepContext) -> Reply:
    choices = [Choice("go:ask", _("Another question"))]
    if "contact" in {i.name for i in ctx.services.flows.allowed(ctx)}:
        choices.append(Choice("go:contact", _("Talk to a person")))
    return Reply(_("Anything else?"), tuple(choices), MENU_STATE)


def _topic_choices(ids) -> tuple[Choice, ...]:
    topics = helpdesk.knowledge(current_locale())
    return tuple(Choice(f"kb:{t}", topics[t].title) for t in ids)


async def on_free_text(ctx: StepContext, text: str) -> Turn:
    """Text typed outside a conversation by someone registered."""
    found = helpdesk.match(text)
    if found.topic != "unknown":
        answer, _sources = render_answer(found.topic, current_locale())
        return Turn((Reply(answer), _follow_up(ctx)), None)
    ctx.draft["alternatives"] = list(found.alternatives)
    ctx.draft["asked"] = True
    return await engine.begin_at(FLOW, "topic", ctx)


async def prompt_topic(ctx: StepContext) -> Reply:
    alternatives = ctx.draft.get("alternatives") or []
    if alternatives:
        text = _("Did you mean one of these?")
        ids = alternatives
    else:
        text = _("What would you like to know? Choose a topic or type your question.")
        if ctx.draft.get("asked"):
            text = fallback_text()
        ids = helpdesk.TOPICS
    choices = _topic_choices(ids)
    if "contact" in {i.name for i in ctx.services.flows.allowed(ctx)}:
        choices += (Choice("person", _("Talk to a person")),)
    return Reply(text, choices)


async def on_topic(ctx: StepContext, incoming: Incoming):
    if incoming.choice == "person":
        return Goto("message")
    if incoming.choice and incoming.choice.startswith("kb:"):
        answer, _sources = render_answer(incoming.choice[3:], current_locale())
        return Finish((Reply(answer), _follow_up(ctx)))
    found = helpdesk.match(incoming.text or "")
    if found.topic != "unknown":
        answer, _sources = render_answer(found.topic, current_locale())
        return Finish((Reply(answer), _follow_up(ctx)))
    ctx.draft["alternatives"] = list(found.alternatives)
    ctx.draft["asked"] = True
    return Goto("topic")


FLOW = Flow(
    name="ask",
    command="ask",
    title=N_("Questions and answers"),
    roles=frozenset({Role.RETURNEE, Role.FAMILY, Role.SUPERVISOR, Role.POLICE}),
    menu_roles=frozenset({Role.RETURNEE, Role.FAMILY, Role.SUPERVISOR}),
    first="topic",
    steps={"topic": Step(prompt_topic, on_topic, free_text=True), "message": contact.MESSAGE},
)
