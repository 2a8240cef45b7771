"""The monitoring figures (API.md §5 "Audit and reports"): counts over the cases reported
in a period, in a scope.

Every figure is an aggregate query over unencrypted statistical columns (dates, ids from
API.md's vocabularies, levels, outcomes, coarse diversity bands). Nothing here decrypts
or loads a case into Python: the cost is a fixed number of queries whatever the number
of cases, and the figures stay countable after a case is erased."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Avg, Count, F, Q, QuerySet
from django.db.models import Window as Ranking
from django.db.models.functions import RowNumber

from safehold.cases.models import Case, CaseAbuseType, Person, PersonRole, RiskLevel, Source
from safehold.closure.models import Appeal, AppealOutcome, Feedback, FeedbackKind
from safehold.policy.schema import Policy
from safehold.policy.vocabulary import CLOSURE_REASONS
from safehold.reports.period import Period
from safehold.reports.scope import Scope

NOT_RECORDED = "not_recorded"
NOT_ASSESSED = "not_assessed"
SURVIVOR_FIELDS = (
    "sex",
    "age_band",
    "ethnicity",
    "disability",
    "sexual_orientation",
    "gender_identity",
    "religion",
)
PERPETRATOR_FIELDS = (
    "sex",
    "ethnicity",
    "disability",
    "sexual_orientation",
    "gender_identity",
    "religion",
)


@dataclass(frozen=True)
class Window:
    """What the figures are over: a period, a scope, and the moment "pending" is judged."""

    period: Period
    scope: Scope
    now: datetime

    def cases(self) -> QuerySet[Case]:
        return Case.objects.filter(self.on_cases(""))

    def on_cases(self, path: str = "case__") -> Q:
        """The condition on rows whose case (reached by `path`) is in the window. Rows of
        other tables filter through the join rather than `case__in=<cases>`, which
        PostgreSQL answered with a scan of every case ever reported."""
        condition = Q(
            **{
                f"{path}reported_at__gte": self.period.starts_at,
                f"{path}reported_at__lt": self.period.ends_before,
            }
        )
        if self.scope.team:
            condition &= Q(**{f"{path}team": self.scope.team})
        return condition


def monitoring_figures(window: Window, policy: Policy) -> dict[str, Any]:
    """Every figure of API.md's monitoring report, unsuppressed."""
    cases = window.cases()
    totals = cases.aggregate(
        reports=Count("id"),
        individuals=Count("survivor_identity", distinct=True),
        repeat_reports=Count("id", filter=Q(repeat=True)),
        **response_counts(window.now),
    )
    met, missed = totals["met"], totals["missed"]
    return {
        "reports": totals["reports"],
        "individuals": totals["individuals"],
        "repeat_reports": totals["repeat_reports"],
        "by_abuse_type": by_abuse_type(window, policy),
        "by_source": grouped(cases, "source", Source.values),
        "by_risk_level": by_risk_level(cases),
        "response": {
            "met": met,
            "missed": missed,
            "pending": totals["pending"],
            "rate": met / (met + missed) if met + missed else None,
        },
        "outcomes": grouped(cases.filter(status="closed"), "closure_reason", CLOSURE_REASONS),
        "satisfaction": satisfaction(window),
        "diversity": {
            "survivors": survivor_diversity(window),
            "alleged_perpetrators": perpetrator_diversity(window),
        },
        "appeals": Appeal.objects.filter(window.on_cases(), stage=1).count(),
        "appeal_outcomes": appeal_outcomes(window),
    }


def response_counts(now: datetime) -> dict[str, Count]:
    """API.md's response status as three conditional counts over one scan."""
    contacted = Q(first_contact_at__isnull=False)
    return {
        "met": Count("id", filter=contacted & Q(first_contact_at__lte=F("response_due_at"))),
        "missed": Count(
            "id",
            filter=(contacted & Q(first_contact_at__gt=F("response_due_at")))
            | Q(first_contact_at__isnull=True, response_due_at__lt=now),
        ),
        "pending": Count("id", filter=Q(first_contact_at__isnull=True, response_due_at__gte=now)),
    }


