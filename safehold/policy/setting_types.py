"""The typed building blocks of policy settings: ids from a vocabulary, counts, lists.

Each type carries its own check and a message that names what is wrong in the words of
the policy file, so the loader can report every problem against its setting.
"""

from __future__ import annotations

import re
from datetime import time
from typing import Annotated, TypeVar

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
)
from pydantic_core import PydanticCustomError

from safehold.policy.toml_files import key_error
from safehold.policy.vocabulary import (
    ABUSE_TYPES,
    CLOSURE_REASONS,
    DECISION_ROLES,
    DISCLOSURE_GROUNDS,
    MONITORING_FIELDS,
    PARTIES,
    ROLES,
    AbuseType,
    ClosureReason,
    DecisionRole,
    DisclosureGround,
    MonitoringField,
    Party,
)

T = TypeVar("T")


def setting_error(setting: str, message: str) -> PydanticCustomError:
    """An error about `setting`, a path below the model that raises it.

    A model-level check cannot point pydantic at one of its fields, so it names the
    field here and the loader joins it onto the model's own path.
    """
    return key_error(setting, message)


def _one_of(kind: str, allowed: tuple[str, ...]) -> BeforeValidator:
    """Refuse an id outside a vocabulary with a message that says what it is."""

    def check(value: object) -> object:
        if isinstance(value, str) and value not in allowed:
            raise PydanticCustomError(
                "unknown_id",
                "unknown {kind} '{value}'; use one of: {allowed}",
                {"kind": kind, "value": value, "allowed": ", ".join(allowed)},
            )
        return value

    return BeforeValidator(check)


def _decision_role(value: object) -> object:
    if isinstance(value, str) and value not in ROLES:
        raise PydanticCustomError(
            "unknown_id",
            "unknown role '{value}'; use one of: {allowed}",
            {"value": value, "allowed": ", ".join(ROLES)},
        )
    if isinstance(value, str) and value not in DECISION_ROLES:
        raise PydanticCustomError(
            "role_not_allowed",
            "the role '{value}' cannot take this decision; use one of: {allowed}",
            {"value": value, "allowed": ", ".join(DECISION_ROLES)},
        )
    return value


def _list_as_tuple(value: object) -> object:
    # TOML arrays arrive as lists; the models keep tuples so a shared policy is immutable.
    return tuple(value) if isinstance(value, list) else value


def _no_repeats(values: tuple[T, ...]) -> tuple[T, ...]:
    repeated = sorted({str(v) for v in values if values.count(v) > 1})
    if repeated:
        raise PydanticCustomError(
            "repeated", "lists {repeated} more than once", {"repeated": ", ".join(repeated)}
        )
    return values


def _clock_time(value: object) -> object:
    """Accept a TOML local time (`17:00:00`) or the friendlier text "17:00"."""
    if isinstance(value, str) and re.fullmatch(r"\d{1,2}:\d{2}", value):
        hours, minutes = (int(part) for part in value.split(":"))
        if hours < 24 and minutes < 60:
            return time(hours, minutes)
    return value


# List settings: a TOML array in, a tuple out, no id listed twice.
AS_TUPLE = BeforeValidator(_list_as_tuple)
UNIQUE = AfterValidator(_no_repeats)

KnownDecisionRole = Annotated[DecisionRole, BeforeValidator(_decision_role)]
DecisionRoles = Annotated[tuple[KnownDecisionRole, ...], AS_TUPLE, UNIQUE, Field(min_length=1)]
KnownAbuseType = Annotated[AbuseType, _one_of("abuse type", ABUSE_TYPES)]
KnownClosureReason = Annotated[ClosureReason, _one_of("closure reason", CLOSURE_REASONS)]
KnownGround = Annotated[DisclosureGround, _one_of("disclosure ground", DISCLOSURE_GROUNDS)]
KnownParty = Annotated[Party, _one_of("party", PARTIES)]
KnownMonitoringField = Annotated[MonitoringField, _one_of("monitoring field", MONITORING_FIELDS)]
Parties = Annotated[tuple[KnownParty, ...], AS_TUPLE, UNIQUE]
ClockTime = Annotated[time, BeforeValidator(_clock_time)]
# A count of hours, days or months. Never negative or zero; the ceiling only stops a
# typo (an extra zero) from producing a deadline decades away.
Count = Annotated[int, Field(ge=1, le=1000)]
Text = Annotated[str, StringConstraints(min_length=1, max_length=200)]
Texts = Annotated[tuple[Text, ...], AS_TUPLE, UNIQUE]
Slug = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$", max_length=60)]
PhoneNumber = Annotated[str, StringConstraints(pattern=r"^\+?[0-9][0-9 ]{1,18}[0-9]$")]
Quote = Annotated[str, StringConstraints(min_length=1, max_length=600)]


class PolicyModel(BaseModel):
    """Settings tables: unknown keys refused, types strict, the result immutable."""

    model_config = ConfigDict(
        extra="forbid", frozen=True, strict=True, use_attribute_docstrings=True
    )
