"""Who is writing: identities, roles, language, and invite codes (onboarding)."""

from __future__ import annotations

import hashlib
import logging
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum

from bot.clock import Clock
from bot.models import Actor, Commune, Identity, Messenger, Person, Role
from bot.storage.db import Database
from bot.services.outbox import enqueue
from bot.services.access import PermissionDenied
from bot.storage.audit import Audit
from bot.storage.records import Records
from bot.storage.communes import PROVINCE, Communes
from bot.storage.cycle import DaysOff
from bot.storage.groups import Groups
from bot.storage.identities import Identities
from bot.storage.invites import Invites
from bot.storage.meta import Meta
from bot.storage.people import People
from bot.textnorm import fold
from bot.storage.family import FamilyLinks

log = logging.getLogger(__name__)

INVITE_VALIDITY = timedelta(days=7)
# No 0/O, 1/I/L, U: easy to read aloud and to type on a phone.
_ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"
_CODE_LENGTH = 8
# Who may invite whom from the bot. Police of a commune are bootstrapped from the command line.
INVITABLE_BY_POLICE = (Role.SUPERVISOR, Role.RETURNEE, Role.FAMILY, Role.POLICE)


def normalise_code(text: str) -> str:
    """Upper-case, drop spaces and dashes, and read look-alike letters the way we print them."""
    table = str.maketrans({"O": "0", "I": "1", "L": "1", "U": "V"})
    return "".join(c for c in text.upper() if c.isalnum()).translate(table)


def looks_like_code(text: str) -> bool:
    code = normalise_code(text)
    return len(code) == _CODE_LENGTH and len(text.strip()) <= 12


def hash_code(code: str) -> str:
    return hashlib.sha256(normalise_code(code).encode()).hexdigest()


def format_code(code: str) -> str:
    return f"{code[:4]}-{code[4:]}"


class RedeemStatus(str, Enum):
    OK = "ok"
    UNKNOWN = "unknown"
    EXPIRED = "expired"
    USED = "used"
    CANCELLED = "cancelled"
    ALREADY_REGISTERED = "already_registered"


@dataclass(frozen=True)
class Redeemed:
    status: RedeemStatus
    person: Person | None = None
    commune: Commune | None = None
    invited_by: int | None = None


@dataclass(frozen=True)
class NewInvite:
    code: str  # formatted, e.g. "K7QF-2M9X"; shown once, stored only as a hash
    role: Role
    commune: Commune
    expires_at: datetime
    deep_link: str | None


