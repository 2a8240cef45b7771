"""A person's own account: their password, their signed-in sessions and their API
tokens. Every page here acts on the signed-in person's own account only; another
person's session or token is 404, as if it did not exist."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import logout, update_session_auth_hash
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from safehold.accounts import services, sessions
from safehold.accounts.forms import OwnPasswordForm, ReauthForm
from safehold.accounts.models import ApiToken, SignedInSession
from safehold.accounts.selectors import account_alerts, signed_in_staff
from safehold.accounts.views import CLEAR_SITE_DATA
from safehold.errors import Refusal


def account(request: HttpRequest) -> HttpResponse:
    staff = signed_in_staff(request)
    context = {"nav": "account", "member": staff, "alerts": account_alerts(staff)}
    return render(request, "accounts/account.html", context)


@require_http_methods(["GET", "POST"])
def password_change(request: HttpRequest) -> HttpResponse:
    staff = signed_in_staff(request)
    form = OwnPasswordForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        old_key = str(request.session.session_key or "")
        try:
            changed = services.password_change(
                staff=staff,
                current=form.cleaned_data["current_password"],
                new=form.cleaned_data["new_password"],
                keep_session_key=old_key,
            )
        except Refusal as refusal:
            form.add_error(refusal.field, refusal.message)
            status = refusal.status if refusal.status == 429 else 400
        except ValidationError as error:
            form.add_error("new_password", error)
        else:
            update_session_auth_hash(request, changed)  # this session goes on, under a new key
            sessions.session_rekey(old_key=old_key, new_key=str(request.session.session_key))
            messages.success(
                request, "Your password is changed. Any other session of yours has ended."
            )
            return redirect("account")
    context = {"nav": "account", "form": form, "first": staff.password_change_required}
    if form.errors and status == 200:
        status = 400
    return render(request, "accounts/password_change.html", context, status=status)


def sessions_page(request: HttpRequest) -> HttpResponse:
    staff = signed_in_staff(request)
    current = sessions.key_hash(str(request.session.session_key or ""))
    context = {
        "nav": "account",
        "sessions": sessions.live_sessions(staff),
        "current": current,
    }
    return render(request, "accounts/sessions.html", context)


@require_POST
def session_end(request: HttpRequest, session_id: int) -> HttpResponse:
    staff = signed_in_staff(request)
    record = get_object_or_404(SignedInSession, pk=session_id, staff=staff)
    sessions.session_end(record=record, by=staff)
    if record.key_hash == sessions.key_hash(str(request.session.session_key or "")):
        services.sign_in_record(action="sign_out", username=staff.username)
        logout(request)
        response = redirect("signed-out")
        response["Clear-Site-Data"] = CLEAR_SITE_DATA
        return response
    messages.success(request, f"The session on {record.device} has ended.")
    return redirect("account-sessions")


@require_POST
def sessions_end_others(request: HttpRequest) -> HttpResponse:
    staff = signed_in_staff(request)
    ended = sessions.sessions_end_others(
        staff=staff, keep_key=str(request.session.session_key or "")
    )
    messages.success(request, f"Ended {ended} other session{'s' if ended != 1 else ''}.")
    return redirect("account-sessions")


@require_http_methods(["GET", "POST"])
def tokens(request: HttpRequest) -> HttpResponse:
    staff = signed_in_staff(request)
    form = ReauthForm(request.POST or None)
    new_token = ""
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            services.reauthenticate(
                staff=staff, password=form.cleaned_data["password"], code=form.cleaned_data["code"]
            )
        except Refusal as refusal:
            form.add_error(refusal.field, refusal.message)
            status = refusal.status if refusal.status == 429 else 400
        else:
            new_token = services.token_create(staff=staff, by=staff)
            form = ReauthForm()
    if form.errors and status == 200:
        status = 400
    context = {
        "nav": "account",
        "form": form,
        "new_token": new_token,
        "tokens": staff.api_tokens.all(),
    }
    return render(request, "accounts/tokens.html", context, status=status)


@require_POST
def token_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    staff = signed_in_staff(request)
    token = get_object_or_404(ApiToken, pk=token_id, staff=staff)
    services.token_revoke(token=token, by=staff)
    messages.success(request, f"The token {token.prefix}… is revoked.")
    return redirect("account-tokens")
