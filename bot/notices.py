"""Messages the bot sends on its own (not as an answer): one renderer per kind of notice.

A service writes ``(recipient, kind, params)`` to the outbox inside its transaction; the
notifier renders it here *in the recipient's language* when it delivers it. Params carry
everything the text needs, so a notice renders the same after a restart.
"""

from __future__ import annotations

from collections.abc import Callable

from bot.dialog.types import Reply
from bot.i18n import _

Renderer = Callable[[dict], list[Reply]]
RENDERERS: dict[str, Renderer] = {}


def notice(kind: str):
    def register(fn: Renderer) -> Renderer:
        RENDERERS[kind] = fn
        return fn

    return register


def render(kind: str, params: dict) -> list[Reply]:
    return RENDERERS[kind](params)


@notice("member_joined")
def _member_joined(p: dict) -> list[Reply]:
    from bot.flows.labels import role_label
    from bot.models import Role

    role = role_label(Role(p["role"]))
    if p.get("name"):
        return [Reply(_("{name} has joined as a {role}.", name=p["name"], role=role))]
    return [Reply(_("A new {role} has joined with the code you created.", role=role))]


@notice("assigned")
def _assigned(p: dict) -> list[Reply]:
    return [Reply(_("You now follow {name} ({village}). Send /mylist to see everyone you follow, "
                    "/checkin to record a visit or a call.", name=p["name"], village=p["village"]))]


@notice("unassigned")
def _unassigned(p: dict) -> list[Reply]:
    return [Reply(_("{name} has been assigned to another supervisor. Thank you for your help.", name=p["name"]))]


@notice("self_report")
def _self_report(p: dict) -> list[Reply]:
    from bot.flows.labels import WELLBEING_LABELS

    wellbeing = WELLBEING_LABELS[p["wellbeing"]]
    text = _("{name} sent a self-report: {wellbeing}.", name=p["name"], wellbeing=_(wellbeing))
    if p.get("help"):
        text += "\n" + _("Help asked for: {help}", help=p["help"])
    return [Reply(text)]


@notice("help_request")
def _help_request(p: dict) -> list[Reply]:
    return [Reply(_("{name} asks for help: “{text}”\nAnswer with /requests.", name=p["name"], text=p["text"]))]


@notice("help_answer")
def _help_answer(p: dict) -> list[Reply]:
    return [Reply(_("Answer from {name}: {text}\nTo write back, send /contact.", name=p["name"], text=p["text"]))]


@notice("job_interest")
def _job_interest(p: dict) -> list[Reply]:
    return [Reply(_("{name} is interested in “{title}” ({employer}).", name=p["name"], title=p["title"],
                    employer=p["employer"]))]
