"""A case with a full record, made through the real services: the survivor, an alleged
perpetrator with contact details, a child and a witness, and free text everywhere that
names them, for the subject access exports to take apart."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any

import pytest
from django.utils import timezone

from safehold.accounts.models import Staff
from safehold.cases import inputs
from safehold.cases import services as case_services
from safehold.cases.models import Case, Person, PersonRole
from safehold.casework import contacts, interviews, letters, plan
from safehold.casework import services as casework_services
from safehold.evidence import services as evidence_services
from safehold.policy import vocabulary
from safehold.records import services
from safehold.records.models import SubjectAccessRequest
from safehold.risk import services as risk_services
from tests.casedata import PERPETRATOR_NAME, SURVIVOR_ADDRESS, SURVIVOR_NAME, SURVIVOR_PHONE
from tests.evidence import files

SURVIVOR_EMAIL = "zq.safe@example.org"
SAFE_TIMES = "Tuesday mornings, when Barnaby is at the gym"
PERPETRATOR_PHONE = "07700 900123"
PERPETRATOR_EMAIL = "b.oddsworth@example.net"
PERPETRATOR_ADDRESS = "4 Elmhurst Row, Southbay, SB4 7QT"
PERPETRATOR_TENANCY = "T-99001"
CHILD_NAME = "Peregrine Quattlebaum"
WITNESS_NAME = "Winifred Ashgrove"
WITNESS_PHONE = "07700 900555"
# What the alleged perpetrator and the witness said: never in the survivor's export.
PERPETRATOR_WORDS = "I was at my mother's all night and she knows it"
WITNESS_WORDS = "heard shouting through the wall at midnight"
INTERVIEW_NOTE = "Safe to interview at the area office with two officers present"
SUMMARY = (
    "Barnaby Oddsworth threatened Zephyrine at the door. He lives at 4 Elmhurst Row, "
    "Southbay, SB4 7QT and rang her from +44 7700 900123. The neighbour Winifred saw it."
)
# Everything of other people's that must never reach the survivor.
OTHERS = [
    PERPETRATOR_NAME,
    "Barnaby",
    "Oddsworth",
    PERPETRATOR_PHONE,
    "07700900123",
    "7700 900123",
    PERPETRATOR_EMAIL,
    PERPETRATOR_ADDRESS,
    "Elmhurst",
    "SB4 7QT",
    PERPETRATOR_TENANCY,
    "Peregrine",
    WITNESS_NAME,
    "Winifred",
    "Ashgrove",
    WITNESS_PHONE,
    PERPETRATOR_WORDS,
    WITNESS_WORDS,
    INTERVIEW_NOTE,
]
# Everything of the survivor's that must never reach the alleged perpetrator.
SURVIVORS = [
    SURVIVOR_NAME,
    "Zephyrine",
    "Quattlebaum",
    SURVIVOR_ADDRESS,
    "Wistmoor",
    SURVIVOR_PHONE,
    "07700900417",
    SURVIVOR_EMAIL,
    SAFE_TIMES,
    "T-55821",
    "1988",
    "threatened",
    "Peregrine",
    "mornings",
    "panic alarm",
    "Monitored",
]


# Safehold's own random identifiers (`cases.models.new_id`: a prefix and 20 hex digits;
# an API token's shown prefix): 80 random bits can hold a short needle such as the
# survivor's birth year "1988" by chance (about one run in two hundred for the audit
# details of a full case), which is no disclosure of hers. Taken out before looking.
RANDOM_IDS = re.compile(r"\b[a-z]+_[0-9a-f]{20}\b|\bshk_[A-Za-z0-9_-]{6}")


def absent(text: str, needles: list[str]) -> list[str]:
    """The needles found in `text`, compared without case: what must not be there.
    Safehold's random identifiers are taken out first (`RANDOM_IDS`); every other
    character of the text is searched."""
    folded = RANDOM_IDS.sub("", text).casefold()
    return [needle for needle in needles if needle.casefold() in folded]


def add_person(case: Case, role: str, **details: str) -> Person:
    return case_services.person_create(case=case, role=role, details=details)


@pytest.fixture
def full_case(open_case: Callable[..., Case], officer: Staff, manager: Staff) -> Case:
    case = open_case(
        survivor=inputs.SurvivorDetails(
            name=SURVIVOR_NAME,
            date_of_birth=date(1988, 4, 12),
            sex="female",
            address=SURVIVOR_ADDRESS,
            tenancy_ref="T-55821",
            safe_contact=inputs.SafeContact(
                phone=SURVIVOR_PHONE, email=SURVIVOR_EMAIL, safe_times=SAFE_TIMES, post_ok=True
            ),
        ),
        alleged_perpetrators=(),
        children=(inputs.ChildDetails(age=6, name=CHILD_NAME),),
        summary=SUMMARY,
        reported_at=timezone.now() - timedelta(days=3),
    )
    add_person(
        case,
        PersonRole.ALLEGED_PERPETRATOR,
        name=PERPETRATOR_NAME,
        phone=PERPETRATOR_PHONE,
        email=PERPETRATOR_EMAIL,
        address=PERPETRATOR_ADDRESS,
        tenancy_ref=PERPETRATOR_TENANCY,
    )
    add_person(case, PersonRole.WITNESS, name=WITNESS_NAME, phone=WITNESS_PHONE)
    record_casework(case, officer)
    interviews.interview_request(
        case=case, by=officer, survivor_agrees=True, safety_assessment=INTERVIEW_NOTE
    )
    return case


def record_casework(case: Case, officer: Staff) -> None:
    now = timezone.now()
    # The survivor's permission, without which nothing below reaches him (issue 16).
    casework_services.consent_record(
        case=case, by=officer, purpose="contact_alleged_perpetrator", given=True
    )
    case_services.incident_add(
        case=case,
        by=officer,
        source="self",
        abuse_types=tuple(case.abuse_types),
        summary="BARNABY came back and shouted; Peregrine was at school",
    )
    contact = {"case": case, "by": officer, "channel": "phone", "direction": "outbound"}
    contacts.contact_record(
        **contact,
        at=now - timedelta(hours=5),
        with_whom="survivor",
        notes="Zephyrine says oddsworth texted from 07700900123 and b.oddsworth@example.net",
    )
    contacts.contact_record(
        **contact,
        at=now - timedelta(hours=4),
        with_whom="alleged_perpetrator",
        notes=PERPETRATOR_WORDS,
    )
    contacts.contact_record(
        **contact, at=now - timedelta(hours=3), with_whom="other", notes=WITNESS_WORDS
    )
    plan.action_add(
        case=case,
        by=officer,
        kind="security_measure",
        measure="panic_alarm",
        detail="Monitored panic alarm; Barnaby Oddsworth must not learn of it",
        agreed_with_survivor=True,
    )
    plan.review_record(case=case, by=officer, notes="Winifred Ashgrove may give a statement")
    risk_services.assessment_create(
        case=case,
        by=officer,
        tool_id="dash-ric",
        answers={f"q{n}": "yes" if n < 4 else "no" for n in range(1, 25)},
        notes={"q1": "Barnaby has a knife"},
        sources={"q1": "Winifred"},
    )
    casework_services.consent_record(
        case=case, by=officer, agency="idva", purpose="referral", given=True
    )
    casework_services.referral_make(case=case, by=officer, agency="idva", reason="Support")
    letters.letter_create(case=case, by=officer, kind="acknowledgement", recipient="survivor")
    letters.letter_create(
        case=case, by=officer, kind="warning", recipient="alleged_perpetrator", channel="by_hand"
    )
    evidence_services.evidence_add(
        case=case,
        by=officer,
        upload=files.upload(files.png(), "oddsworth door.png"),
        description="The door Barnaby broke",
    )


@pytest.fixture
def prepare(director: Staff, da_lead: Staff) -> Callable[..., SubjectAccessRequest]:
    """Takes a logged request to where it may be exported: its requester's identity
    checked by a handler other than the one who logged it, and its cases confirmed (the
    case it was made on, and each of `include`)."""

    def prepare(
        request: SubjectAccessRequest, include: tuple[Case, ...] = (), by: Staff | None = None
    ) -> SubjectAccessRequest:
        checker = director if request.logged_by_id != director.pk else da_lead
        services.subject_access_verify(
            request=request, by=checker, method="photo_id_in_person", notes="Passport seen"
        )
        services.subject_access_cases_confirm(
            request=request, by=by or request.logged_by, case_ids=[c.pk for c in include]
        )
        return SubjectAccessRequest.objects.get(pk=request.pk)

    return prepare


@pytest.fixture
def log_request(da_lead: Staff, prepare) -> Callable[..., SubjectAccessRequest]:
    """Logs a request (by the DA lead unless `by` is given) and, unless `ready=False`,
    prepares it for export (`prepare`, with `include`)."""

    def log(case: Case, role: str = "survivor", by: Staff | None = None, **more: Any):
        ready = more.pop("ready", True)
        include = more.pop("include", ())
        request = services.subject_access_log(
            case=case,
            by=by or da_lead,
            person_role=role,
            received_at=more.pop("received_at", timezone.now() - timedelta(days=1)),
            notes=more.pop("notes", "Identity checked against her tenancy file"),
            **more,
        )
        return prepare(request, include) if ready else request

    return log


def close(case: Case, closed_at: datetime) -> None:
    """Closes a case as the closure service will (safehold/closure is written
    separately): status, time and a reason from API.md's vocabulary."""
    Case.objects.filter(pk=case.pk).update(
        status="closed", closed_at=closed_at, closure_reason=vocabulary.CLOSURE_REASONS[0]
    )