def grouped(rows: QuerySet[Any], field: str, keys: tuple[str, ...] | list[str]) -> dict[str, int]:
    """Counts by the values of one column, every expected key present (0 when none)."""
    counts = dict.fromkeys(keys, 0)
    for value, n in rows.values_list(field).annotate(n=Count("pk")).order_by():
        counts[value or NOT_RECORDED] = counts.get(value or NOT_RECORDED, 0) + n
    return counts


def by_abuse_type(window: Window, policy: Policy) -> dict[str, int]:
    """Cases reporting each kind; a case reporting several counts under each."""
    rows = CaseAbuseType.objects.filter(window.on_cases())
    return grouped(rows, "abuse_type", list(policy.definitions.abuse_types))


def by_risk_level(cases: QuerySet[Case]) -> dict[str, int]:
    counts = dict.fromkeys([*RiskLevel.values, NOT_ASSESSED], 0)
    for level, n in cases.values_list("risk_level").annotate(n=Count("pk")).order_by():
        counts[level or NOT_ASSESSED] += n
    return counts


def satisfaction(window: Window) -> dict[str, Any]:
    """Scores given after closure on the period's cases; complaints and praise too."""
    found = Feedback.objects.filter(window.on_cases()).aggregate(
        responses=Count("id", filter=Q(satisfaction__isnull=False)),
        mean=Avg("satisfaction"),
        complaints=Count("id", filter=Q(kind=FeedbackKind.COMPLAINT)),
        praise=Count("id", filter=Q(kind=FeedbackKind.PRAISE)),
    )
    mean = found["mean"]
    return {**found, "mean": float(mean) if mean is not None else None}


def appeal_outcomes(window: Window) -> dict[str, int]:
    """Each appeal by its final state: the outcome of its last stage, or `undecided`."""
    appeals = Appeal.objects.filter(window.on_cases(), escalated_to__isnull=True)
    counts = grouped(appeals, "outcome", [*AppealOutcome.values, NOT_RECORDED])
    counts["undecided"] = counts.pop(NOT_RECORDED)
    return counts


def diversity_counts(rows: QuerySet[Person], fields: tuple[str, ...]) -> dict[str, dict[str, int]]:
    """Counts by each field's band, from one grouped query over all the fields."""
    counts: dict[str, Counter[str]] = {field: Counter() for field in fields}
    for group in rows.values(*fields).annotate(n=Count("pk")).order_by():
        for field in fields:
            counts[field][group[field] or NOT_RECORDED] += group["n"]
    return {field: dict(sorted(counter.items())) for field, counter in counts.items()}


def survivor_diversity(window: Window) -> dict[str, dict[str, int]]:
    """Each survivor once, as recorded on her latest case in the period: her people rows
    ranked newest first within her identity, in one scan (ROW_NUMBER(), not a lookup per
    person; docs/performance.md)."""
    ranked = Person.objects.filter(window.on_cases(), role=PersonRole.SURVIVOR).annotate(
        latest=Ranking(
            RowNumber(),
            partition_by=F("case__survivor_identity"),
            order_by=[F("case__reported_at").desc(), F("case_id").desc()],
        )
    )
    return diversity_counts(ranked.filter(latest=1), SURVIVOR_FIELDS)


def perpetrator_diversity(window: Window) -> dict[str, dict[str, int]]:
    """Each alleged perpetrator once: one named on several cases (the same keyed name
    index) as on the latest of them; one with no name given, once per case."""
    people = Person.objects.filter(window.on_cases(), role=PersonRole.ALLEGED_PERPETRATOR)
    ranked = people.exclude(name_index="").annotate(
        latest=Ranking(
            RowNumber(),
            partition_by=F("name_index"),
            order_by=[F("case__reported_at").desc(), F("id").desc()],
        )
    )
    named = diversity_counts(ranked.filter(latest=1), PERPETRATOR_FIELDS)
    unnamed = diversity_counts(people.filter(name_index=""), PERPETRATOR_FIELDS)
    return {
        field: dict(sorted((Counter(named[field]) + Counter(unnamed[field])).items()))
        for field in PERPETRATOR_FIELDS
    }