class Accounts:
    def __init__(self, db: Database, clock: Clock, default_locale: str = "vi", tz=None) -> None:
        self.db = db
        self.clock = clock
        self.default_locale = default_locale
        self.tz = tz

    async def identify(self, messenger: Messenger, external_id: str, chat_id: str) -> Actor:
        async with self.db.reading() as conn:
            identity, person = await Identities.find_with_person(conn, messenger, external_id)
        return self._actor(messenger, external_id, chat_id, identity, person)

    def _actor(
        self, messenger: Messenger, external_id: str, chat_id: str, identity: Identity | None, person: Person | None
    ) -> Actor:
        locale = (person.locale if person else None) or (identity.locale if identity else None) or self.default_locale
        return Actor(messenger, external_id, chat_id, person, locale, bool(identity and identity.unreachable))

    async def set_reachable(self, messenger: Messenger, external_id: str, reachable: bool) -> None:
        """The person blocked (or unblocked, or wrote to) the bot on this messenger. Other messengers
        are not affected; the person counts as unreachable only while every account is."""
        async with self.db.transaction() as tx:
            await Identities.set_reachable(tx, messenger, external_id, reachable, self.clock.now())

    async def move_group(self, messenger: Messenger, old_chat_id: str, new_chat_id: str) -> None:
        """A linked group chat got a new id: alerts follow it there."""
        async with self.db.transaction() as tx:
            moved = await Groups.move(tx, messenger.value, old_chat_id, new_chat_id)
            if moved:
                await Audit.record(tx, now=self.clock.now(), actor_id=None, action="group.moved",
                                   detail={"messenger": messenger.value})

    async def set_language(self, actor: Actor, locale: str) -> Actor:
        now = self.clock.now()
        async with self.db.transaction() as tx:
            if actor.person:
                await People.set_locale(tx, actor.person.id, locale)
                person = await People.get(tx, actor.person.id)
            else:
                person = None
            identity = await Identities.upsert(
                tx, messenger=actor.messenger, external_id=actor.external_id, chat_id=actor.chat_id,
                now=now, locale=locale,
            )
        return self._actor(actor.messenger, actor.external_id, actor.chat_id, identity, person)

    async def configure_commune(self, name: str, changes: dict, head: str | None = None,
                                province: str | None = None, days_off: list | None = None):
        """Change a commune's reminder and alert settings (and who heads its police, and the
        province it belongs to); returns them."""
        from bot.services.access import NotFound

        async with self.db.transaction() as tx:
            commune = await Communes.find(tx, name)
            if commune is None:
                raise NotFound(name)
            if province:
                unit = await Communes.get_or_create(tx, province, self.clock.now(), kind=PROVINCE)
                await Communes.attach(tx, commune.id, unit.id)
            for day in days_off or ():
                await DaysOff.add(tx, commune.id, day)
            if changes:
                await Communes.update_settings(tx, commune.id, **changes)
            if head is not None:
                officers = [p for p in await People.in_commune(tx, commune.id, Role.POLICE)
                            if fold(p.full_name) == fold(head)]
                if len(officers) != 1:
                    raise NotFound(f"police officer {head!r}")
                for officer in await People.in_commune(tx, commune.id, Role.POLICE):
                    await People.set_flags(tx, officer.id, is_head=officer.id == officers[0].id)
            await Audit.record(tx, now=self.clock.now(), actor_id=None, action="commune.configure",
                               detail={"commune_id": commune.id, **changes, "head": bool(head),
                                                   "province": bool(province)})
            return await Communes.settings(tx, commune.id)

    async def link_group(self, actor: Actor, messenger: Messenger, chat_id: str) -> bool:
        """Police link a group chat: their commune's alerts go there too."""
        if actor.role is not Role.POLICE:
            return False
        async with self.db.transaction() as tx:
            await Groups.link(tx, actor.person.commune_id, messenger.value, chat_id, actor.person.id, self.clock.now())
            await Audit.record(tx, now=self.clock.now(), actor_id=actor.person.id, action="group.link",
                               detail={"messenger": messenger.value})
        return True

    async def create_invite(
        self,
        *,
        role: Role,
        commune_name: str | None = None,
        commune_id: int | None = None,
        created_by: Person | None = None,
        full_name: str = "",
        person_id: int | None = None,
        family_of: int | None = None,
        province_name: str | None = None,
    ) -> NewInvite:
        """Make a single-use code valid for 7 days; only its hash is stored. A provincial officer's
        code names a province (``province_name``); every other role's, a commune."""
        now = self.clock.now()
        code = "".join(secrets.choice(_ALPHABET) for _ in range(_CODE_LENGTH))
        if role is not Role.PROVINCE and province_name:
            raise ValueError('only a provincial officer\'s code names a province; this role names a commune: '
                             '--commune "Xã Mẫu Sơn"')
        if role is Role.PROVINCE and commune_name:
            raise ValueError("a provincial officer belongs to a province, not to a commune: leave out --commune")
        if role is Role.PROVINCE and not province_name and commune_id is None:
            raise ValueError('a provincial officer\'s code names a province: --province "Tỉnh Lạng Sơn"')
        async with self.db.transaction() as tx:
            if province_name:
                commune = await Communes.get_or_create(tx, province_name, now, kind=PROVINCE)
            elif commune_id is not None:
                commune = await Communes.get(tx, commune_id)
                if commune is None:
                    raise ValueError("unknown commune")
            elif commune_name:
                commune = await Communes.get_or_create(tx, commune_name, now)
            else:
                raise ValueError("a commune is required")
            invite = await Invites.add(
                tx, code_hash=hash_code(code), role=role, commune_id=commune.id, full_name=full_name.strip(),
                created_by=created_by.id if created_by else None, person_id=person_id, family_of=family_of,
                now=now, expires_at=now + INVITE_VALIDITY,
            )
            await Audit.record(
                tx, now=now, actor_id=created_by.id if created_by else None, action="invite.create",
                detail={"invite_id": invite.id, "role": role.value, "commune_id": commune.id},
            )
            username = await Meta.get(tx, "telegram_username")
        link = f"https://t.me/{username}?start={code}" if username else None
        return NewInvite(format_code(code), role, commune, invite.expires_at, link)

    async def redeem(self, messenger: Messenger, external_id: str, chat_id: str, code: str, locale: str) -> Redeemed:
        """Use an invite code: the sender becomes a person of the invite's role and commune."""
        now = self.clock.now()
        async with self.db.transaction() as tx:
            identity = await Identities.find(tx, messenger, external_id)
            if identity and identity.person_id:
                person = await People.get(tx, identity.person_id)
                if person and person.active:
                    return Redeemed(RedeemStatus.ALREADY_REGISTERED, person, await Communes.get(tx, person.commune_id))
            invite = await Invites.by_hash(tx, hash_code(code))
            if invite is None:
                return Redeemed(RedeemStatus.UNKNOWN)
            if invite.used_at is not None:
                return Redeemed(RedeemStatus.USED)
            if invite.cancelled:
                return Redeemed(RedeemStatus.CANCELLED)
            if invite.expires_at <= now:
                return Redeemed(RedeemStatus.EXPIRED)
            if invite.person_id is not None:
                person = await People.get(tx, invite.person_id)
                assert person is not None
                if not person.active:  # a new code from police gives a deactivated person access again
                    await People.set_flags(tx, person.id, active=True, deactivated_at=None)
                    person = await People.get(tx, person.id)
                if locale and not person.locale:
                    await People.set_locale(tx, person.id, locale)
            else:
                person = await People.add(
                    tx, commune_id=invite.commune_id, role=invite.role, full_name=invite.full_name,
                    locale=locale, now=now,
                )
            if not await Invites.mark_used(tx, invite.id, person.id, now):
                return Redeemed(RedeemStatus.USED)
            await Identities.upsert(
                tx, messenger=messenger, external_id=external_id, chat_id=chat_id, now=now, person_id=person.id,
            )
            await Audit.record(
                tx, now=now, actor_id=person.id, action="invite.redeem", subject_id=person.id,
                detail={"invite_id": invite.id, "role": invite.role.value, "messenger": messenger.value},
            )
            if invite.family_of is not None:
                await FamilyLinks.add(tx, person.id, invite.family_of, now)
            if invite.created_by is not None:
                relative = await People.get(tx, invite.family_of) if invite.family_of is not None else None
                await enqueue(tx, tz=self.tz, now=now, person_id=invite.created_by, kind="member_joined",
                              params={"name": person.full_name, "role": person.role.value,
                                      "of": relative.full_name if relative else ""})
            person = await People.get(tx, person.id)
            commune = await Communes.get(tx, invite.commune_id)
        log.info("invite %s redeemed (role %s)", invite.id, invite.role.value)
        return Redeemed(RedeemStatus.OK, person, commune, invite.created_by)

    async def enrolled_person(self, commune_name: str, full_name: str) -> int | str:
        """The one open record with this name in the commune (for a returnee's or a family member's
        code), or why there is none."""
        if not full_name.strip():
            return ("a returnee's or family member's code is tied to an enrolled person: add --person \"FULL NAME\" "
                    "(or create it from the person's card with /people in the bot)")
        async with self.db.reading() as conn:
            commune = await Communes.find(conn, commune_name)
            matches = await Records.by_name(conn, commune.id, full_name) if commune else []
        if not matches:
            return f"no one named {full_name!r} is enrolled in {commune_name!r}: enrol them first (/enrol or hoanhap import)"
        if len(matches) > 1:
            return f"{len(matches)} people named {full_name!r} are enrolled: create the code from their card (/people)"
        return matches[0]

    async def set_name(self, actor, name: str) -> None:
        """A person names themself (when their invite code was made without a name)."""
        if actor.person is None:
            raise PermissionDenied
        async with self.db.transaction() as tx:
            await People.set_name(tx, actor.person.id, name)
            await Audit.record(tx, now=self.clock.now(), actor_id=actor.person.id, action="person.name",
                               subject_id=actor.person.id)

    async def contacts(self, person_id: int) -> tuple[Person | None, list[Identity]]:
        async with self.db.reading() as conn:
            return await People.get(conn, person_id), await Identities.of_person(conn, person_id)

    async def bot_username(self) -> str | None:
        async with self.db.reading() as conn:
            return await Meta.get(conn, "telegram_username")

    async def remember_bot_username(self, username: str) -> None:
        async with self.db.transaction() as tx:
            await Meta.put(tx, "telegram_username", username)
