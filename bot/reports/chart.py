"""Monthly contacts on time and late, with alerts, as a PNG (matplotlib, Agg backend)."""

from __future__ import annotations

import io

from bot.i18n import _
from bot.services.reports import Report

WIDTH, HEIGHT, DPI = 8.0, 4.5, 100  # 800 × 450 pixels


def build(report: Report) -> bytes:
    """The chart as PNG bytes."""
    figure = draw(report)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=DPI)
    return buffer.getvalue()


def month_label(month: str) -> str:
    """"2026-12" → "12/2026" (people read months as mm/yyyy)."""
    return f"{month[5:]}/{month[:4]}"


def draw(report: Report):
    """The figure. Drawn with matplotlib's object API (no pyplot global state), so two reports may
    be drawn at once in worker threads. Counts are whole numbers from 0; no data says so."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    months = sorted(report.monthly)
    labels = [month_label(m) for m in months]
    on_time = [report.monthly[m]["on_time"] for m in months]
    late = [report.monthly[m]["late"] for m in months]
    alerts = [report.monthly[m]["alerts"] for m in months]
    figure = Figure(figsize=(WIDTH, HEIGHT), dpi=DPI)
    FigureCanvasAgg(figure)
    axes = figure.subplots()
    axes.set_title(_("Contacts and alerts by month") + (f" · {report.scope}" if report.scope else ""))
    if not any(on_time) and not any(late) and not any(alerts):
        axes.set_axis_off()
        axes.text(0.5, 0.5, _("No contacts and no alerts in this period."), ha="center", va="center",
                  transform=axes.transAxes, fontsize=13)
        figure.tight_layout()
        return figure
    axes.bar(labels, on_time, color="#2e7d32", label=_("On time"))
    axes.bar(labels, late, bottom=on_time, color="#f9a825", label=_("Late"))
    axes.set_ylabel(_("Contacts"))
    twin = axes.twinx()
    twin.plot(labels, alerts, color="#c62828", marker="o", label=_("Alerts"))
    twin.set_ylabel(_("Alerts"))
    for axis, top in ((axes, max(a + b for a, b in zip(on_time, late))), (twin, max(alerts))):
        axis.set_ylim(0, max(top, 1) * 1.15)  # from 0, never a range around 0 when all are 0
        axis.yaxis.set_major_locator(MaxNLocator(integer=True))  # no half contacts, no half alerts
    handles = axes.get_legend_handles_labels()
    extra = twin.get_legend_handles_labels()
    axes.legend(handles[0] + extra[0], handles[1] + extra[1], loc="upper left")
    figure.tight_layout()
    return figure
