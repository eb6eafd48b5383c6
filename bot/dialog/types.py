"""What a step receives and returns. Nothing here knows about a messenger."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bot.app import Services
    from bot.models import Actor


@dataclass(frozen=True)
class Choice:
    """An option: a short stable id (``role:supervisor``) and the label a person sees."""

    id: str
    label: str


@dataclass(frozen=True)
class Attachment:
    """A file sent with a message: a ``document`` (e.g. the report's .xlsx) or a ``photo`` (a chart)."""

    kind: str
    filename: str
    data: bytes = field(repr=False)


@dataclass(frozen=True)
class Reply:
    """One message to show. ``choices`` become buttons on Telegram, a numbered list elsewhere.

    ``state`` names the question the choices answer, so a press on an old button is recognised.
    """

    text: str
    choices: tuple[Choice, ...] = ()
    state: str | None = None
    # Buttons that only make sense attached to this message (an alert's "Tôi xử lý"): channels
    # without buttons drop them, and the text says which command does the same.
    inline_only: bool = False
    attachment: Attachment | None = None


@dataclass(frozen=True)
class Incoming:
    """What the person did: typed ``text``, pressed ``choice`` (a button of question ``state``),
    or sent a ``photo`` (the messenger's file id) or a ``location`` (latitude, longitude)."""

    text: str | None = None
    choice: str | None = None
    state: str | None = None
    photo: str | None = None
    location: tuple[float, float] | None = None

    @property
    def media(self) -> bool:
        return self.photo is not None or self.location is not None


@dataclass
class StepContext:
    services: "Services"
    actor: "Actor"
    draft: dict[str, Any] = field(default_factory=dict)
    memo: dict[str, Any] = field(default_factory=dict)  # reads shared by the steps of one turn, then gone


# What a step's ``handle`` returns.
@dataclass(frozen=True)
class Goto:
    state: str  # step name inside the same flow
    replies: tuple[Reply, ...] = ()


@dataclass(frozen=True)
class Stay:
    """The answer could not be used: explain, and ask the same question again."""

    problem: str


@dataclass(frozen=True)
class Finish:
    replies: tuple[Reply, ...] = ()


Outcome = Goto | Stay | Finish
Prompt = Callable[[StepContext], Awaitable[Reply]]
Handle = Callable[[StepContext, Incoming], Awaitable[Outcome]]


@dataclass(frozen=True)
class Step:
    prompt: Prompt
    handle: Handle
    # True when typed text is an answer even if it matches no choice (e.g. a name).
    free_text: bool = False
    # True when a photo or a location is an answer here.
    media: bool = False


@dataclass(frozen=True)
class Flow:
    """A named conversation: its command, who may start it, its first step and its steps."""

    name: str
    command: str
    title: str  # N_() label, shown in menus
    roles: frozenset
    first: str
    steps: dict[str, Step]
    begin: Callable[[StepContext], Awaitable[Outcome | None]] | None = None
    menu_roles: frozenset | None = None  # shown in the main menu to these roles (default: all in ``roles``)

    def state(self, step: str) -> str:
        return f"{self.name}:{step}"


@dataclass(frozen=True)
class Command:
    """A stateless command (``/mylist``, ``/me``): who may use it and the replies it gives."""

    name: str
    title: str  # N_() label for menus
    roles: frozenset
    run: Callable[[StepContext], Awaitable[list[Reply]]]
    in_menu: bool = True
    menu_roles: frozenset | None = None


@dataclass(frozen=True)
class Turn:
    """The engine's answer to one update: messages to send and the conversation's next state."""

    replies: tuple[Reply, ...]
    state: str | None  # None: no conversation in progress
