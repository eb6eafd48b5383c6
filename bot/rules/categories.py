"""What a record of each category must hold: the dates that define its supervision, and whether
the penalty has a term. The /enrol conversation asks exactly these; the import checks them."""

from __future__ import annotations

from bot.models import Category, PenaltyType

REQUIRED_DATES: dict[Category, tuple[str, ...]] = {
    Category.SUSPENDED: ("probation_start", "probation_end"),
    Category.NON_CUSTODIAL: ("probation_start",),
    Category.PAROLE: ("release_date", "probation_end"),
    Category.DEFERRED: ("probation_end",),
    Category.RELEASED: ("release_date",),
    Category.AMNESTY: ("release_date",),
}
WITH_TERM = {PenaltyType.PRISON, PenaltyType.SUSPENDED, PenaltyType.NON_CUSTODIAL_REFORM}


def needs_term(penalty: PenaltyType | None) -> bool:
    return penalty in WITH_TERM
