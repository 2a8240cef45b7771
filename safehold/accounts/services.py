"""Every write to staff accounts and API tokens, as a named function."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime

from axes.utils import reset as axes_reset
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.password_validation import validate_password
from django.db import transaction
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from safehold.accounts import authenticators, notices, refusals, sessions
from safehold.accounts.models import (
    AccountChange,
    ApiToken,
    Authenticator,
    ChangeKind,
    ChangeStatus,
    Staff,
    Team,
)
from safehold.accounts.roles import (
    Role,
    Sex,
    grant_needs_second_admin,
    is_privileged,
    manages_staff,
)
from safehold.errors import Refusal
from safehold.limits import counters
from safehold.policy.loader import active_policy
from safehold.privacy import audit

TOKEN_PREFIX = "shk_"  # noqa: S105 - a label on every token, not a secret


def record(by: Staff | None, action: str, staff: Staff, **detail: str) -> None:
    """Account changes in the audit log; `by` is None for the command line."""
    audit.record(
        actor=by.username if by else "",
        action=action,
        target_type="staff",
        target_id=staff.username,
        detail=detail,
    )


def token_digest(token: str) -> str:
    # Tokens carry 256 bits of randomness, so a fast hash is enough: nothing to brute-force.
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def team_for_name(name: str) -> Team:
    """The team of that name; the operator's `safehold staff add` (and the demo) make
    it when there is none yet. An administrator chooses from the teams that exist and
    makes a new one as its own step (team_create, team_required_to_exist)."""
    cleaned = " ".join(name.split())
    if not cleaned:
        raise Refusal("team_required", "Enter the team's name")
    team, _ = Team.objects.get_or_create(name=cleaned)
    return team


def team_required_to_exist(name: str) -> None:
    """An administrator's account or team change names a team that exists: a new team
    is never made by a typing slip."""
    if not Team.objects.filter(name=" ".join(name.split())).exists():
        raise Refusal(
            "unknown_team", "Choose a team that exists, or create the team first", field="team"
        )


@transaction.atomic
def team_create(*, name: str, by: Staff) -> Team:
    """A new team, made on purpose by an administrator, and audited (`team.created`)."""
    admin_required(by)
    cleaned = " ".join(name.split())
    if not cleaned:
        raise Refusal("team_required", "Enter the team's name", field="name")
    if Team.objects.filter(name__iexact=cleaned).exists():
        raise Refusal(
            "team_exists", f"There is already a team called {cleaned}", field="name", status=409
        )
    team = Team.objects.create(name=cleaned)
    audit.record(
        actor=by.username,
        action="team.created",
        target_type="team",
        target_id=str(team.pk),
        detail={"name": cleaned},
    )
    return team


def agency_checked(role: str, agency: str) -> str:
    """A partner names one of the policy's agencies (API.md §4); no other role has one."""
    agency = agency.strip()
    if role != Role.PARTNER:
        if agency:
            raise Refusal(
                "agency_not_expected",
                "Only a partner's account names an agency",
                field="agency",
            )
        return ""
    if not agency:
        raise Refusal("agency_required", "Choose the partner's agency", field="agency")
    agencies = active_policy().agencies
    if agency not in agencies:
        raise Refusal(
            "unknown_agency",
            f"Agency must be one of the policy's: {', '.join(agencies)}",
            field="agency",
        )
    return agency


def agency_detail(agency: str) -> dict[str, str]:
    return {"agency": agency} if agency else {}


def admin_required(by: Staff) -> None:
    if not manages_staff(by.role):
        raise Refusal("may_not_manage_staff", "Only an administrator manages accounts", status=403)


