"""Pages where an administrator manages staff accounts.

Administrators see accounts and settings only, never case content (API.md §4), and can
never act as someone else: they may revoke an API token but not make one, and a change
that could hand them someone's sign-in waits for a second administrator
(services.account_change_request)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from safehold.accounts import selectors, services
from safehold.accounts.forms import (
    AgencySuspendForm,
    PasswordForm,
    RoleForm,
    StaffCreateForm,
    TeamCreateForm,
    TeamForm,
)
from safehold.accounts.models import (
    AccountChange,
    ApiToken,
    ChangeKind,
    ChangeStatus,
    Staff,
    Team,
)
from safehold.accounts.roles import manages_staff
from safehold.accounts.selectors import signed_in_staff
from safehold.errors import Refusal
from safehold.web.paging import page_asked

View = Callable[..., HttpResponse]


def admin_only(view: View) -> View:
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not manages_staff(request.user.role):  # type: ignore[union-attr]
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


# How many accounts the staff page lists at a time, in team then username order; the
# rest are on the next pages (`?page=N`). A provider with a million cases has a few
# thousand staff (synth: 2,000), and the page read and rendered them all (issue 19). A
# presentation choice, not a policy rule.
STAFF_PAGE = 50


def staff_index_context(
    request: HttpRequest, suspend_form: AgencySuspendForm, number: int = 1
) -> dict[str, Any]:
    """The staff page: a page of accounts, the changes waiting for a second
    administrator, and the form to suspend an agency."""
    start = (number - 1) * STAFF_PAGE
    # One row more than a page says whether there is a next one, without a count.
    listed = list(selectors.staff_list()[start : start + STAFF_PAGE + 1])
    return {
        "nav": "staff",
        "staff_list": listed[:STAFF_PAGE],
        "page": number,
        "more": len(listed) > STAFF_PAGE,
        "pending": selectors.pending_changes(),
        "me": signed_in_staff(request),
        "suspend_form": suspend_form,
    }


@admin_only
def staff_index(request: HttpRequest) -> HttpResponse:
    context = staff_index_context(request, AgencySuspendForm(), page_asked(request))
    return render(request, "accounts/staff_index.html", context)


@admin_only
@require_POST
def agency_suspend(request: HttpRequest) -> HttpResponse:
    """Suspends every partner account of one agency at once: each is disabled, its
    sessions and API tokens end (services.agency_suspend)."""
    form = AgencySuspendForm(request.POST)
    if form.is_valid():
        agency = form.cleaned_data["agency"]
        try:
            ended = services.agency_suspend(agency=agency, by=signed_in_staff(request))
        except Refusal as refusal:
            if refusal.status == 403:
                raise PermissionDenied(refusal.message) from refusal
            form.add_error("agency", refusal.message)
        else:
            messages.success(
                request,
                f"{ended} partner account{'s' if ended != 1 else ''} at "
                f"{dict(form.fields['agency'].choices)[agency]} suspended; "  # type: ignore[attr-defined]
                "their sessions and API tokens have ended.",
            )
            return redirect("staff-index")
    context = staff_index_context(request, form)
    return render(request, "accounts/staff_index.html", context, status=400)


@admin_only
@require_http_methods(["GET", "POST"])
def teams(request: HttpRequest) -> HttpResponse:
    """The teams, and creating one: its own step, never a side effect of typing a
    team's name on an account (services.team_create, audited `team.created`)."""
    form = TeamCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            team = services.team_create(name=form.cleaned_data["name"], by=signed_in_staff(request))
        except Refusal as refusal:
            if refusal.status == 403:
                raise PermissionDenied(refusal.message) from refusal
            form.add_error("name", refusal.message)
        else:
            messages.success(request, f"The team {team.name} is created.")
            return redirect("teams")
    context = {
        "nav": "staff",
        "form": form,
        "teams": Team.objects.annotate(members=Count("staff")).order_by("name"),
    }
    return render(request, "accounts/teams.html", context, status=400 if form.errors else 200)


@admin_only
@require_http_methods(["GET", "POST"])
def staff_new(request: HttpRequest) -> HttpResponse:
    form = StaffCreateForm(request.POST or None, initial={"trained": True})
    if request.method == "POST" and form.is_valid():
        try:
            staff = services.staff_create(**form.cleaned_data, by=signed_in_staff(request))
        except Refusal as refusal:
            form.add_error(refusal_field(refusal), refusal.message)
        except ValidationError as error:
            form.add_error("password", error)
        else:
            if not staff.is_active:
                messages.info(request, f"The account is made, disabled until then. {WAITING}")
            return redirect("staff-detail", username=staff.username)
    return render(
        request, "accounts/staff_new.html", {"form": form}, status=400 if form.errors else 200
    )


def refusal_field(refusal: Refusal) -> str | None:
    return {
        "username_taken": "username",
        "team_required": "team",
        "unknown_team": "team",
        "agency_required": "agency",
        "agency_not_expected": "agency",
        "unknown_agency": "agency",
    }.get(refusal.code)


@admin_only
def staff_detail(request: HttpRequest, username: str) -> HttpResponse:
    staff = get_object_or_404(Staff.objects.select_related("team"), username=username)
    return render(request, "accounts/staff_detail.html", staff_context(staff))


