"""When is a criminal record cleared (xóa án tích)? BLHS 2015 as amended in 2017.

One pure function, :func:`assess`, in the style of RecordSponge: it returns a status, the date,
and the article and clause that decided it. Sources: ``shared/domain/legal-facts.md`` §0–§1.

- Điều 69 khoản 2: exempted from punishment, or an unintentional less serious or serious crime:
  no criminal record at all.
- Điều 107 khoản 1: offenders aged 14 to under 16; aged 16 to under 18 for a less serious or
  serious crime or an unintentional very serious one: no criminal record.
- Điều 71: crimes of Chương XIII (national security) and Chương XXVI (war crimes): the court
  decides, on application, after 1 / 3 / 5 / 7 years (the 3 and 5 are UNCONFIRMED).
- Điều 107 khoản 2: aged 16 to under 18, intentional very serious or especially serious crime:
  automatic after 6 months / 1 / 2 / 3 years.
- Điều 70 khoản 2: everyone else, automatic after 1 / 2 / 3 / 5 years, and not before the
  supplementary penalties and the judgment's other decisions are completed.
- Điều 73 khoản 2: a new crime with a final conviction before the record is cleared restarts the
  old record's period from the completion of the new judgment's main penalty; khoản 3: when one
  of the convictions goes to the court, the court decides for all, with Điều 71's periods.

Periods run from the day after the main penalty was completed (or probation ended) and end on
the corresponding day (BLDS 2015 Điều 147-148; the last day of the month when there is none).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from enum import Enum

from bot.rules.dates import add_months

PENALTIES = ("exempted", "warning", "fine", "non_custodial_reform", "suspended", "prison", "life", "death_commuted")
CATEGORIES = ("less_serious", "serious", "very_serious", "especially_serious")
CHAPTERS = ("ordinary", "national_security", "war_crimes")
INTENTS = ("intentional", "unintentional")


class Status(str, Enum):
    NO_RECORD = "no_record"
    AUTOMATIC = "automatic"
    COURT_DECISION = "court_decision"
    PENDING = "pending"


class Route(str, Enum):
    AUTOMATIC = "automatic"  # Điều 70
    MINOR = "minor"  # Điều 107 khoản 2
    COURT = "court"  # Điều 71


@dataclass(frozen=True)
class Case:
    age_at_offence: int
    offence_chapter: str
    offence_category: str
    intent: str
    penalty: str
    main_penalty_completed_on: date | None  # None only where there is no record at all (_no_record)
    prison_months: int | None = None
    supplementary_completed_on: date | None = None
    other_decisions_completed_on: date | None = None
    new_conviction: "Case | None" = None
    new_conviction_pending: bool = False


@dataclass(frozen=True)
class Result:
    status: Status
    date: date | None
    basis: str
    # Why, in terms a person can check: which limb, the period, what decided the date.
    route: Route | None = None
    period_months: int | None = None
    start: date | None = None
    decided_by: str = "period"  # "period" | "supplementary" | "other_decisions" | "new_conviction"
    unconfirmed: bool = False  # the period comes from an UNCONFIRMED limb


class InvalidCase(ValueError):
    """The case cannot be assessed as given; the message says which field is wrong."""


# (limb letter, period in months) by penalty, per route. Months keep 6-month periods exact.
def _limb(route: Route, penalty: str, prison_months: int | None) -> tuple[str, int, bool]:
    light = penalty in ("warning", "fine", "non_custodial_reform", "suspended")
    if light:
        letter, tier = "a", 0
    elif penalty == "prison" and prison_months is not None and prison_months <= 60:
        letter, tier = "b", 1
    elif penalty == "prison" and prison_months is not None and prison_months <= 180:
        letter, tier = "c", 2
    else:  # over 15 years, life, death penalty commuted
        letter, tier = "d", 3
    months = {
        Route.AUTOMATIC: (12, 24, 36, 60),
        Route.MINOR: (6, 12, 24, 36),
        Route.COURT: (12, 36, 60, 84),
    }[route][tier]
    unconfirmed = route is Route.COURT and tier in (1, 2)
    return letter, months, unconfirmed


def _no_record(case: Case) -> str | None:
    """The article under which there is no criminal record at all, if any."""
    if case.penalty == "exempted":
        return "BLHS 2015 Điều 69 khoản 2"
    if case.intent == "unintentional" and case.offence_category in ("less_serious", "serious"):
        return "BLHS 2015 Điều 69 khoản 2"
    if 14 <= case.age_at_offence < 16:
        return "BLHS 2015 Điều 107 khoản 1 điểm a"
    if 16 <= case.age_at_offence < 18 and (
        case.offence_category in ("less_serious", "serious")
        or (case.offence_category == "very_serious" and case.intent == "unintentional")
    ):
        return "BLHS 2015 Điều 107 khoản 1 điểm b"
    return None


def _route(case: Case) -> Route:
    if case.offence_chapter in ("national_security", "war_crimes"):
        return Route.COURT
    if 16 <= case.age_at_offence < 18:
        return Route.MINOR
    return Route.AUTOMATIC


_ARTICLE = {Route.AUTOMATIC: "Điều 70 khoản 2", Route.MINOR: "Điều 107 khoản 2", Route.COURT: "Điều 71 khoản 2"}


def _single(case: Case, route: Route, start: date) -> Result:
    """The date for one conviction, its period counted from ``start``."""
    letter, months, unconfirmed = _limb(route, case.penalty, case.prison_months)
    end = add_months(start, months)
    decided_by = "period"
    if route is not Route.MINOR:  # Điều 70/71 khoản 2 also require the supplementary penalties…
        if case.supplementary_completed_on and case.supplementary_completed_on > end:
            end, decided_by = case.supplementary_completed_on, "supplementary"
        if case.other_decisions_completed_on and case.other_decisions_completed_on > end:  # …and other decisions
            end, decided_by = case.other_decisions_completed_on, "other_decisions"
    basis = f"BLHS 2015 {_ARTICLE[route]}" + (f" điểm {letter}" if decided_by == "period" else "")
    status = Status.COURT_DECISION if route is Route.COURT else Status.AUTOMATIC
    if status is Status.COURT_DECISION:
        end = end + timedelta(days=1)  # the first day the person may apply
    return Result(status, end, basis, route, months, start, decided_by, unconfirmed)


def assess(case: Case) -> Result:
    """Status, date and basis for ``case`` (a preliminary calculation, never legal proof)."""
    validate(case)
    basis = _no_record(case)
    if basis is not None:
        return Result(Status.NO_RECORD, None, basis)
    if case.new_conviction_pending:
        return Result(Status.PENDING, None, "BLHS 2015 Điều 73 khoản 2")
    route = _route(case)
    own = _single(case, route, case.main_penalty_completed_on)
    new = case.new_conviction
    if new is None:
        return own
    later = assess(new)
    if later.status is Status.PENDING:
        return Result(Status.PENDING, None, "BLHS 2015 Điều 73 khoản 2")
    # Điều 73 khoản 2: the old record's period runs again from the new judgment's completion.
    new_route = _route(new) if later.status is not Status.NO_RECORD else route
    routes = {route, new_route}
    old_route = Route.COURT if Route.COURT in routes else route  # khoản 3: the court decides for all
    restarted = _single(case, old_route, new.main_penalty_completed_on)
    dates = [restarted.date]
    if later.status is not Status.NO_RECORD:
        again = _single(new, Route.COURT if old_route is Route.COURT else new_route, new.main_penalty_completed_on)
        dates.append(again.date)
    status = Status.COURT_DECISION if old_route is Route.COURT else Status.AUTOMATIC
    basis = "BLHS 2015 Điều 73 khoản 2" + (" và khoản 3" if Route.COURT in routes and len(routes) > 1 else "")
    return Result(status, max(dates), basis, old_route, restarted.period_months, new.main_penalty_completed_on,
                  "new_conviction", restarted.unconfirmed)


def validate(case: Case) -> None:
    if not 14 <= case.age_at_offence <= 120:
        raise InvalidCase("age_at_offence must be 14 or more: younger children are not convicted")
    for field, allowed in (("offence_chapter", CHAPTERS), ("offence_category", CATEGORIES), ("intent", INTENTS),
                           ("penalty", PENALTIES)):
        if getattr(case, field) not in allowed:
            raise InvalidCase(f"{field} must be one of: {', '.join(allowed)}")
    # Only what the case needs: a case with no record at all (exempted, an unintentional less serious
    # crime, a minor's…) has no period to count, so no completion date.
    if case.main_penalty_completed_on is None and _no_record(case) is None:
        raise InvalidCase("main_penalty_completed_on is required (a date written YYYY-MM-DD)")
    if case.penalty in ("prison", "suspended"):
        if case.prison_months is None or not 1 <= case.prison_months <= 12 * 30:
            raise InvalidCase("prison_months (1 to 360) is required for prison and suspended sentences")
    if case.penalty == "suspended" and case.prison_months and case.prison_months > 36:
        raise InvalidCase("a suspended sentence is only given for prison terms of up to 3 years (36 months)")
    if case.new_conviction is not None:
        if case.new_conviction.main_penalty_completed_on < case.main_penalty_completed_on:
            raise InvalidCase("new_conviction must be later: its main penalty ends before this one")


def from_json(data: object) -> Case:
    """Read a case from the CLI's JSON shape; :class:`InvalidCase` says what is wrong."""
    if not isinstance(data, dict):
        raise InvalidCase("the input must be one JSON object")
    known = {"age_at_offence", "offence_chapter", "offence_category", "intent", "penalty", "prison_months",
             "main_penalty_completed_on", "supplementary_completed_on", "other_decisions_completed_on",
             "new_conviction"}
    unknown = sorted(set(data) - known)
    if unknown:
        raise InvalidCase(f"unknown field: {unknown[0]}")
    for field in ("age_at_offence", "offence_chapter", "offence_category", "intent", "penalty"):
        if field not in data:
            raise InvalidCase(f"{field} is required")

    def day(field: str, required: bool = False) -> date | None:
        value = data.get(field)
        if value is None and not required:
            return None
        if not isinstance(value, str):
            raise InvalidCase(f"{field} must be a date written YYYY-MM-DD")
        try:
            return date.fromisoformat(value)
        except ValueError:
            raise InvalidCase(f"{field} must be a date written YYYY-MM-DD") from None

    def integer(field: str) -> int | None:
        value = data.get(field)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            raise InvalidCase(f"{field} must be a whole number")
        return value

    new, pending = None, False
    raw_new = data.get("new_conviction")
    if raw_new is not None:
        if isinstance(raw_new, dict) and raw_new.get("pending") is True and len(raw_new) == 1:
            pending = True
        elif isinstance(raw_new, dict) and "pending" not in raw_new:
            new = from_json(raw_new)
        else:
            raise InvalidCase('new_conviction must be {"pending": true} or a case object')
    for field in ("offence_chapter", "offence_category", "intent", "penalty"):
        if not isinstance(data[field], str):
            raise InvalidCase(f"{field} must be text")
    case = Case(
        age_at_offence=integer("age_at_offence"),
        offence_chapter=data["offence_chapter"],
        offence_category=data["offence_category"],
        intent=data["intent"],
        penalty=data["penalty"],
        prison_months=integer("prison_months"),
        main_penalty_completed_on=day("main_penalty_completed_on"),
        supplementary_completed_on=day("supplementary_completed_on"),
        other_decisions_completed_on=day("other_decisions_completed_on"),
        new_conviction=new,
        new_conviction_pending=pending,
    )
    validate(case)
    return case
