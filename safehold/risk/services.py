"""Writes of risk assessments: the API's one-shot assessment and the web's
section-by-section one share `outcome_of` and `assessment_finish`."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from safehold.accounts.models import Staff
from safehold.cases import followups, sealing
from safehold.cases.models import Case, new_id
from safehold.cases.training import check_trained
from safehold.casework.selectors import marac_referrals_sent
from safehold.errors import Refusal
from safehold.policy import clock
from safehold.policy.loader import active_policy
from safehold.policy.schema import Policy
from safehold.privacy import audit
from safehold.risk import tools
from safehold.risk.models import AssessmentStatus, RiskAssessment


@dataclass(frozen=True)
class Outcome:
    score: int
    level: str
    marac_reasons: tuple[str, ...]

    @property
    def marac_referral_recommended(self) -> bool:
        return bool(self.marac_reasons)


def tool_named(tool_id: str) -> tools.RiskTool:
    try:
        return tools.tool_by_id(tool_id)
    except tools.UnknownRiskTool:
        raise Refusal(
            "unknown_risk_tool", f"There is no risk tool called {tool_id}", field="tool"
        ) from None


def check_answers(tool: tools.RiskTool, answers: Mapping[str, str]) -> None:
    unknown = sorted(set(answers) - set(tools.question_ids(tool)))
    if unknown:
        raise Refusal(
            "unknown_question", f"{tool.id} has no question {', '.join(unknown)}", field="answers"
        )
    allowed = tools.answer_ids(tool)
    wrong = sorted(q for q, answer in answers.items() if answer not in allowed)
    if wrong:
        raise Refusal(
            "invalid_answer",
            f"Answer {', '.join(wrong)} with one of: {', '.join(allowed)}",
            field="answers",
        )


def check_complete(tool: tools.RiskTool, answers: Mapping[str, str]) -> None:
    missing = [q for q in tools.question_ids(tool) if q not in answers]
    if missing:
        raise Refusal(
            "answers_missing",
            f"Answer every question ('unknown' is always allowed); missing: {', '.join(missing)}",
            field="answers",
        )


def outcome_of(
    *,
    policy: Policy,
    tool: tools.RiskTool,
    case: Case,
    answers: Mapping[str, str],
    professional_judgement: bool,
    police_callouts: int,
    at: datetime,
) -> Outcome:
    """The score, level and MARAC reasons (API.md §5 "Risk")."""
    score = tools.score(tool, answers)
    reasons = []
    if tools.marac_high_risk(tool, score):
        reasons.append("visible_high_risk")
    if professional_judgement:
        reasons.append("professional_judgement")
    if police_callouts >= policy.marac.potential_escalation_callouts:
        reasons.append("potential_escalation")
    if referred_to_marac_within(policy, case, at):
        reasons.append("repeat")
    return Outcome(score, tools.level_for(tool, score), tuple(reasons))


def referred_to_marac_within(policy: Policy, case: Case, at: datetime) -> bool:
    since = clock.marac_repeat_window_start(policy, at)
    return marac_referrals_sent(
        survivor_identity_id=case.survivor_identity_id, since=since, before=at
    ).exists()


def locked_open(case: Case) -> Case:
    case = Case.objects.select_for_update().select_related("data_key").get(pk=case.pk)
    if case.status != "open":
        raise Refusal("case_not_open", "Only an open case can be assessed", status=409)
    return case


def sealed_record(case: Case, assessment: RiskAssessment, record: dict[str, Any]) -> None:
    assessment.sealed = sealing.seal(case.data_key, assessment, record)


def empty_record() -> dict[str, dict[str, str]]:
    return {"answers": {}, "notes": {}, "sources": {}}


@transaction.atomic
def assessment_create(
    *,
    case: Case,
    by: Staff,
    tool_id: str,
    answers: Mapping[str, str],
    professional_judgement: bool = False,
    police_callouts: int = 0,
    notes: Mapping[str, str] | None = None,
    sources: Mapping[str, str] | None = None,
    now: datetime | None = None,
) -> RiskAssessment:
    """A complete assessment in one go (the API)."""
    tool = tool_named(tool_id)
    check_answers(tool, answers)
    check_complete(tool, answers)
    assessment = assessment_start(case=case, by=by, tool_id=tool_id, now=now)
    record = {"answers": dict(answers), "notes": dict(notes or {}), "sources": dict(sources or {})}
    return assessment_finish(
        assessment=assessment,
        by=by,
        record=record,
        professional_judgement=professional_judgement,
        police_callouts=police_callouts,
        now=now,
    )


@transaction.atomic
def assessment_start(
    *, case: Case, by: Staff, tool_id: str, now: datetime | None = None
) -> RiskAssessment:
    check_trained(by, doing="risk assessments")
    tool = tool_named(tool_id)
    case = locked_open(case)
    assessment = RiskAssessment(
        id=new_id("risk"),
        case=case,
        tool_id=tool.id,
        tool_version=tool.version_hash,
        status=AssessmentStatus.IN_PROGRESS,
        started_by=by,
        started_at=now or timezone.now(),
    )
    sealed_record(case, assessment, empty_record())
    assessment.save(force_insert=True)
    audit.record(
        actor=by.username,
        action="risk.started",
        target_type="case",
        target_id=case.pk,
        detail={"assessment": assessment.pk, "tool": tool.id},
    )
    return assessment


def assessment_record(assessment: RiskAssessment) -> dict[str, dict[str, str]]:
    return sealing.unseal(assessment.case.data_key, assessment)


@transaction.atomic
def section_answers_save(
    *,
    assessment: RiskAssessment,
    by: Staff,
    section_id: str,
    answers: Mapping[str, str],
    notes: Mapping[str, str],
    sources: Mapping[str, str],
) -> RiskAssessment:
    """Saves one section's answers as the officer goes."""
    assessment = in_progress(assessment)
    tool = tool_named(assessment.tool_id)
    section = tools.section_by_id(tool, section_id)
    expected = [question.id for question in section.questions]
    check_answers(tool, answers)
    missing = [q for q in expected if q not in answers]
    if missing:
        raise Refusal(
            "answers_missing", "Answer each question, or choose Don't know", field=missing[0]
        )
    record = assessment_record(assessment)
    for name, values in (("answers", answers), ("notes", notes), ("sources", sources)):
        record[name].update({q: values[q] for q in expected if q in values})
    sealed_record(assessment.case, assessment, record)
    assessment.save(update_fields=["sealed"])
    audit.record(
        actor=by.username,
        action="risk.section_saved",
        target_type="case",
        target_id=assessment.case_id,
        detail={"assessment": assessment.pk, "section": section_id},
    )
    return assessment


