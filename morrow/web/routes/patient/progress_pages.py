"""/progress: doses against withdrawal, sleep efficiency, pain and craving, as charts and as tables."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from morrow.services.patient_views import Point, Progress, progress
from morrow.web.deps import CurrentActor, CurrentUser, DbSession
from morrow.web.routes.patient.charts import Series, chart
from morrow.web.routes.patient.common import own_patient, utcnow
from morrow.web.templating import render

router = APIRouter(include_in_schema=False)
RANGES = (30, 90)


def _summary(points: list[Point]) -> str:
    if not points:
        return "No entries in this period."
    values = [p.value for p in points]
    return (
        f"{len(points)} days with entries, from {points[0].day} to {points[-1].day}. "
        f"Lowest {min(values):g}, highest {max(values):g}, latest {values[-1]:g} on {points[-1].day}."
    )


def charts_of(data: Progress) -> list[dict[str, Any]]:
    specs = [
        ("withdrawal", "Doses logged and withdrawal (SOWS)", "Score or count",
         [Series("Doses logged", data.doses, "#0b5d7a", "s"),
          Series("SOWS withdrawal score (0-64)", data.sows, "#b3261e", "o")]),
        ("sleep", "Sleep efficiency by night", "Percent",
         [Series("Sleep efficiency %", data.sleep_efficiency, "#1f6b3a", "o")]),
        ("pain", "Pain and its interference (PEG)", "PEG (0-10)", [Series("PEG score", data.peg, "#8a4b00", "o")]),
        ("craving", "Craving", "Craving (0-100)", [Series("Craving", data.craving, "#6b3fa0", "o")]),
    ]  # fmt: skip
    out = []
    for chart_id, title, y_label, series in specs:
        description = " ".join(f"{s.label}: {_summary(s.points)}" for s in series)
        out.append(
            {
                "id": chart_id,
                "title": title,
                "svg": chart(chart_id, title, description, series, y_label),
                "series": series,
                "summary": description,
            }
        )
    return out


@router.get("/progress", response_class=HTMLResponse)
def progress_page(request: Request, db: DbSession, user: CurrentUser, actor: CurrentActor, days: int = 30) -> Response:
    patient_id = own_patient(user)
    days = days if days in RANGES else 30
    data = progress(db, actor, patient_id, utcnow(), days)
    context = {"charts": charts_of(data), "days": days, "ranges": RANGES, "data": data}
    return render(request, "patient/progress.html", context)