def staff_context(staff: Staff, **extra: Any) -> dict[str, Any]:
    return {
        "nav": "staff",
        "member": staff,
        "tokens": staff.api_tokens.all(),
        "two_factor": services.two_factor_device(staff=staff),
        "password_form": PasswordForm(),
        "role_form": RoleForm(initial={"role": staff.role}),
        "team_form": TeamForm(initial={"team": staff.team.name}),
        "changes": staff.account_changes.select_related("requested_by", "decided_by")[:10],
        **extra,
    }


# The buttons of the staff page: each is a change the services make at once or leave
# for a second administrator (services.account_change_request).
CHANGES = {
    "enable": ChangeKind.ENABLE,
    "reset-two-factor": ChangeKind.TWO_FACTOR_RESET,
    "unlock": ChangeKind.UNLOCK,
}
DONE = {
    ChangeKind.PASSWORD: (
        "A temporary password is set: they choose their own at their next sign-in."
    ),
    ChangeKind.TWO_FACTOR_RESET: (
        "Two-factor sign-in is reset: they set up their app again at their next sign-in. "
        "Their sessions and API tokens have ended."
    ),
    ChangeKind.UNLOCK: "The lock-out after failed sign-ins is lifted.",
    ChangeKind.ROLE: "The role is changed.",
    ChangeKind.TEAM: "The team is changed.",
    ChangeKind.ENABLE: "The account is enabled.",
}
TOLD = " They and the DA leads have been told."
WAITING = "This change waits for a second administrator to approve it: the others have been told."


@admin_only
@require_POST
def staff_action(request: HttpRequest, username: str, action: str) -> HttpResponse:
    staff = get_object_or_404(Staff.objects.select_related("team"), username=username)
    by = signed_in_staff(request)
    if action == "disable":
        try:
            services.staff_disable(staff=staff, by=by)
        except Refusal as refusal:
            raise PermissionDenied(refusal.message) from refusal
        messages.success(request, "The account is disabled and its sessions have ended.")
        return redirect("staff-detail", username=staff.username)
    if action in CHANGES:
        return staff_change(request, staff, CHANGES[action])
    if action == "password":
        form: forms.Form = PasswordForm(request.POST)
        return staff_change(request, staff, ChangeKind.PASSWORD, form=form, field="password")
    if action == "role":
        return staff_change(
            request, staff, ChangeKind.ROLE, form=RoleForm(request.POST), field="role"
        )
    if action == "team":
        return staff_change(
            request, staff, ChangeKind.TEAM, form=TeamForm(request.POST), field="team"
        )
    raise Http404


def staff_change(
    request: HttpRequest,
    staff: Staff,
    kind: ChangeKind,
    *,
    form: forms.Form | None = None,
    field: str = "",
) -> HttpResponse:
    """Asks the services for the change; a refusal of the role (403) is the 403 page, any
    other is shown on the staff page with its form."""
    status = 400
    if form is None or form.is_valid():
        value = form.cleaned_data.get(field, "") if form is not None else ""
        try:
            change = services.account_change_request(
                staff=staff,
                kind=kind,
                by=signed_in_staff(request),
                value=value if kind != ChangeKind.PASSWORD else "",
                password=value if kind == ChangeKind.PASSWORD else "",
            )
        except Refusal as refusal:
            if refusal.status == 403:
                raise PermissionDenied(refusal.message) from refusal
            form = form or forms.Form()
            form.add_error(field or None, refusal.message)
            status = refusal.status if refusal.status == 409 else 400
        except ValidationError as error:  # only a password is validated
            form = form or forms.Form()
            form.add_error(field or None, error)
        else:
            if change.status == ChangeStatus.PENDING:
                messages.info(request, WAITING)
            else:
                messages.success(request, DONE[kind] + TOLD)
            return redirect("staff-detail", username=staff.username)
    forms_shown = {"password": "password_form", "role": "role_form", "team": "team_form"}
    extra = {forms_shown.get(field, "change_form"): form}
    return render(
        request, "accounts/staff_detail.html", staff_context(staff, **extra), status=status
    )


@admin_only
@require_POST
def change_decide(request: HttpRequest, change_id: int, decision: str) -> HttpResponse:
    """A second administrator approves or refuses a pending change (403 `own_request`
    for the one who asked, `own_account` for the person it is about)."""
    if decision not in ("approve", "refuse"):
        raise Http404
    change = get_object_or_404(AccountChange, pk=change_id)
    try:
        services.account_change_decide(
            change=change, by=signed_in_staff(request), approve=decision == "approve"
        )
    except Refusal as refusal:
        if refusal.status == 403:
            raise PermissionDenied(refusal.message) from refusal
        messages.error(request, refusal.message)
        return redirect("staff-index")
    messages.success(
        request,
        "The change is made; the person and the DA leads have been told."
        if decision == "approve"
        else "The change is refused.",
    )
    return redirect("staff-index")


@admin_only
@require_POST
def token_revoke(request: HttpRequest, username: str, token_id: int) -> HttpResponse:
    """An administrator may revoke anyone's token, never make one (API.md §1: tokens
    come from the person themselves or the operator's `safehold token create`)."""
    token = get_object_or_404(ApiToken, pk=token_id, staff__username=username)
    services.token_revoke(token=token, by=signed_in_staff(request))
    messages.success(request, f"The token {token.prefix}… is revoked; its owner has been told.")
    return redirect("staff-detail", username=username)