@transaction.atomic
def staff_create(
    *,
    username: str,
    full_name: str,
    role: str,
    sex: str,
    team: str,
    password: str,
    email: str = "",
    trained: bool = True,
    languages: list[str] | None = None,
    by: Staff | None = None,
    password_change_required: bool = True,
    agency: str = "",
) -> Staff:
    """A new account, whose first password is changed at its first sign-in (the demo's
    accounts alone are made without that). An administrator's new director, DA lead or
    administrator starts disabled until a second administrator approves it; the
    operator's (`safehold staff add`, `by` None) is made at once."""
    if by is not None:
        admin_required(by)
    if role not in Role.values:
        raise Refusal("unknown_role", f"Role must be one of: {', '.join(Role.values)}")
    if sex not in Sex.values:
        raise Refusal("unknown_sex", "Sex must be female or male")
    if Staff.objects.filter(username=username).exists():
        raise Refusal("username_taken", f"There is already an account called {username}")
    agency = agency_checked(role, agency)
    if by is not None:
        team_required_to_exist(team)
    awaits_approval = by is not None and grant_needs_second_admin(role)
    staff = Staff(
        username=username,
        full_name=full_name or username,
        email=email,
        role=role,
        agency=agency,
        sex=sex,
        team=team_for_name(team),
        trained=trained,
        languages=sorted(set(languages or [])),
        is_active=not awaits_approval,
        password_change_required=password_change_required,
    )
    staff.full_clean(exclude=["password"])
    validate_password(password, user=staff)
    staff.set_password(password)
    staff.save()
    record(by, "staff.created", staff, role=role, team=staff.team.name, **agency_detail(agency))
    if awaits_approval and by is not None:
        change_pending(staff=staff, kind=ChangeKind.ENABLE, by=by, why="grants_privileged_role")
    return staff


# Administrators' powers over someone else's account --------------------------------
#
# None may let an administrator sign in as someone else: a password an administrator
# sets is temporary (changed at the next sign-in); a two-factor reset makes the person
# enrol again and ends their sessions and API tokens; a change that would leave the
# administrator holding both factors (a password set on an account with no authenticator,
# or a reset of an account whose password is still a temporary one), any change to a
# director's or DA lead's account, and any change that makes someone a director, DA lead
# or administrator waits for a second administrator. Every change is audited and told to
# the person and the DA leads. `by` None is the operator at the server (the command line
# and code run there), who holds the keys already: their changes are made at once.

WHAT_WAS_DONE = {
    ChangeKind.PASSWORD: "set a temporary password",
    ChangeKind.TWO_FACTOR_RESET: "reset two-factor sign-in",
    ChangeKind.UNLOCK: "lifted the lock-out after failed sign-ins",
    ChangeKind.ROLE: "changed the role",
    ChangeKind.TEAM: "changed the team",
    ChangeKind.ENABLE: "enabled the account",
}
AUDIT_ACTION = {
    ChangeKind.PASSWORD: "staff.password_set",
    ChangeKind.TWO_FACTOR_RESET: "staff.two_factor_reset",
    ChangeKind.UNLOCK: "staff.unlocked",
    ChangeKind.ROLE: "staff.role_changed",
    ChangeKind.TEAM: "staff.team_changed",
    ChangeKind.ENABLE: "staff.enabled",
}
ASKED_FOR = {
    ChangeKind.PASSWORD: "a temporary password",
    ChangeKind.TWO_FACTOR_RESET: "a reset of two-factor sign-in",
    ChangeKind.UNLOCK: "lifting the lock-out",
    ChangeKind.ROLE: "a new role",
    ChangeKind.TEAM: "a new team",
    ChangeKind.ENABLE: "enabling the account",
}
WHY_APPROVAL = {
    "privileged_account": "a director's or DA lead's account",
    "grants_privileged_role": "it makes someone a director, DA lead or administrator",
    "both_factors": "the administrator would hold both the password and the authenticator",
}


def approval_reason(staff: Staff, kind: str, value: str) -> str:
    """Why this change needs a second administrator, or "" when it does not."""
    if is_privileged(staff.role):
        return "privileged_account"
    if kind == ChangeKind.ROLE and grant_needs_second_admin(value):
        return "grants_privileged_role"
    if kind == ChangeKind.ENABLE and grant_needs_second_admin(staff.role):
        return "grants_privileged_role"
    if kind == ChangeKind.PASSWORD and two_factor_device(staff=staff) is None:
        return "both_factors"
    if kind == ChangeKind.TWO_FACTOR_RESET and staff.password_change_required:
        return "both_factors"
    return ""


