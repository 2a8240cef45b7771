"""Every read of case data, always through `cases.access`.

The API's lists and searches answer with what identifies no one (reference, dates,
status, team, officer). The case list and search pages also show each survivor's name
and date of birth, to confirm the right person (`with_survivors`, one audit entry
`case.listed` per page); an address or anything else of hers appears only on a case's
own page or API answer, and every such read is audited as `case.viewed`."""

from __future__ import annotations

import base64
import binascii
import hmac
import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any, TypeVar

from django.conf import settings
from django.db import transaction
from django.db.models import (
    BooleanField,
    Exists,
    ExpressionWrapper,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
)
from django.utils import timezone

from safehold.accounts.models import Staff
from safehold.cases import access, sealing, search
from safehold.cases.models import (
    Alert,
    Case,
    Contact,
    Incident,
    Person,
    PersonRole,
    SearchToken,
)
from safehold.errors import Refusal
from safehold.policy import clock
from safehold.policy.loader import active_policy
from safehold.prepared import Prepared
from safehold.privacy import audit, trail, vault
from safehold.privacy.models import AuditEntry, WrappedKey

PAGE_SIZE = 50
REFERENCE_PATTERN = re.compile(r"^DA-\d{4}-\d{5}$", re.IGNORECASE)
# The neutral reference a letter to an alleged perpetrator quotes (casework/letters.py):
# someone quoting it finds the case it was written on, as with the case's own.
LETTER_REFERENCE_PATTERN = re.compile(r"^HM-[A-Z0-9]{6}$", re.IGNORECASE)


def response_status(case: Case | CaseRow, now: datetime | None = None) -> str:
    """API.md §5: met or missed once the survivor is contacted; missed without contact
    once the deadline passes; pending until then."""
    if case.first_contact_at is not None:
        return "met" if case.first_contact_at <= case.response_due_at else "missed"
    return "missed" if (now or timezone.now()) > case.response_due_at else "pending"


def same_sex_officer_answer(case: Case) -> str:
    """`requested`, `declined` or `not_asked`: the survivor's answer when offered an
    officer of their own sex (a case from before answers were recorded, with the
    request ticked, reads as requested)."""
    if case.same_sex_officer_answer:
        return case.same_sex_officer_answer
    return "requested" if case.same_sex_officer else "not_asked"


def next_review_due_at(case: Case | CaseRow) -> datetime | None:
    if case.status == "closed":
        return None
    if case.next_review_at is not None:  # the date the latest review set
        return case.next_review_at
    return clock.next_review_due_at(active_policy(), case.last_review_at or case.reported_at)


@dataclass
class PersonView:
    id: str
    role: str
    details: dict[str, Any]
    person: Person


@dataclass
class CaseView:
    """A case as its reader may see it, with its details decrypted."""

    case: Case
    response_status: str
    next_review_due_at: datetime | None
    survivor: PersonView
    alleged_perpetrators: list[PersonView]
    children: list[PersonView]
    details: dict[str, Any]
    incidents: list[tuple[Any, dict[str, Any]]] = field(default_factory=list)
    contacts: list[tuple[Any, dict[str, Any]]] = field(default_factory=list)
    # `repeat` and `survivor.person_id` as this reader may be told them (repeats_seen_by,
    # person_id_for): never computed from a case the reader may not see.
    repeat: bool = False
    person_id: str = ""


def viewed_record(user: Staff, case: Case, *, via: str) -> None:
    """Records in the audit log that `user` read `case` (API.md: action `case.viewed`).
    `audit.record` is one transaction of its own."""
    audit.record(
        actor=user.username,
        action="case.viewed",
        target_type="case",
        target_id=case.pk,
        detail={"via": via},
    )


def case_detail(user: Staff, case_id: str, *, via: str) -> CaseView:
    """The case for one reader, recorded in the audit log as read."""
    case = access.case_for(user, case_id)
    viewed_record(user, case, via=via)
    view = case_view(case)
    view.repeat = case.pk in repeats_seen_by(user, [case])
    view.person_id = person_id_for(user, case)
    return view


