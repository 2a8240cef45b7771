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
from typing import Any, TypeVar

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Avg, Count, F, Model, Q, QuerySet
from django.db.models import Window as Ranking
from django.db.models.functions import RowNumber

from safehold.cases.models import Case, CaseAbuseType, Person, PersonRole, RiskLevel, Source
from safehold.casework.models import Action, ActionKind, ActionStatus
from safehold.closure.models import Appeal, AppealOutcome, Feedback, FeedbackKind
from safehold.policy.schema import Policy
from safehold.policy.vocabulary import CLOSURE_REASONS
from safehold.reports.period import Period
from safehold.reports.scope import Scope
from safehold.reports.unseen import repeats_through_unseen

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
Row = TypeVar("Row", bound=Model)


@dataclass(frozen=True)
class Window:
    """What the figures are over: a period, a scope, and the moment "pending" is judged."""

    period: Period
    scope: Scope
    now: datetime
    # The reader's cases (reports/unseen.py): None for every case (no reader, as in the
    # checks against synthetic data); `unseen` the ids of the period's cases in the scope
    # the reader may not see, left out of every figure here.
    seen: Q | None = None
    unseen: tuple[str, ...] = ()
    # The database the figures are read from: the replica's alias when there is one
    # (reports/routers.py). Every query of the figures starts from `rows()`.
    using: str = DEFAULT_DB_ALIAS

    def rows(self, model: type[Row]) -> QuerySet[Row]:
        return model._default_manager.using(self.using)

    def cases(self) -> QuerySet[Case]:
        return self.rows(Case).filter(self.on_cases(""))

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
        if self.unseen:
            condition &= ~Q(**{f"{path}pk__in": self.unseen})
        return condition

    def on_people(self) -> Q:
        """The condition on people whose case is in the window, through the copies of
        the case's columns each person carries (Person.case_reported_at, case_team)."""
        condition = Q(
            case_reported_at__gte=self.period.starts_at,
            case_reported_at__lt=self.period.ends_before,
        )
        if self.scope.team:
            condition &= Q(case_team=self.scope.team)
        if self.unseen:
            condition &= ~Q(case_id__in=self.unseen)
        return condition


def monitoring_figures(window: Window, policy: Policy) -> dict[str, Any]:
    """Every figure of API.md's monitoring report, unsuppressed (API.md's keys whatever
    the policy lists: the contract), with `monitoring_fields`, the figures the policy
    reports, and the figures beyond API.md (`action_taken`) only where it lists them."""
    case_level = case_figures(window)
    listed = policy.monitoring.fields
    beyond = {"action_taken": action_taken(window)} if "action_taken" in listed else {}
    return {
        "monitoring_fields": list(policy.monitoring.fields),
        "reports": case_level.reports,
        "individuals": window.cases().aggregate(n=Count("survivor_identity", distinct=True))["n"],
        "repeat_reports": case_level.repeat_reports - repeats_unseen(window, policy),
        "by_abuse_type": by_abuse_type(window, policy),
        "by_source": case_level.by("source", Source.values, NOT_RECORDED),
        "by_risk_level": case_level.by("risk_level", RiskLevel.values, NOT_ASSESSED),
        "response": case_level.response(),
        "outcomes": case_level.by("closure_reason", CLOSURE_REASONS, NOT_RECORDED, closed=True),
        "satisfaction": satisfaction(window),
        "diversity": {
            "survivors": survivor_diversity(window),
            "alleged_perpetrators": perpetrator_diversity(window),
        },
        "appeals": window.rows(Appeal).filter(window.on_cases(), stage=1).count(),
        "appeal_outcomes": appeal_outcomes(window),
        **beyond,
    }


def repeats_unseen(window: Window, policy: Policy) -> int:
    """The reader's cases that are repeats only through a case they may not see."""
    if window.seen is None:
        return 0
    return repeats_through_unseen(window.cases(), window.period, window.seen, policy)


CASE_GROUPS = ("source", "risk_level", "status", "closure_reason")


@dataclass(frozen=True)
class CaseFigures:
    """The figures about the cases themselves, added up from one grouped scan of the
    period's cases (by source, risk level, status and closure reason: a few hundred
    groups at most) rather than one scan per figure (docs/performance.md)."""

    groups: list[dict[str, Any]]

    @property
    def reports(self) -> int:
        return sum(group["reports"] for group in self.groups)

    @property
    def repeat_reports(self) -> int:
        return sum(group["repeat_reports"] for group in self.groups)

    def by(
        self, field: str, keys: tuple[str, ...] | list[str], blank: str, *, closed: bool = False
    ) -> dict[str, int]:
        """Counts by the values of one column, every expected key present (0 when none);
        `closed` counts closed cases only."""
        counts = dict.fromkeys([*keys, *([blank] if blank == NOT_ASSESSED else [])], 0)
        for group in self.groups:
            if closed and group["status"] != "closed":
                continue
            key = group[field] or blank
            counts[key] = counts.get(key, 0) + group["reports"]
        return counts

    def response(self) -> dict[str, Any]:
        met, missed, pending = (sum(g[key] for g in self.groups) for key in RESPONSE_KEYS)
        return {
            "met": met,
            "missed": missed,
            "pending": pending,
            "rate": met / (met + missed) if met + missed else None,
        }


RESPONSE_KEYS = ("met", "missed", "pending")


