"""The monthly list for the provincial agency and UBND xã (Nghị định 231/2026, Điều 8 khoản 2):
each person supervised, the grade, the reasons, the roll call, the periodic report, breaches."""

from __future__ import annotations

import io
from datetime import date

from openpyxl import Workbook
from openpyxl.styles import Font

from bot.i18n import _, use_locale
from bot.labels import CATEGORY_LABELS, GRADE_LABELS, REASON_LABELS
from bot.reports.workbook import append_row


def build(rows, month: date, locale: str) -> bytes:
    with use_locale(locale):
        book = Workbook()
        sheet = book.active
        sheet.title = f"{month:%m-%Y}"
        append_row(sheet, [_("Grades for {month}", month=f"{month:%m/%Y}")])
        sheet["A1"].font = Font(bold=True, size=13)
        header = [_("Full name"), _("Category"), _("Grade"), _("Proposed"), _("Reasons"), _("Roll call"),
                  _("Periodic report"), _("Breaches and fines"), _("Signed")]
        append_row(sheet, header)
        for cell in sheet[2]:
            cell.font = Font(bold=True)
        for record, grade, facts in rows:
            append_row(sheet, [
                record.full_name, _(CATEGORY_LABELS[record.category]), _(GRADE_LABELS[grade.grade or grade.proposed]),
                _(GRADE_LABELS[grade.proposed]),
                ", ".join(_(REASON_LABELS[r]) for r in grade.reasons if r in REASON_LABELS),
                _("yes") if facts.roll_call_done else _("no"),
                _("received") if facts.report_received else (_("not received") if facts.report_due else "—"),
                facts.breaches + facts.fines, _("yes") if grade.signed else _("no"),
            ])
        for letter, width in zip("ABCDEFGHI", (28, 26, 12, 12, 40, 10, 14, 12, 8)):
            sheet.column_dimensions[letter].width = width
        out = io.BytesIO()
        book.save(out)
        return out.getvalue()