def repeats_seen_by(user: Staff, cases: Sequence[Case | CaseRow]) -> set[str]:
    """The ids of those `cases` whose repeat flag `user` may be told: the case is a
    repeat (`Case.repeat`, the truth the monitoring figures count) AND `user` may see an
    earlier case of the same survivor in the policy's repeat window. A reader who may not
    see the earlier case learns nothing of it, whatever `reported_at` says
    (docs/security.md "Oracles")."""
    rows = [(c.pk, c.survivor_identity_id, c.reported_at) for c in cases if c.repeat]
    if not rows:
        return set()
    policy = active_policy()
    earlier: dict[str, list[tuple[str, datetime]]] = defaultdict(list)
    visible = access.cases_visible_to(user).filter(
        survivor_identity_id__in={identity for _, identity, _ in rows}
    )
    for pk, identity, at in visible.values_list("pk", "survivor_identity_id", "reported_at"):
        earlier[identity].append((pk, at))
    seen = set()
    for pk, identity, at in rows:
        since = clock.repeat_window_start(policy, at)
        if any(other != pk and since <= when < at for other, when in earlier[identity]):
            seen.add(pk)
    return seen


def rows_seen_by(user: Staff, rows: list[CaseRow]) -> list[CaseRow]:
    """List rows with `repeat` as `user` may be told it."""
    seen = repeats_seen_by(user, rows)
    return [replace(row, repeat=row.pk in seen) for row in rows]


def cases_seen_by(user: Staff, cases: list[Case]) -> list[Case]:
    """Listed cases with `repeat` as `user` may be told it. The instances are only
    rendered, never saved: `Case.repeat` in the database stays the truth."""
    seen = repeats_seen_by(user, cases)
    for case in cases:
        case.repeat = case.pk in seen
    return cases


def person_id_for(user: Staff, case: Case) -> str:
    """`survivor.person_id` as `user` is told it: an alias of the survivor's identity
    for this reader (`per_` and 20 hex digits, as the identity id itself). The same for
    every case of hers this reader sees, and different for another reader, so it tells
    no one of a case they may not see, nor whether one exists; a new report may quote
    it as person_id (`identity_of_alias`)."""
    return person_alias(case.survivor_identity_id, user)


def person_alias(identity_id: str, user: Staff) -> str:
    digest = hmac.new(
        settings.SECRET_KEY.encode(), f"person-alias:{user.pk}:{identity_id}".encode(), "sha256"
    ).hexdigest()
    return f"per_{digest[:20]}"


def identity_of_alias(user: Staff, alias: str) -> str | None:
    """The survivor identity behind an alias `person_id_for` gave `user`, among the
    identities of the cases `user` may see."""
    identities = (
        access.cases_visible_to(user).values_list("survivor_identity_id", flat=True).distinct()
    )
    for identity in identities.iterator():
        if hmac.compare_digest(person_alias(identity, user), alias):
            return identity
    return None


# A case's own rows, compiled once (safehold/prepared.py): every read of a case runs
# these three after `access.case_for` has let the reader in.
PEOPLE = Prepared(
    lambda case_id: Person.objects.filter(case_id=case_id).order_by("role", "id"),
    values={"case_id": str},
)
INCIDENTS = Prepared(
    lambda case_id: Incident.objects.filter(case_id=case_id).order_by("reported_at"),
    values={"case_id": str},
)
CONTACTS = Prepared(
    lambda case_id: (
        Contact.objects.filter(case_id=case_id).select_related("recorded_by").order_by("-at")
    ),
    values={"case_id": str},
)


def rows_of(prepared: Prepared[Any], case: Case) -> list[Any]:
    """The case's rows, each knowing its case as `case.people.all()` would have it."""
    rows = prepared.all(case_id=case.pk)
    for row in rows:
        row.case = case
    return rows


def case_view(case: Case) -> CaseView:
    key = case.data_key
    people = [PersonView(p.id, p.role, sealing.unseal(key, p), p) for p in rows_of(PEOPLE, case)]
    survivor = next(p for p in people if p.role == PersonRole.SURVIVOR)
    return CaseView(
        case=case,
        response_status=response_status(case),
        next_review_due_at=next_review_due_at(case),
        survivor=survivor,
        alleged_perpetrators=[p for p in people if p.role == PersonRole.ALLEGED_PERPETRATOR],
        children=[p for p in people if p.role == PersonRole.CHILD],
        details=sealing.unseal(key, case),
        incidents=[(i, sealing.unseal(key, i)) for i in rows_of(INCIDENTS, case)],
        contacts=[(c, sealing.unseal(key, c)) for c in rows_of(CONTACTS, case)],
    )


def listed(queryset: QuerySet[Case]) -> QuerySet[Case]:
    return queryset.select_related("team", "assigned_officer")