def case_figures(window: Window) -> CaseFigures:
    groups = (
        window.cases()
        .values(*CASE_GROUPS)
        .annotate(
            reports=Count("id"),
            repeat_reports=Count("id", filter=Q(repeat=True)),
            **response_counts(window.now),
        )
        .order_by()
    )
    return CaseFigures(list(groups))


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
    """Cases reporting each kind; a case reporting several counts under each. Every kind
    the policy names is listed (0 included), then any other kind of the vocabulary that
    was reported (a report is accepted whatever kind it describes), in the order a
    report offers them."""
    rows = window.rows(CaseAbuseType).filter(window.on_cases())
    counts = grouped(rows, "abuse_type", list(policy.definitions.abuse_types))
    order: dict[str, int] = {kind: n for n, (kind, _) in enumerate(policy.abuse_type_choices())}
    return dict(sorted(counts.items(), key=lambda item: order.get(item[0], len(order))))


def satisfaction(window: Window) -> dict[str, Any]:
    """Scores given after closure on the period's cases; complaints and praise too."""
    found = (
        window.rows(Feedback)
        .filter(window.on_cases())
        .aggregate(
            responses=Count("id", filter=Q(satisfaction__isnull=False)),
            mean=Avg("satisfaction"),
            complaints=Count("id", filter=Q(kind=FeedbackKind.COMPLAINT)),
            praise=Count("id", filter=Q(kind=FeedbackKind.PRAISE)),
        )
    )
    mean = found["mean"]
    return {**found, "mean": float(mean) if mean is not None else None}


ACTION_STATES = (ActionStatus.DONE.value, ActionStatus.OPEN.value, ActionStatus.CANCELLED.value)


def action_taken(window: Window) -> dict[str, dict[str, int]]:
    """The actions on the period's cases, by kind (every kind listed, 0 included), each
    counted as done, open or cancelled now: one grouped query."""
    counts = {kind: dict.fromkeys(ACTION_STATES, 0) for kind in ActionKind.values}
    rows = window.rows(Action).filter(window.on_cases()).values_list("kind", "status")
    for kind, status, n in rows.annotate(n=Count("pk")).order_by():
        if kind in counts and status in counts[kind]:
            counts[kind][status] = n
    return counts


def appeal_outcomes(window: Window) -> dict[str, int]:
    """Each appeal by its final state: the outcome of its last stage, or `undecided`."""
    appeals = window.rows(Appeal).filter(window.on_cases(), escalated_to__isnull=True)
    counts = grouped(appeals, "outcome", [*AppealOutcome.values, NOT_RECORDED])
    counts["undecided"] = counts.pop(NOT_RECORDED)
    return counts


def diversity_counts(rows: QuerySet[Person], fields: tuple[str, ...]) -> dict[str, dict[str, int]]:
    """Counts by each field's band, from one grouped query over all the fields."""
    counts: dict[str, Counter[str]] = {field: Counter() for field in fields}
    for group in grouped_rows(rows, fields):
        for field, band in zip(fields, group, strict=False):
            counts[field][band or NOT_RECORDED] += group[-1]
    return {field: dict(sorted(counter.items())) for field, counter in counts.items()}


def grouped_rows(rows: QuerySet[Person], fields: tuple[str, ...]) -> list[tuple[Any, ...]]:
    """(band, ..., count) for each combination of the fields' bands among `rows`.

    Where `rows` keeps only the first of each person by a window function, Django's own
    `.values().annotate(Count())` puts the aggregate inside the subquery that computes
    the window, grouped by every column the window reads: one group a row, all sent
    back to be added up in Python (82,000 rows for a year at a million cases). So the
    grouping is done around the ORM's SQL for the rows, by the database `rows` read."""
    banded = rows.values(*fields).order_by()
    inner, params = banded.query.get_compiler(using=banded.db).as_sql()
    connection = connections[banded.db]
    columns = ", ".join(connection.ops.quote_name(field) for field in fields)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {columns}, COUNT(*) FROM ({inner}) ranked GROUP BY {columns}",  # noqa: S608 - column names are ours, values are parameters
            params,
        )
        return list(cursor.fetchall())


def survivor_diversity(window: Window) -> dict[str, dict[str, int]]:
    """Each survivor once, as recorded on her latest case in the period: her people rows
    ranked newest first within her identity, in one scan of the period's rows of the
    people table (ROW_NUMBER(), not a lookup per person; docs/performance.md)."""
    ranked = (
        window.rows(Person)
        .filter(window.on_people(), role=PersonRole.SURVIVOR)
        .annotate(
            latest=Ranking(
                RowNumber(),
                partition_by=F("survivor_identity"),
                order_by=[F("case_reported_at").desc(), F("case_id").desc()],
            )
        )
    )
    return diversity_counts(ranked.filter(latest=1), SURVIVOR_FIELDS)


def perpetrator_diversity(window: Window) -> dict[str, dict[str, int]]:
    """Each alleged perpetrator once: one named on several cases (the same keyed name
    index) as on the latest of them; one with no name given, once per case."""
    people = window.rows(Person).filter(window.on_people(), role=PersonRole.ALLEGED_PERPETRATOR)
    ranked = people.exclude(name_index="").annotate(
        latest=Ranking(
            RowNumber(),
            partition_by=F("name_index"),
            order_by=[F("case_reported_at").desc(), F("id").desc()],
        )
    )
    named = diversity_counts(ranked.filter(latest=1), PERPETRATOR_FIELDS)
    unnamed = diversity_counts(people.filter(name_index=""), PERPETRATOR_FIELDS)
    return {
        field: dict(sorted((Counter(named[field]) + Counter(unnamed[field])).items()))
        for field in PERPETRATOR_FIELDS
    }
