"""Plain data the layers pass around (no I/O here)."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime


class Role(str, enum.Enum):
    POLICE = "police"  # Công an xã
    SUPERVISOR = "supervisor"  # member of the village Tổ bảo vệ an ninh, trật tự
    RETURNEE = "returnee"  # returnee or person serving a sentence in the community
    FAMILY = "family"
    PROVINCE = "province"  # provincial police: aggregate figures only


class Messenger(str, enum.Enum):
    TELEGRAM = "telegram"
    ZALO = "zalo"
    CONSOLE = "console"


@dataclass(frozen=True)
class Commune:
    id: int
    name: str


@dataclass(frozen=True)
class Person:
    id: int
    commune_id: int
    role: Role
    full_name: str
    locale: str | None
    active: bool


@dataclass(frozen=True)
class Identity:
    id: int
    messenger: Messenger
    external_id: str
    chat_id: str
    person_id: int | None
    locale: str | None


@dataclass(frozen=True)
class Invite:
    id: int
    role: Role
    commune_id: int
    person_id: int | None
    full_name: str
    created_by: int | None
    created_at: datetime
    expires_at: datetime
    used_at: datetime | None


@dataclass(frozen=True)
class AuditEntry:
    id: int
    at: datetime
    actor_id: int | None
    action: str
    subject_id: int | None
    detail: str
