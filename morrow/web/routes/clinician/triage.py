"""Triage, the clinician's home: their team patients ordered by risk, with the reason for each place."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from morrow.services.triage import RULE, triage
from morrow.web.deps import DbSession
from morrow.web.routes.clinician.common import Clinician
from morrow.web.routes.clinician.schemas import TriagePublic, TriageRowPublic
from morrow.web.templating import render

router = APIRouter()

TIER_LABELS = {
    "urgent": "Urgent alert",
    "warning": "Warning",
    "trend": "Worsening trend",
    "missed": "Missed check-ins",
    "caution": "Caution",
    "none": "Nothing flagged",
}


@router.get("/triage", response_class=HTMLResponse, include_in_schema=False)
def triage_page(request: Request, db: DbSession, actor: Clinician) -> Response:
    rows = triage(db, actor)
    flagged = sum(1 for row in rows if row.tier != "none")
    return render(
        request, "clinician/triage.html", {"rows": rows, "rule": RULE, "labels": TIER_LABELS, "flagged": flagged}
    )


@router.get("/api/v1/triage", tags=["clinician"], response_model=TriagePublic, summary="Triage list")
def triage_api(db: DbSession, actor: Clinician) -> Response:
    """The clinician's team patients ordered by risk, each with the reasons; `rule` states the order."""
    body = TriagePublic(rule=RULE, patients=[TriageRowPublic.of(row) for row in triage(db, actor)])
    # Built and checked once here: a clinic has a thousand rows, which FastAPI would validate a second time.
    return Response(body.model_dump_json(), media_type="application/json")
