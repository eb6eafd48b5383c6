"""Supervision use cases, one module per topic (records, roster, assignments, check-ins,
assessments, self-reports, appointments, family sharing, cadence, the monthly cycle), joined into
one service.

Every read is scoped: police see their commune, a supervisor sees the people assigned to them, a
person sees themself, a family member what the person agreed to share. Every view of a record is
written to the audit log.
"""

from __future__ import annotations

from bot.services.supervision.appointments import AppointmentService
from bot.services.supervision.assessments import AssessmentService
from bot.services.supervision.assignments import AssignmentService
from bot.services.supervision.cadence import CadenceService, cadence_defaults
from bot.services.supervision.cycle import CycleService
from bot.services.supervision.checkins import (
    EDIT_WINDOW,
    MAX_NOTE,
    POLICE_FIX_WINDOW,
    CheckinInput,
    CheckinSaved,
    CheckinService,
)
from bot.services.supervision.family import FamilyService
from bot.services.supervision.records import Card, LooksLike, MyView, RecordInput, RecordsService
from bot.services.supervision.roster import RosterRow, RosterService
from bot.services.supervision.self_reports import SelfReportService

__all__ = ["Supervision", "Card", "CheckinInput", "CheckinSaved", "LooksLike", "MyView", "RecordInput", "RosterRow",
           "cadence_defaults", "EDIT_WINDOW", "MAX_NOTE", "POLICE_FIX_WINDOW"]


class Supervision(RecordsService, RosterService, AssignmentService, CheckinService, AssessmentService, SelfReportService, AppointmentService, FamilyService, CadenceService,
                  CycleService):
    """Every supervision use case, on one object (``services.supervision``)."""
