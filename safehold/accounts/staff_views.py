"""Pages where an administrator manages staff accounts and API tokens.

Administrators see accounts and settings only, never case content (API.md §4)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from axes.utils import reset as axes_reset
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from safehold.accounts import selectors, services
from safehold.accounts.forms import PasswordForm, StaffCreateForm
from safehold.accounts.models import ApiToken, Staff
from safehold.accounts.roles import manages_staff
from safehold.accounts.selectors import signed_in_staff
from safehold.errors import Refusal

View = Callable[..., HttpResponse]


def admin_only(view: View) -> View:
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not manages_staff(request.user.role):  # type: ignore[union-attr]
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


@admin_only
def staff_index(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/staff_index.html", {"staff_list": selectors.staff_list()})


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
            return redirect("staff-detail", username=staff.username)
    return render(
        request, "accounts/staff_new.html", {"form": form}, status=400 if form.errors else 200
    )


def refusal_field(refusal: Refusal) -> str | None:
    return {"username_taken": "username", "team_required": "team"}.get(refusal.code)


@admin_only
def staff_detail(request: HttpRequest, username: str) -> HttpResponse:
    staff = get_object_or_404(Staff.objects.select_related("team"), username=username)
    return render(request, "accounts/staff_detail.html", staff_context(staff))


def staff_context(staff: Staff, **extra: Any) -> dict[str, Any]:
    return {
        "member": staff,
        "tokens": staff.api_tokens.all(),
        "two_factor": services.two_factor_device(staff=staff),
        "password_form": PasswordForm(),
        **extra,
    }


@admin_only
@require_POST
def staff_action(request: HttpRequest, username: str, action: str) -> HttpResponse:
    staff = get_object_or_404(Staff, username=username)
    if action == "disable":
        if staff.pk == request.user.pk:
            raise PermissionDenied("You cannot disable your own account")
        services.staff_disable(staff=staff, by=signed_in_staff(request))
    elif action == "enable":
        services.staff_enable(staff=staff, by=signed_in_staff(request))
    elif action == "reset-two-factor":
        services.two_factor_reset(staff=staff, by=signed_in_staff(request))
    elif action == "unlock":
        axes_reset(username=staff.username)
    elif action == "token":
        token = services.token_create(staff=staff, by=signed_in_staff(request))
        return render(request, "accounts/staff_detail.html", staff_context(staff, new_token=token))
    elif action == "password":
        return staff_password(request, staff)
    else:
        raise PermissionDenied
    return redirect("staff-detail", username=staff.username)


def staff_password(request: HttpRequest, staff: Staff) -> HttpResponse:
    form = PasswordForm(request.POST)
    if form.is_valid():
        try:
            services.staff_set_password(
                staff=staff,
                password=form.cleaned_data["password"],
                by=signed_in_staff(request),
            )
        except ValidationError as error:
            form.add_error("password", error)
        else:
            return redirect("staff-detail", username=staff.username)
    context = staff_context(staff, password_form=form)
    return render(request, "accounts/staff_detail.html", context, status=400)


@admin_only
@require_POST
def token_revoke(request: HttpRequest, username: str, token_id: int) -> HttpResponse:
    token = get_object_or_404(ApiToken, pk=token_id, staff__username=username)
    services.token_revoke(token=token, by=signed_in_staff(request))
    return redirect("staff-detail", username=username)