@transaction.atomic
def account_change_request(
    *, staff: Staff, kind: str, by: Staff | None, value: str = "", password: str = ""
) -> AccountChange:
    """An administrator's change to an account: made at once, or left pending for a
    second administrator (approval_reason). Raises Refusal, or Django's ValidationError
    for a password the validators refuse."""
    if by is not None:
        admin_required(by)
    if kind not in ChangeKind.values:
        raise Refusal("unknown_change", "There is no such change", status=404)
    staff = Staff.objects.select_for_update(of=("self",)).select_related("team").get(pk=staff.pk)
    value, password_hash = change_checked(staff, kind, value=value, password=password)
    if AccountChange.objects.filter(staff=staff, kind=kind, status=ChangeStatus.PENDING).exists():
        raise Refusal(
            "change_pending",
            "The same change is already waiting for a second administrator",
            status=409,
        )
    why = approval_reason(staff, kind, value) if by is not None else ""
    if why and by is not None:
        return change_pending(
            staff=staff, kind=kind, by=by, why=why, value=value, password_hash=password_hash
        )
    change = AccountChange.objects.create(
        staff=staff,
        kind=kind,
        value=value,
        password_hash=password_hash,
        status=ChangeStatus.APPLIED,
        requested_by=by,
        decided_by=by,
        decided_at=timezone.now(),
    )
    change_apply(change, approved_by=None)
    return change


def change_checked(staff: Staff, kind: str, *, value: str, password: str) -> tuple[str, str]:
    """The change's value as stored, and the temporary password's hash."""
    if kind == ChangeKind.PASSWORD:
        validate_password(password, user=staff)
        return "", make_password(password)
    if kind == ChangeKind.ROLE:
        if value not in Role.values:
            raise Refusal("unknown_role", f"Role must be one of: {', '.join(Role.values)}")
        if value == staff.role:
            raise Refusal("no_change", "The account already has that role", status=409)
        if Role.PARTNER in (value, staff.role):
            # A partner belongs to another agency: never one of the provider's staff
            # by a change of role, nor the other way round. A new account is made.
            raise Refusal(
                "partner_role_change",
                "A partner's account stays a partner's: make a new account instead",
                field="role",
            )
    if kind == ChangeKind.TEAM:
        value = " ".join(value.split())
        if not value:
            raise Refusal("team_required", "Enter the team's name", field="team")
        team_required_to_exist(value)
        if value == staff.team.name:
            raise Refusal("no_change", "The account is already in that team", status=409)
    if kind == ChangeKind.ENABLE and staff.is_active:
        raise Refusal("no_change", "The account is already enabled", status=409)
    return value, ""


def change_pending(
    *, staff: Staff, kind: str, by: Staff, why: str, value: str = "", password_hash: str = ""
) -> AccountChange:
    change = AccountChange.objects.create(
        staff=staff,
        kind=kind,
        value=value,
        password_hash=password_hash,
        why_approval=why,
        status=ChangeStatus.PENDING,
        requested_by=by,
    )
    detail = {"change": kind, "why": why, **({"to": value} if value else {})}
    record(by, "staff.change_requested", staff, **detail)
    notices.tell(
        notices.administrators(besides=by),
        f"{by.username} asks a second administrator to approve "
        f"{ASKED_FOR[ChangeKind(kind)]}{f' ({value})' if value else ''} for {staff.username}. "
        "See Staff accounts.",
        subject="Safehold: a change to an account waits for your approval",
    )
    return change


@transaction.atomic
def account_change_decide(*, change: AccountChange, by: Staff, approve: bool) -> AccountChange:
    """A second administrator approves or refuses a pending change. The one who asked
    may withdraw it (refuse) but never approve it; nobody decides a change to their own
    account."""
    admin_required(by)
    change = (
        AccountChange.objects.select_for_update(of=("self",))
        .select_related("staff", "staff__team", "requested_by")
        .get(pk=change.pk)
    )
    if change.status != ChangeStatus.PENDING:
        raise Refusal("already_decided", "This change has already been decided", status=409)
    if change.staff_id == by.pk:
        raise Refusal(
            "own_account", "Another administrator decides a change to your account", status=403
        )
    if approve and change.requested_by_id == by.pk:
        raise Refusal(
            "own_request", "A second administrator must approve a change you asked for", status=403
        )
    change.decided_by, change.decided_at = by, timezone.now()
    if not approve:
        change.status, change.password_hash = ChangeStatus.REFUSED, ""
        change.save(update_fields=["status", "password_hash", "decided_by", "decided_at"])
        record(by, "staff.change_refused", change.staff, change=change.kind)
        return change
    change.status = ChangeStatus.APPLIED
    change.save(update_fields=["status", "decided_by", "decided_at"])
    change_apply(change, approved_by=by)
    return change


