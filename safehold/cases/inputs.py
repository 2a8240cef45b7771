"""What a report says, as the intake service takes it from the web form or the API."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime


@dataclass(frozen=True)
class Diversity:
    ethnicity: str = ""
    disability: str = ""
    sexual_orientation: str = ""
    gender_identity: str = ""
    religion: str = ""


@dataclass(frozen=True)
class SafeContact:
    phone: str = ""
    email: str = ""
    safe_times: str = ""
    voicemail_ok: bool | None = None
    post_ok: bool | None = None


@dataclass(frozen=True)
class SurvivorDetails:
    name: str = ""
    date_of_birth: date | None = None
    sex: str = ""
    address: str = ""
    tenancy_ref: str = ""
    is_staff_member: bool = False
    safe_contact: SafeContact = field(default_factory=SafeContact)
    diversity: Diversity = field(default_factory=Diversity)
    person_id: str = ""


@dataclass(frozen=True)
class PerpetratorDetails:
    name: str = ""
    sex: str = ""
    relationship: str = "other"
    is_resident: bool | None = None
    tenancy_ref: str = ""
    diversity: Diversity = field(default_factory=Diversity)
    # His postal address, when known: a letter to him by post needs it.
    address: str = ""
    # True: a tenant of the provider; False: not; None: not known (no tenancy wording).
    is_tenant: bool | None = None


@dataclass(frozen=True)
class ChildDetails:
    age: int | None = None
    name: str = ""


@dataclass(frozen=True)
class Requests:
    # True: asked for an officer of their own sex; False: offered one and declined;
    # None: not asked.
    same_sex_officer: bool | None = None
    interpreter_language: str = ""
    childcare: bool = False
    interview_venue: str = ""


@dataclass(frozen=True)
class Report:
    source: str
    survivor: SurvivorDetails
    reported_at: datetime | None = None
    team: str = ""
    alleged_perpetrators: tuple[PerpetratorDetails, ...] = ()
    children: tuple[ChildDetails, ...] = ()
    abuse_types: tuple[str, ...] = ()
    summary: str = ""
    requests: Requests = field(default_factory=Requests)
    separate_case_reason: str = ""
    # The severity judged when the report was received ("standard", "medium", "high"),
    # where the policy sets response targets by it; None: not judged.
    severity: str | None = None