@dataclass(frozen=True, slots=True)
class CaseRow:
    """A case as a list shows it (API.md §5's summary), read as plain values: an API page
    of 50 cases builds 50 of these rather than 150 model instances (a case, its team and
    its officer), so a full page costs little more than a short one
    (docs/performance.md). Nothing here identifies anyone."""

    pk: str
    reference: str
    status: str
    team_name: str
    source: str
    reported_at: datetime
    response_due_at: datetime
    first_contact_at: datetime | None
    risk_level: str | None
    repeat: bool
    restricted: bool
    assigned_officer_username: str | None
    abuse_types: list[str]
    policy_id: str
    policy_version: str
    last_review_at: datetime | None
    next_review_at: datetime | None
    # Opaque, never shown: whether the reader is told `repeat` (repeats_seen_by).
    survivor_identity_id: str

    @classmethod
    def of(cls, case: Case) -> CaseRow:
        """The row of a case already read as a model (a case's own API answer)."""
        officer = case.assigned_officer
        own = {name: getattr(case, name) for name in ROW_ATTRIBUTES if name not in JOINED}
        return cls(
            **own,
            team_name=case.team.name,
            assigned_officer_username=officer.username if officer else None,
        )


ROW_ATTRIBUTES = list(CaseRow.__dataclass_fields__)
# The row's values that come through a join, and the column each is read from.
JOINED = {"team_name": "team__name", "assigned_officer_username": "assigned_officer__username"}
ROW_COLUMNS = [{"pk": "id", **JOINED}.get(name, name) for name in ROW_ATTRIBUTES]


def as_rows(cases: QuerySet[Case]) -> list[CaseRow]:
    return [CaseRow(*values) for values in cases.values_list(*ROW_COLUMNS)]


def list_filters(*, status: str | None, risk_level: str | None) -> Q:
    """A list's own filters (API.md's `status` and `risk_level`), apart from need to know."""
    chosen = Q()
    if status:
        chosen &= Q(status=status)
    if risk_level:
        chosen &= Q(risk_level=risk_level)
    return chosen


def filtered(user: Staff, *, status: str | None, risk_level: str | None) -> QuerySet[Case]:
    return access.cases_visible_to(user).filter(list_filters(status=status, risk_level=risk_level))


def encode_cursor(case: Case | CaseRow) -> str:
    raw = f"{case.reported_at.isoformat()}|{case.pk}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, str] | None:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        moment, case_id = raw.split("|", 1)
        return datetime.fromisoformat(moment), case_id
    except (ValueError, binascii.Error, UnicodeDecodeError):
        return None


def page_of(
    user: Staff, *, status: str | None, risk_level: str | None, cursor: str | None, count: int
) -> QuerySet[Case]:
    """Newest first, by keyset, for a page of `count`: its cost does not grow with how
    deep it is, nor with how many cases the provider has (`access.newest_in_reach`)."""
    now = timezone.now()
    chosen = list_filters(status=status, risk_level=risk_level)
    cases = access.cases_visible_to(user, now).filter(chosen)
    position = None
    if cursor:
        position = decode_cursor(cursor)
        if position is None:
            raise Refusal("invalid_cursor", "That page cursor is not valid", status=400)
        moment, case_id = position
        cases = cases.filter(Q(reported_at__lt=moment) | Q(reported_at=moment, id__lt=case_id))
    read = access.newest_in_reach(user, chosen, count=count, now=now, after=position)
    if read is not None:
        cases = cases.filter(read)
    return cases.order_by("-reported_at", "-id")


Listed = TypeVar("Listed", Case, CaseRow)


def paged(rows: list[Listed], limit: int) -> tuple[list[Listed], str | None]:
    """A page of `limit`, from `limit` + 1 rows, and the cursor of the next if any."""
    next_cursor = encode_cursor(rows[limit - 1]) if len(rows) > limit else None
    return rows[:limit], next_cursor


def case_page(
    user: Staff,
    *,
    status: str | None = None,
    risk_level: str | None = None,
    cursor: str | None = None,
    limit: int = PAGE_SIZE,
) -> tuple[list[Case], str | None]:
    cases = page_of(user, status=status, risk_level=risk_level, cursor=cursor, count=limit + 1)
    found, next_cursor = paged(list(listed(cases)[: limit + 1]), limit)
    return cases_seen_by(user, found), next_cursor


def case_row_page(
    user: Staff,
    *,
    status: str | None = None,
    risk_level: str | None = None,
    cursor: str | None = None,
    limit: int = PAGE_SIZE,
) -> tuple[list[CaseRow], str | None]:
    """`case_page` as rows (the API's list)."""
    cases = page_of(user, status=status, risk_level=risk_level, cursor=cursor, count=limit + 1)
    found, next_cursor = paged(as_rows(cases[: limit + 1]), limit)
    return rows_seen_by(user, found), next_cursor