def change_apply(change: AccountChange, *, approved_by: Staff | None) -> None:
    staff = (
        Staff.objects.select_for_update(of=("self",)).select_related("team").get(pk=change.staff_id)
    )
    by = change.requested_by
    detail: dict[str, str] = {}
    if change.kind == ChangeKind.PASSWORD:
        staff.password = change.password_hash
        staff.password_change_required = True
        staff.save(update_fields=["password", "password_change_required"])
        sessions.sessions_end(staff=staff, reason="password_set")
    elif change.kind == ChangeKind.TWO_FACTOR_RESET:
        TOTPDevice.objects.filter(user=staff).delete()
        sessions.sessions_end(staff=staff, reason="two_factor_reset")
        for token in staff.api_tokens.filter(revoked_at__isnull=True):
            token_revoke(token=token, by=by, tell=False)
    elif change.kind == ChangeKind.UNLOCK:
        axes_reset(username=staff.username)
    elif change.kind == ChangeKind.ROLE:
        detail = {"from": staff.role, "to": change.value}
        staff.role = change.value
        staff.save(update_fields=["role"])
    elif change.kind == ChangeKind.TEAM:
        detail = {"from": staff.team.name, "to": change.value}
        staff.team = team_for_name(change.value)
        staff.save(update_fields=["team"])
    elif change.kind == ChangeKind.ENABLE:
        staff.is_active = True
        staff.save(update_fields=["is_active"])
    if change.password_hash:
        change.password_hash = ""
        change.save(update_fields=["password_hash"])
    if approved_by is not None:
        detail["approved_by"] = approved_by.username
    record(by, AUDIT_ACTION[ChangeKind(change.kind)], staff, **detail)
    change_told(change, staff, approved_by=approved_by)


def change_told(change: AccountChange, staff: Staff, *, approved_by: Staff | None) -> None:
    who = change.requested_by.username if change.requested_by else "The operator at the server"
    what = WHAT_WAS_DONE[ChangeKind(change.kind)]
    if change.kind in (ChangeKind.ROLE, ChangeKind.TEAM):
        what += f" to {change.value}"
    approved = f", approved by {approved_by.username}" if approved_by else ""
    if change.requested_by:
        who = f"An administrator, {who},"
    to_person = f"{who} {what} for your account{approved}."
    if change.kind == ChangeKind.PASSWORD:
        to_person += " You will choose a new password when you next sign in."
    if change.kind == ChangeKind.TWO_FACTOR_RESET:
        to_person += " You will set up your authenticator app again when you next sign in."
    to_person += " If you did not ask for this, tell your DA lead."
    by_name = change.requested_by.username if change.requested_by else "the operator"
    to_leads = f"{by_name} {what} for {staff.full_name} ({staff.username}){approved}."
    notices.person_and_da_leads(staff, to_person=to_person, to_leads=to_leads)


def staff_set_password(*, staff: Staff, password: str, by: Staff | None = None) -> AccountChange:
    """A temporary password, changed at the next sign-in; sessions signed in with the old
    one end (Django's session hash changes with the password)."""
    return account_change_request(staff=staff, kind=ChangeKind.PASSWORD, by=by, password=password)


def two_factor_reset(*, staff: Staff, by: Staff | None = None) -> AccountChange:
    """Removes the account's authenticator; the next sign-in starts enrolment again, and
    any session signed in with the old one is ended by TwoFactorRequiredMiddleware. Its
    API tokens are revoked."""
    return account_change_request(staff=staff, kind=ChangeKind.TWO_FACTOR_RESET, by=by)


def staff_enable(*, staff: Staff, by: Staff | None = None) -> AccountChange:
    return account_change_request(staff=staff, kind=ChangeKind.ENABLE, by=by)


@transaction.atomic
def staff_disable(*, staff: Staff, by: Staff | None = None) -> Staff:
    """Disabling ends every session at once: Django refuses an inactive account on each
    request, and its tokens stop working. It needs no second administrator: it takes
    access away, never gives it."""
    if by is not None:
        admin_required(by)
        if by.pk == staff.pk:
            raise Refusal("own_account", "You cannot disable your own account", status=403)
    staff.is_active = False
    staff.save(update_fields=["is_active"])
    sessions.sessions_end(staff=staff, reason="disabled")
    record(by, "staff.disabled", staff)
    return staff


