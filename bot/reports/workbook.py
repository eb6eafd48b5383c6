"""The report as an Excel workbook: a summary sheet with Vietnamese headings (in the reader's
language), a sheet per topic, and per-person rows only for the police of the commune. Dates are
real dates shown dd/mm/yyyy; numbers are numbers."""

from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.styles import Font

from bot.labels import CATEGORY_LABELS
from bot.i18n import _
from bot.models import Category
from bot.notices import ALERT_REASONS
from bot.rules.cadence import DueState
from bot.services.reports import Report

DATE_FORMAT = "DD/MM/YYYY"


def append_row(sheet, row: list) -> None:
    """One row: text stays text (a name typed as "=HYPERLINK(…)" is never a formula the reader's
    spreadsheet runs: openpyxl makes any string starting with "=" a formula), dates show dd/mm/yyyy."""
    sheet.append(row)
    for cell in sheet[sheet.max_row]:
        if isinstance(cell.value, str):
            cell.data_type = "s"
        elif hasattr(cell.value, "isoformat"):
            cell.number_format = DATE_FORMAT


def _sheet(book: Workbook, title: str, header: list[str], rows: list[list]) -> None:
    sheet = book.create_sheet(title[:31])
    sheet.append(header)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        append_row(sheet, row)
    for column in sheet.columns:
        sheet.column_dimensions[column[0].column_letter].width = max(12, min(60, max(len(str(c.value or "")) for c in column) + 2))


def summary_rows(report: Report) -> list[list]:
    share = round(report.on_time_share * 100, 1) if report.on_time_share is not None else None
    return [
        [_("Period from"), report.start],
        [_("Period to"), report.end],
        [_("People managed at the end of the period"), sum(report.managed.values())],
        [_("New during the period"), sum(report.new.values())],
        [_("Check-ins recorded"), report.checkins],
        [_("Contacts due"), report.due],
        [_("Contacts on time"), report.on_time],
        [_("Contacts late"), report.late],
        [_("Contacts missed"), report.missed],
        [_("Share on time (%)"), share],
        [_("People overdue now"), report.overdue_now],
        [_("Alerts"), sum(report.alerts.values())],
        [_("Median hours to claim an alert"), round(report.median_claim_hours, 1) if report.median_claim_hours is not None else None],
        [_("Median hours to resolve an alert"), round(report.median_resolve_hours, 1) if report.median_resolve_hours is not None else None],
        [_("Requests for help"), report.help_requests],
        [_("Help with loan dossiers"), report.loan_support],
        [_("Job and course postings"), report.postings],
        [_("Expressions of interest in jobs and courses"), report.job_interest],
        [_("Records cleared"), report.cleared],
        [_("Outreach meetings"), report.meetings],
        [_("Participants in outreach meetings"), report.participants],
        [_("Tips received"), report.tips],
        [_("Monthly grades signed"), report.grades_signed],
        [_("Monthly grades signed on time (by day 5)"), report.grades_on_time],
        [_("Breach records and administrative fines"), report.breaches],
    ]


def build(report: Report) -> bytes:
    book = Workbook()
    summary = book.active
    summary.title = _("Summary")[:31]
    append_row(summary, [_("Report"), report.scope or _("All communes")])
    summary["A1"].font = Font(bold=True, size=13)
    for row in summary_rows(report):
        append_row(summary, row)
    summary.column_dimensions["A"].width = 48
    summary.column_dimensions["B"].width = 22
    _sheet(book, _("By category"), [_("Category"), _("Managed at the end"), _("New")],
           [[_(CATEGORY_LABELS[c]), report.managed[c], report.new[c]] for c in Category])
    _sheet(book, _("Alerts"), [_("Reason"), _("Number")],
           [[_(ALERT_REASONS[r]), n] for r, n in sorted(report.alerts.items())])
    _sheet(book, _("By month"), [_("Month"), _("On time"), _("Late"), _("Alerts")],
           [[f"{month[5:]}/{month[:4]}", c["on_time"], c["late"], c["alerts"]]  # mm/yyyy, as people read months
            for month, c in sorted(report.monthly.items())])
    if report.people:
        states = {DueState.OVERDUE: _("overdue"), DueState.DUE: _("due"), DueState.OK: _("up to date"),
                  DueState.CLOSED: _("closed")}
        _sheet(book, _("People"), [_("Full name"), _("Village"), _("Category"), _("Supervisor"), _("Last contact"),
                                   _("Now"), _("On time"), _("Late"), _("Missed")],
               [[p.name, p.village, _(CATEGORY_LABELS[p.category]), p.supervisor, p.last_contact, states[p.state],
                 p.on_time, p.late, p.missed] for p in report.people])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
