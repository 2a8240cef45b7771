"""`POST /cases/{id}/risk-assessments` (API.md §5 "Risk")."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router, Status

from safehold.api.cases import staff, utc
from safehold.api.schemas import RiskAssessmentIn, RiskAssessmentOut, problems
from safehold.cases import access
from safehold.risk import selectors as risk_selectors
from safehold.risk import services

router = Router(tags=["risk"])


@router.post(
    "/{case_id}/risk-assessments",
    response={201: RiskAssessmentOut, **problems(409, 422)},
    summary="Record a completed risk assessment; the case's risk level follows the latest",
)
def assessment_create(
    request: HttpRequest, case_id: str, body: RiskAssessmentIn
) -> Status[dict[str, Any]]:
    user = staff(request)
    case = access.case_for(user, case_id)
    assessment = services.assessment_create(
        case=case,
        by=user,
        tool_id=body.tool,
        answers=body.answers,
        professional_judgement=body.professional_judgement,
        police_callouts=body.police_callouts_last_12_months,
    )
    risk_selectors.seen_by(user, [assessment])
    return Status(
        201,
        {
            "id": assessment.pk,
            "tool": assessment.tool_id,
            "score": assessment.score,
            "level": assessment.level,
            "marac_referral_recommended": assessment.marac_referral_recommended,
            "marac_reasons": assessment.marac_reasons,
            "completed_at": utc(assessment.completed_at),
        },
    )