@transaction.atomic
def agency_suspend(*, agency: str, by: Staff | None = None, now: datetime | None = None) -> int:
    """Suspends every partner account of one agency at once (issue 21): each is disabled,
    its sessions end and its API tokens are revoked in the same transaction, so none of
    its people reads anything more from the next request on. Returns how many accounts
    were active. Like disabling one account it takes access away, so it needs no second
    administrator."""
    if by is not None:
        admin_required(by)
    now = now or timezone.now()
    if agency not in active_policy().agencies and not Staff.objects.filter(agency=agency).exists():
        raise Refusal("unknown_agency", "There is no such agency", field="agency")
    accounts = list(
        Staff.objects.select_for_update().filter(role=Role.PARTNER, agency=agency, is_active=True)
    )
    for staff in accounts:
        staff.is_active = False
        staff.save(update_fields=["is_active"])
        sessions.sessions_end(staff=staff, reason="agency_suspended", now=now)
        ApiToken.objects.filter(staff=staff, revoked_at__isnull=True).update(revoked_at=now)
        record(by, "staff.disabled", staff, agency=agency, why="agency_suspended")
    audit.record(
        actor=by.username if by else "",
        action="staff.agency_suspended",
        target_type="agency",
        target_id=agency,
        detail={"accounts": len(accounts)},
    )
    return len(accounts)


# What a person does to their own account -------------------------------------------

REAUTH_TRIES = 5
REAUTH_WINDOW = 15 * 60
WRONG_PASSWORD_OR_CODE = "The password or the code is not right"  # noqa: S105 - a message


def reauthentication_refused(staff: Staff) -> None:
    """Counts a wrong password or code on the signed-in pages that ask again (a changed
    password, a new API token): past REAUTH_TRIES in 15 minutes every try is refused, so
    a session left open cannot be used to guess the password. Audited, the entries
    themselves limited per minute (refusals.limited_record). Runs outside any
    transaction, so that the count and the entry outlive the refusal."""
    count = counters.hit(f"reauth:{staff.pk}", REAUTH_WINDOW)
    limited = count.value > REAUTH_TRIES
    refusals.limited_record(
        key=f"reauth:{staff.username}",
        actor=staff.username,
        action="reauth.limited" if limited else "reauth.refused",
        target_type="staff",
        target_id=staff.username,
    )
    if limited:
        raise Refusal(
            "too_many_tries",
            f"Too many wrong tries. Wait {count.seconds_left // 60 + 1} minutes and try again",
            status=429,
        )


def reauthentication_limited(staff: Staff) -> bool:
    found = counters.value_of(f"reauth:{staff.pk}")
    return found is not None and found >= REAUTH_TRIES


def password_change(*, staff: Staff, current: str, new: str, keep_session_key: str = "") -> Staff:
    """The person's own new password, given their current one. Every other session of
    theirs ends; the caller keeps the one it is answering (update_session_auth_hash)."""
    if reauthentication_limited(staff) or not staff.check_password(current):
        reauthentication_refused(staff)
        raise Refusal(
            "wrong_password", "Your current password is not right", field="current_password"
        )
    if new == current:
        raise Refusal(
            "same_password", "Choose a new password, not the one you have now", field="new_password"
        )
    validate_password(new, user=staff)
    with transaction.atomic():
        staff = Staff.objects.select_for_update().get(pk=staff.pk)
        staff.set_password(new)
        staff.password_change_required = False
        staff.save(update_fields=["password", "password_change_required"])
        sessions.sessions_end(staff=staff, reason="password_changed", keep_key=keep_session_key)
        record(staff, "staff.password_changed", staff)
    return staff


def reauthenticate(*, staff: Staff, password: str, code: str) -> None:
    """Both factors again, for an action that acts as the person (a new API token). One
    message for either being wrong; a right code is used up (django-otp), and wrong ones
    slow the authenticator down as at sign-in."""
    device = two_factor_device(staff=staff)
    if (
        not reauthentication_limited(staff)
        and device is not None
        and staff.check_password(password)
        and device.verify_token(code)
    ):
        return
    reauthentication_refused(staff)
    raise Refusal("reauthentication_failed", WRONG_PASSWORD_OR_CODE, field="password")


def two_factor_device(*, staff: Staff) -> Authenticator | None:
    device: Authenticator | None = Authenticator.objects.filter(user=staff, confirmed=True).first()
    return device


