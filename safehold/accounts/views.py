"""Sign-in in two steps (password, then a code from an authenticator app) and sign-out.

The account is only logged in once its code is checked: until then the session holds a
pending sign-in that expires after a few minutes, so no page can be reached halfway."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import segno
from django.conf import settings
from django.contrib.auth import login, logout
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from safehold.accounts import services, sessions
from safehold.accounts.forms import CodeForm, SignInForm
from safehold.accounts.middleware import SIGNED_IN_AT
from safehold.accounts.models import Staff
from safehold.limits.addresses import client_address

PENDING_STAFF = "safehold_pending_staff"
PENDING_AT = "safehold_pending_at"
PENDING_NEXT = "safehold_pending_next"
PENDING_LIFETIME = timedelta(minutes=5)
CLEAR_SITE_DATA = '"cache", "cookies", "storage"'


@require_http_methods(["GET", "POST"])
def sign_in(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("home")
    form = SignInForm(request, data=request.POST or None)
    if request.method == "POST" and not form.is_valid():
        services.sign_in_record(
            action="sign_in.password_refused", username=request.POST.get("username", "")[:150]
        )
    if request.method == "POST" and form.is_valid():
        staff = form.get_user()
        request.session.cycle_key()
        request.session[PENDING_STAFF] = staff.pk
        request.session[PENDING_AT] = timezone.now().isoformat()
        request.session[PENDING_NEXT] = safe_next(request, request.GET.get("next", ""))
        return redirect("two-factor")
    context = {"form": form, "expired": request.GET.get("expired") == "1"}
    return render(request, "accounts/sign_in.html", context, status=400 if form.errors else 200)


def safe_next(request: HttpRequest, target: str) -> str:
    allowed = url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return target if target.startswith("/") and allowed else reverse("home")


def pending_staff(request: HttpRequest) -> Staff | None:
    started = request.session.get(PENDING_AT)
    if started is None or timezone.now() - datetime.fromisoformat(started) > PENDING_LIFETIME:
        return None
    staff_id = request.session.get(PENDING_STAFF)
    if not isinstance(staff_id, int):
        return None
    return Staff.objects.filter(pk=staff_id, is_active=True).first()


@require_http_methods(["GET", "POST"])
def two_factor(request: HttpRequest) -> HttpResponse:
    staff = pending_staff(request)
    if staff is None:
        for key in (PENDING_STAFF, PENDING_AT, PENDING_NEXT):
            request.session.pop(key, None)
        return redirect(f"{reverse('sign-in')}?expired=1")
    device = services.two_factor_device(staff=staff)
    enrolling = device is None
    if device is None:
        device = services.two_factor_enrolment_start(staff=staff)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        refusal = code_refusal(device, form.cleaned_data["code"], enrolling=enrolling)
        if refusal is None:
            return complete_sign_in(request, staff, device)
        services.sign_in_record(action="sign_in.code_refused", username=staff.username)
        form.add_error("code", refusal)
    context: dict[str, Any] = {"form": form, "staff": staff, "enrolling": enrolling}
    if enrolling:
        context["qr_svg"] = segno.make(device.config_url, error="m").svg_inline(
            scale=5, svgclass="safehold-qr", title="QR code to add Safehold to your app"
        )
        context["secret"] = " ".join(wrapped(device_secret(device), 4))
    template = "accounts/two_factor_setup.html" if enrolling else "accounts/two_factor.html"
    return render(request, template, context, status=400 if form.errors else 200)


WRONG_CODE = "That code is not right, has expired or has been used. Enter the newest code"
THROTTLED = "Too many wrong codes. Wait a minute, then enter the newest code from your app"


def code_refusal(device: TOTPDevice, code: str, *, enrolling: bool) -> str | None:
    """Why the code is refused, or None when it is accepted (and now used up)."""
    allowed, _ = device.verify_is_allowed()
    if not allowed:
        return THROTTLED
    if enrolling:
        accepted = services.two_factor_enrolment_confirm(device=device, code=code)
    else:
        accepted = device.verify_token(code)
    return None if accepted else WRONG_CODE


def device_secret(device: TOTPDevice) -> str:
    from base64 import b32encode

    return b32encode(device.bin_key).decode("ascii").rstrip("=")


def wrapped(text: str, size: int) -> list[str]:
    return [text[i : i + size] for i in range(0, len(text), size)]


def complete_sign_in(request: HttpRequest, staff: Staff, device: TOTPDevice) -> HttpResponse:
    target = request.session.get(PENDING_NEXT) or reverse("home")
    login(request, staff, backend="django.contrib.auth.backends.ModelBackend")
    otp_login(request, device)
    for key in (PENDING_STAFF, PENDING_AT, PENDING_NEXT):
        request.session.pop(key, None)
    request.session[SIGNED_IN_AT] = timezone.now().isoformat()
    if request.session.session_key is None:  # login() has given it a new one already
        request.session.save()
    sessions.session_start(
        staff=staff,
        session_key=str(request.session.session_key),
        address=client_address(request),
        user_agent=request.headers.get("User-Agent", ""),
    )
    services.sign_in_record(action="sign_in.succeeded", username=staff.username)
    if staff.password_change_required:
        return redirect("password-change")
    return HttpResponseRedirect(target)


@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        services.sign_in_record(action="sign_out", username=request.user.get_username())
        sessions.session_end_current(session_key=request.session.session_key, reason="signed_out")
    logout(request)
    response = redirect("signed-out")
    response["Clear-Site-Data"] = CLEAR_SITE_DATA
    return response


def signed_out(request: HttpRequest) -> HttpResponse:
    response = render(request, "accounts/signed_out.html")
    response["Clear-Site-Data"] = CLEAR_SITE_DATA
    return response


def locked_out(
    request: HttpRequest, original_response: HttpResponse | None = None, *args: Any, **kwargs: Any
) -> HttpResponse:
    """django-axes calls this when an account has had too many failed sign-ins."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    locked = (
        "Signing in from here is locked after too many failed attempts. Try again in "
        f"{minutes} minutes, or ask an administrator to lift the lock-out."
    )
    # Limited per address and minute: a locked-out guesser cannot flood the audit trail.
    services.sign_in_record(
        action="sign_in.locked_out",
        username=request.POST.get("username", "")[:150],
        limit_key=f"locked_out:{client_address(request)}",
    )
    context = {"form": SignInForm(request), "locked": locked}
    return render(request, "accounts/sign_in.html", context, status=429)