def search_of(user: Staff, *, q: str, status: str | None, risk_level: str | None) -> QuerySet[Case]:
    """The cases `user` may see whose survivor or reference matches `q` as an officer
    says it (cases/search.py): every term of `q` (a word, a date, a phone number, a
    postcode) must match one of the case's search tokens. Cases matched exactly come
    before those matched only by the sound of a name, newest first within each. A whole
    case reference or a letter's neutral reference finds its case directly."""
    cases = filtered(user, status=status, risk_level=risk_level)
    q = q.strip()
    if REFERENCE_PATTERN.match(q):
        return cases.filter(reference=q.upper()).order_by("-reported_at", "-id")
    if LETTER_REFERENCE_PATTERN.match(q):
        return cases.filter(documents__reference=q.upper()).order_by("-reported_at", "-id")
    terms = search.terms_of(vault.index_key(), q)
    if not terms:  # nothing but spaces, punctuation or zero-width characters: no match
        return cases.none()
    # Each term, through the token index alone (digest, role, case): which cases have a
    # token of it. The one door (`filtered`) decides which of them the reader sees. Where
    # two name words make a pair, the pair's few cases are where the search starts, and
    # each word (and whether it matched exactly) is looked up on those cases alone, as
    # the first of the case's tokens for it: PostgreSQL cannot turn such a subquery into
    # a join or a hash of every case that has the word (thousands at a million).
    tokens = SearchToken.objects.filter(role=PersonRole.SURVIVOR)
    paired = any(term.pair for term in terms)
    exactly = Q()
    for number, term in enumerate(terms):
        having = tokens.filter(digest__in=term.digests)
        if paired and not term.pair:
            cases = cases.alias(**{f"word_{number}": first_token(having)})
            cases = cases.filter(**{f"word_{number}__isnull": False})
        else:
            cases = cases.filter(pk__in=having.values("case_id"))
        if term.near:
            exact = tokens.filter(digest__in=term.exact)
            if paired:
                cases = cases.alias(**{f"exact_{number}": first_token(exact)})
                exactly &= Q(**{f"exact_{number}__isnull": False})
            else:
                exactly &= Q(Exists(exact.filter(case=OuterRef("pk"))))
    if not exactly:  # no name in it: every match is exact
        return cases.order_by("-reported_at", "-id")
    cases = cases.annotate(found_exactly=ExpressionWrapper(exactly, output_field=BooleanField()))
    return cases.order_by("-found_exactly", "-reported_at", "-id")


def first_token(tokens: QuerySet[SearchToken]) -> Subquery:
    """The kind of the first of `tokens` the case has, or null: one look in the index for
    each case (`search_of`)."""
    return Subquery(tokens.filter(case=OuterRef("pk")).values("kind")[:1])


def case_search(
    user: Staff,
    *,
    q: str,
    status: str | None = None,
    risk_level: str | None = None,
    limit: int = PAGE_SIZE,
) -> list[Case]:
    cases = search_of(user, q=q, status=status, risk_level=risk_level)
    return cases_seen_by(user, list(listed(cases)[:limit]))


def case_row_search(
    user: Staff,
    *,
    q: str,
    status: str | None = None,
    risk_level: str | None = None,
    limit: int = PAGE_SIZE,
) -> list[CaseRow]:
    """`case_search` as rows (the API's search)."""
    rows = as_rows(search_of(user, q=q, status=status, risk_level=risk_level)[:limit])
    return rows_seen_by(user, rows)


def awaiting_first_contact(user: Staff, *, limit: int = 100) -> list[Case]:
    """Open cases with no contact with the survivor yet, the most urgent first."""
    cases = access.cases_visible_to(user).filter(status="open", first_contact_at__isnull=True)
    return cases_seen_by(user, list(listed(cases).order_by("response_due_at", "id")[:limit]))


def my_cases(user: Staff, *, limit: int = 200) -> list[Case]:
    cases = access.cases_visible_to(user).filter(assigned_officer=user).exclude(status="closed")
    return cases_seen_by(user, list(listed(cases).order_by("response_due_at", "id")[:limit]))


# How many entries one answer of `GET /cases/{id}/audit` carries; `next` gives the rest.
# Enough for the whole trail of nearly every case; a long case's runs to several pages.
AUDIT_API_PAGE = 500