def two_factor_enrolment_start(*, staff: Staff) -> Authenticator:
    """The unconfirmed authenticator shown as a QR code until its first code is entered."""
    device: Authenticator | None = Authenticator.objects.filter(user=staff, confirmed=False).first()
    if device is None:
        device = authenticator_create(staff=staff, name="Authenticator app", confirmed=False)
    return device


def authenticator_create(*, staff: Staff, name: str, confirmed: bool) -> Authenticator:
    """An authenticator with a new random seed, kept only sealed under a key that is not
    in the database (accounts/authenticators.py)."""
    authenticator: Authenticator = Authenticator.objects.create(
        user=staff,
        name=name,
        confirmed=confirmed,
        key=authenticators.new_sealed_seed(staff_id=staff.pk),
    )
    return authenticator


@transaction.atomic
def two_factor_enrolment_confirm(*, device: Authenticator, code: str) -> bool:
    if not device.verify_token(code):
        return False
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user=device.user).exclude(pk=device.pk).delete()
    return True


@transaction.atomic
def token_create(*, staff: Staff, by: Staff | None = None) -> str:
    """Makes a token and returns it; it is never shown again.

    A token acts as its person, so only that person makes one ("Your API tokens", after
    giving their password and a code again: `reauthenticate`), or the operator at the
    server (`safehold token create`, `safehold staff add --token`; `by` None), which is
    audited and told to the person and the DA leads. Nobody makes one for someone else."""
    if by is not None and by.pk != staff.pk:
        raise Refusal(
            "not_your_token",
            "Only the person themselves can make an API token for their account",
            status=403,
        )
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    prefix = token[: len(TOKEN_PREFIX) + 6]
    ApiToken.objects.create(staff=staff, prefix=prefix, digest=token_digest(token), created_by=by)
    audit.record(
        actor=by.username if by else "",
        action="token.created",
        target_type="staff",
        target_id=staff.username,
        detail={"token": prefix, "by": "self" if by else "cli"},
    )
    if by is None:
        notices.person_and_da_leads(
            staff,
            to_person=(
                f"An API token ({prefix}…) that acts as you was made at the server with "
                "safehold token create. If you did not ask for it, tell your DA lead."
            ),
            to_leads=(
                f"An API token ({prefix}…) for {staff.full_name} ({staff.username}) was made "
                "at the server with safehold token create."
            ),
        )
    return token


@transaction.atomic
def token_revoke(
    *,
    token: ApiToken,
    by: Staff | None = None,
    now: datetime | None = None,
    tell: bool = True,
) -> ApiToken:
    """The person revokes their own token, or an administrator anyone's (never makes
    one); the person is told when it was not them."""
    if by is not None and by.pk != token.staff_id and not manages_staff(by.role):
        raise Refusal("not_your_token", "You may revoke only your own API tokens", status=403)
    if token.revoked_at is None:
        token.revoked_at = now or timezone.now()
        token.save(update_fields=["revoked_at"])
        record(by, "token.revoked", token.staff, token=token.prefix)
        if tell and (by is None or by.pk != token.staff_id):
            who = f"An administrator, {by.username}," if by else "The operator at the server"
            notices.tell([token.staff], f"{who} revoked your API token {token.prefix}….")
    return token


def token_use_record(*, token: ApiToken, now: datetime | None = None) -> None:
    """Audits a token's use, at most once per TOKEN_USE_AUDIT_INTERVAL: enough to show
    who used the API when, without doubling the log on every request (each read of a
    case is audited on its own)."""
    now = now or timezone.now()
    last = token.last_used_at
    if last is not None and now - last < settings.SAFEHOLD_TOKEN_USE_AUDIT_INTERVAL:
        return
    with transaction.atomic():
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        audit.record(
            actor=token.staff.username,
            action="token.used",
            target_type="token",
            target_id=token.prefix,
            at=now,
        )


def sign_in_record(*, action: str, username: str = "", limit_key: str = "", **detail: str) -> None:
    """Sign-in events for the audit log. A typed username is kept only when it names an
    account, so nothing else a person types into the box is ever stored. With
    `limit_key`, at most a few entries a minute for that key (refusals.limited_record)."""
    known = username if Staff.objects.filter(username=username).exists() else ""
    if limit_key:
        refusals.limited_record(
            key=limit_key,
            actor=known,
            action=action,
            target_type="staff",
            target_id=known,
            detail=dict(detail),
        )
        return
    audit.record(actor=known, action=action, target_type="staff", target_id=known, detail=detail)
