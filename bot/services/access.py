"""Who may see and do what. Every service call that touches a person's record asks here first."""

from __future__ import annotations

from bot.models import Person, Role


class PermissionDenied(Exception):
    """The actor may not do this; the flows answer with a polite refusal and no detail."""


class NotFound(Exception):
    """Nothing with that id in the actor's reach (the same answer as for someone else's record)."""


def require_role(actor, *roles: Role) -> Person:
    if actor.role not in roles:
        raise PermissionDenied
    return actor.person


def same_commune(actor_person: Person, commune_id: int) -> None:
    if actor_person.commune_id != commune_id:
        raise NotFound