def audit_trail(
    user: Staff, case_id: str, *, after: int = 0
) -> tuple[Case, list[trail.TrailEntry], bool]:
    """A page of the case's trail, oldest first, from the entry after chain position
    `after` (an index range on target and seq, however long the trail), with whether
    more follow; as `user` is shown it: whole to someone who may see the case, and
    without case content to anyone else, an auditor above all (privacy/trail.py)."""
    case = access.case_for_audit(user, case_id)
    limit = AUDIT_API_PAGE
    found = AuditEntry.objects.filter(target_type="case", target_id=case.pk, seq__gt=after)
    rows = list(found.order_by("seq")[: limit + 1])
    entries = trail.shown(rows[:limit], sees_case=trail.sees_case(user, case))
    with transaction.atomic():
        audit.record(
            actor=user.username,
            action="case.audit_viewed",
            target_type="case",
            target_id=case.pk,
        )
    return case, entries, len(rows) > limit


def audit_trail_page(
    user: Staff, case_id: str, *, kind: str = "", number: int = 1
) -> tuple[Case, trail.TrailPage, bool]:
    """A page of the case's trail for the "Who has seen this case" page, newest first
    (privacy/trail.py `trail_page`), cut for a reader who may not see the case as the
    whole trail is; reading it is audited like reading the whole trail."""
    case = access.case_for_audit(user, case_id)
    sees = trail.sees_case(user, case)
    found = AuditEntry.objects.filter(target_type="case", target_id=case.pk)
    page = trail.trail_page(found, case, sees_case=sees, kind=kind, number=number)
    with transaction.atomic():
        audit.record(
            actor=user.username,
            action="case.audit_viewed",
            target_type="case",
            target_id=case.pk,
        )
    return case, page, sees


def unread_alerts(user: Staff, *, limit: int = 20) -> list[Alert]:
    return list(Alert.objects.filter(recipient=user, read_at__isnull=True)[:limit])


@dataclass(frozen=True)
class Due:
    """What is next due on a case, and by when."""

    what: str
    at: datetime
    overdue: bool


def next_due(case: Case, now: datetime | None = None) -> Due | None:
    """The earliest of what a case still waits for: first contact (until it is made),
    the next contact the survivor agreed to, the next review. A closed case waits for
    nothing."""
    if case.status == "closed":
        return None
    now = now or timezone.now()
    waiting = []
    if case.first_contact_at is None:
        waiting.append(("First contact", case.response_due_at))
    elif case.next_contact_due_at is not None:
        waiting.append(("Contact", case.next_contact_due_at))
    review = next_review_due_at(case)
    if review is not None:
        waiting.append(("Review", review))
    if not waiting:
        return None
    what, at = min(waiting, key=lambda item: item[1])
    return Due(what=what, at=at, overdue=at < now)


# What a list reads of each survivor: her sealed details and her case's data key, not
# the case again (the list has it) nor the columns of her row the list never shows. The
# instances are deferred: Django builds and converts a few columns instead of the two
# rows', a third of a page's time in this function (issue 19).
SURVIVOR_COLUMNS = (
    "id",
    "case_id",
    sealing.SEALED_COLUMN,
    "case__data_key_id",
    *(f"case__data_key__{f.name}" for f in WrappedKey._meta.concrete_fields),
)


def with_survivors(user: Staff, cases: list[Case], *, via: str) -> list[Case]:
    """Lists for someone who may see every case in them (they come through
    `access.cases_visible_to`) show what confirms the right person: the survivor's name
    and date of birth, decrypted here, and what is next due. One query for all the
    survivors of the page, whatever its length, and one audit entry (`case.listed`,
    with the ids of the cases shown and where: the name is case content, so reading it
    in a list is audited as reading a case is). An erased case shows neither."""
    if not cases:
        return cases
    survivors = (
        Person.objects.filter(case_id__in=[c.pk for c in cases], role=PersonRole.SURVIVOR)
        .select_related("case__data_key")
        .only(*SURVIVOR_COLUMNS)
    )
    details: dict[str, dict[str, Any]] = {}
    for person in survivors:
        try:
            details[person.case_id] = sealing.unseal(person.case.data_key, person)
        except vault.KeyDestroyed:
            continue
    now = timezone.now()
    for case in cases:
        found = details.get(case.pk)
        case.survivor_erased = found is None  # type: ignore[attr-defined]
        case.survivor_name = (found or {}).get("name", "")  # type: ignore[attr-defined]
        case.survivor_born = born_date((found or {}).get("date_of_birth", ""))  # type: ignore[attr-defined]
        case.next_due = next_due(case, now)  # type: ignore[attr-defined]
    audit.record(
        actor=user.username,
        action="case.listed",
        target_type="cases",  # several: their ids are in the detail
        detail={"via": via, "cases": [c.pk for c in cases]},
    )
    return cases


def born_date(text: str) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None