def in_progress(assessment: RiskAssessment) -> RiskAssessment:
    locked = (
        RiskAssessment.objects.select_for_update()
        .select_related("case", "case__data_key")
        .get(pk=assessment.pk)
    )
    if locked.status != AssessmentStatus.IN_PROGRESS:
        raise Refusal("assessment_complete", "This assessment is already complete", status=409)
    return locked


@transaction.atomic
def assessment_complete(
    *,
    assessment: RiskAssessment,
    by: Staff,
    professional_judgement: bool,
    police_callouts: int,
    now: datetime | None = None,
) -> RiskAssessment:
    """Finishes a section-by-section assessment once every question has an answer."""
    assessment = in_progress(assessment)
    record = assessment_record(assessment)
    check_complete(tool_named(assessment.tool_id), record["answers"])
    return assessment_finish(
        assessment=assessment,
        by=by,
        record=record,
        professional_judgement=professional_judgement,
        police_callouts=police_callouts,
        now=now,
    )


def assessment_finish(
    *,
    assessment: RiskAssessment,
    by: Staff,
    record: dict[str, Any],
    professional_judgement: bool,
    police_callouts: int,
    now: datetime | None,
) -> RiskAssessment:
    """Scores the assessment; the case's risk level follows it, and where the policy sets
    a response target per risk level, a case not yet contacted may have its deadline
    brought forward to that target (never later, never once passed)."""
    check_trained(by, doing="risk assessments")
    now = now or timezone.now()
    policy = active_policy()
    case = locked_open(assessment.case)
    if police_callouts < 0:  # not-policy: an input check, not a MARAC threshold
        raise Refusal(
            "invalid_callouts",
            "Police call-outs cannot be negative",
            field="police_callouts_last_12_months",
        )
    result = outcome_of(
        policy=policy,
        tool=tool_named(assessment.tool_id),
        case=case,
        answers=record["answers"],
        professional_judgement=professional_judgement,
        police_callouts=police_callouts,
        at=now,
    )
    assessment.status = AssessmentStatus.COMPLETE
    assessment.score, assessment.level = result.score, result.level
    assessment.professional_judgement = professional_judgement
    assessment.police_callouts_last_12_months = police_callouts
    assessment.marac_reasons = list(result.marac_reasons)
    assessment.marac_referral_recommended = result.marac_referral_recommended
    assessment.completed_at = now
    sealed_record(case, assessment, record)
    assessment.save()
    case.risk_level, case.last_assessed_at = result.level, now
    if case.first_contact_at is None:  # once contacted, the response is settled
        case.response_due_at = clock.response_due_after_assessment(
            policy,
            due_at=case.response_due_at,
            reported_at=case.reported_at,
            risk_level=result.level,  # type: ignore[arg-type]
            assessed_at=now,
        )
    case.save(update_fields=["risk_level", "last_assessed_at", "response_due_at"])
    audit.record(
        actor=by.username,
        action="risk.assessed",
        target_type="case",
        target_id=case.pk,
        detail={
            "assessment": assessment.pk,
            "level": result.level,
            # Not `repeat`: managers read the trail of a case whose earlier referral
            # they may not see (docs/security.md "Oracles"); the assessment keeps it.
            "marac_reasons": [r for r in result.marac_reasons if r != "repeat"],
        },
    )
    followups.run(followups.Event.ASSESSMENT, case=case, by=by, now=now)
    return assessment
