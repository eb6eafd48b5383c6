"""Plain data the layers pass around (no I/O here)."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date, datetime


class Role(str, enum.Enum):
    POLICE = "police"  # Công an xã
    SUPERVISOR = "supervisor"  # member of the village Tổ bảo vệ an ninh, trật tự
    RETURNEE = "returnee"  # returnee or person serving a sentence in the community
    FAMILY = "family"
    PROVINCE = "province"  # provincial police: aggregate figures only


class Messenger(str, enum.Enum):
    TELEGRAM = "telegram"
    ZALO = "zalo"  # the Zalo Bot Platform
    ZALO_OA = "zalo_oa"  # a Zalo Official Account (one deployment may serve several)
    CONSOLE = "console"


@dataclass(frozen=True)
class Commune:
    id: int
    name: str


@dataclass(frozen=True)
class CommuneSettings:
    quiet_start: str = "21:00"
    quiet_end: str = "07:00"
    urgent_bypasses_quiet: bool = True
    escalate_after_minutes: int = 240
    missed_grace_days: int = 3
    digest_threshold: int = 3


@dataclass(frozen=True)
class Person:
    id: int
    commune_id: int
    role: Role
    full_name: str
    locale: str | None
    active: bool
    is_head: bool = False
    reminders: bool = True
    unreachable: bool = False


@dataclass(frozen=True)
class Identity:
    id: int
    messenger: Messenger
    external_id: str
    chat_id: str
    person_id: int | None
    locale: str | None
    unreachable: bool = False  # the person blocked the bot on this messenger


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
    family_of: int | None = None
    cancelled: bool = False


# ---- supervision -------------------------------------------------------------------------


class Category(str, enum.Enum):
    SUSPENDED = "suspended"  # án treo
    NON_CUSTODIAL = "non_custodial"  # cải tạo không giam giữ
    PAROLE = "parole"  # tha tù trước thời hạn có điều kiện
    DEFERRED = "deferred"  # hoãn / tạm đình chỉ chấp hành án phạt tù
    RELEASED = "released"  # người chấp hành xong án phạt tù
    AMNESTY = "amnesty"  # người được đặc xá

    @property
    def serving_in_community(self) -> bool:
        return self in (Category.SUSPENDED, Category.NON_CUSTODIAL, Category.PAROLE, Category.DEFERRED)


class PenaltyType(str, enum.Enum):
    WARNING = "warning"
    FINE = "fine"
    NON_CUSTODIAL_REFORM = "non_custodial_reform"
    SUSPENDED = "suspended"
    PRISON = "prison"
    LIFE = "life"
    DEATH_COMMUTED = "death_commuted"
    EXEMPTED = "exempted"


class SupplementaryKind(str, enum.Enum):
    PROBATION_CONTROL = "probation_control"  # quản chế
    RESIDENCE_BAN = "residence_ban"  # cấm cư trú
    OFFICE_BAN = "office_ban"  # cấm đảm nhiệm chức vụ
    PROFESSION_BAN = "profession_ban"  # cấm hành nghề, làm công việc nhất định
    CIVIL_RIGHTS = "civil_rights"  # tước một số quyền công dân
    FINE = "fine"
    OTHER = "other"


class CloseReason(str, enum.Enum):
    EXPUNGED = "expunged"
    MOVED_AWAY = "moved_away"
    DIED = "died"
    SENTENCE_COMPLETED = "sentence_completed"
    OTHER = "other"


class Contact(str, enum.Enum):
    HOME_VISIT = "home_visit"
    PHONE_CALL = "phone_call"
    MET_AT_OFFICE = "met_at_office"
    CAME_TO_REPORT = "came_to_report"


class Status(str, enum.Enum):
    STABLE = "stable"  # ổn định
    NEEDS_SUPPORT = "needs_support"  # cần hỗ trợ
    CONCERN = "concern"  # có dấu hiệu đáng lo ngại
    LEFT_LOCALITY = "left_locality"  # đã rời khỏi địa phương
    UNREACHABLE = "unreachable"  # không liên lạc được


class AlertReason(str, enum.Enum):
    CHECKIN_NEEDS_SUPPORT = "checkin_needs_support"
    CHECKIN_CONCERN = "checkin_concern"
    CHECKIN_LEFT_LOCALITY = "checkin_left_locality"
    CHECKIN_UNREACHABLE = "checkin_unreachable"
    MISSED_CHECKIN = "missed_checkin"
    HELP_REQUEST = "help_request"
    UNDELIVERABLE = "undeliverable"


# A check-in status that commune police must hear about at once.
ALERTING_STATUSES = {
    Status.NEEDS_SUPPORT: AlertReason.CHECKIN_NEEDS_SUPPORT,
    Status.CONCERN: AlertReason.CHECKIN_CONCERN,
    Status.LEFT_LOCALITY: AlertReason.CHECKIN_LEFT_LOCALITY,
    Status.UNREACHABLE: AlertReason.CHECKIN_UNREACHABLE,
}


@dataclass(frozen=True)
class Supplementary:
    kind: SupplementaryKind
    ends_on: date | None


@dataclass(frozen=True)
class Record:
    person_id: int
    commune_id: int
    full_name: str
    date_of_birth: date
    village: str
    category: Category
    penalty_type: PenaltyType
    penalty_months: int | None
    release_date: date | None
    probation_start: date | None
    probation_end: date | None
    family_name: str
    family_relation: str
    family_phone: str
    note: str
    cadence_rule: str | None
    enrolled_on: date
    closed_on: date | None
    closed_reason: CloseReason | None
    supplementary: tuple[Supplementary, ...] = ()
    last_contact: date | None = None  # the latest check-in not withdrawn (kept by the database)

    @property
    def open(self) -> bool:
        return self.closed_on is None


@dataclass(frozen=True)
class Checkin:
    id: int
    person_id: int
    supervisor_id: int
    contact: Contact
    status: Status
    note: str
    photo: str | None
    latitude: float | None
    longitude: float | None
    happened_on: date
    created_at: datetime
    withdrawn_at: datetime | None


@dataclass(frozen=True)
class Assessment:
    id: int
    person_id: int
    author_id: int
    period: str
    conduct: str
    work: str
    family: str
    needs: str
    created_at: datetime


@dataclass(frozen=True)
class SelfReport:
    id: int
    person_id: int
    wellbeing: str
    work: str
    help_needed: str
    created_at: datetime


@dataclass(frozen=True)
class Alert:
    id: int
    commune_id: int
    person_id: int | None
    reason: AlertReason
    source: str
    state: str  # open | claimed | snoozed | resolved
    created_at: datetime
    claimed_by: int | None = None
    claimed_at: datetime | None = None
    resolved_at: datetime | None = None
    note: str = ""
    snoozed_until: datetime | None = None
    escalated_at: datetime | None = None


@dataclass(frozen=True)
class Actor:
    """The person behind an incoming message, as far as the bot knows them."""

    messenger: Messenger
    external_id: str
    chat_id: str
    person: Person | None
    locale: str
    unreachable_here: bool = False  # blocked the bot on this messenger (and now writes again)

    @property
    def role(self) -> Role | None:
        return self.person.role if self.person and self.person.active else None

    @property
    def person_id(self) -> int | None:
        return self.person.id if self.person else None
