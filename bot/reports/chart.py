"""Monthly contacts on time and late, with alerts, as a PNG (matplotlib, Agg backend)."""

from __future__ import annotations

import io

from bot.i18n import _
from bot.services.reports import Report

WIDTH, HEIGHT, DPI = 8.0, 4.5, 100  # 800 × 450 pixels


def build(report: Report) -> bytes:
    """The chart as PNG bytes. Drawn with matplotlib's object API (no pyplot global state), so two
    reports may be drawn at once in worker threads."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    months = sorted(report.monthly)
    labels = [f"{m[5:]}/{m[2:4]}" for m in months]
    on_time = [report.monthly[m]["on_time"] for m in months]
    late = [report.monthly[m]["late"] for m in months]
    alerts = [report.monthly[m]["alerts"] for m in months]
    figure = Figure(figsize=(WIDTH, HEIGHT), dpi=DPI)
    FigureCanvasAgg(figure)
    axes = figure.subplots()
    axes.bar(labels, on_time, color="#2e7d32", label=_("On time"))
    axes.bar(labels, late, bottom=on_time, color="#f9a825", label=_("Late"))
    axes.set_ylabel(_("Contacts"))
    twin = axes.twinx()
    twin.plot(labels, alerts, color="#c62828", marker="o", label=_("Alerts"))
    twin.set_ylabel(_("Alerts"))
    twin.set_ylim(bottom=0)
    axes.set_title(_("Contacts and alerts by month") + (f" · {report.scope}" if report.scope else ""))
    handles = axes.get_legend_handles_labels()
    extra = twin.get_legend_handles_labels()
    axes.legend(handles[0] + extra[0], handles[1] + extra[1], loc="upper left")
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=DPI)
    return buffer.getvalue()
