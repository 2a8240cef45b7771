"""The public pages: `/tell-us` (the form), `/tell-us/sent` and `/tell-us/our-policy`.

They answer without sign-in and set no cookie at all: the form carries no CSRF token
(it acts on nobody's authority, so another site sending it gains nothing it could not
send itself) and no session is touched. Every answer is `no-store`
(web.middleware.NoStoreMiddleware) and the form asks browsers not to fill in or keep
its answers. A sent form answers the same, and no sooner than
SAFEHOLD_PUBLIC_ANSWER_SECONDS after it arrived, whoever it names."""

from __future__ import annotations

import time

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from safehold.limits.addresses import REQUEST_ADDRESS
from safehold.policy.agencies import agencies_by_area
from safehold.policy.explain import policy_rules
from safehold.policy.loader import active_policy
from safehold.policy.schema import Policy
from safehold.public import guard, services
from safehold.public.forms import TellUsForm


def page_context(policy: Policy) -> dict[str, object]:
    """What every public page shows: the provider, the discreet title, the exit and the
    numbers to call (national ones first, then local ones with a number)."""
    # Every agency the public can reach (a number or a website), 999 said apart.
    helplines = [
        agency
        for agency in policy.agencies.values()
        if (agency.phone or agency.website) and agency.phone != "999"
    ]
    return {
        "policy": policy,
        "provider": policy.provider.name,
        "page_title": policy.public_page.title,
        "exit_to": policy.public_page.exit_to,
        "helplines": helplines,
        "provider_phone": policy.provider.phone,
    }


def response_promise(policy: Policy) -> str:
    rule = next(rule for rule in policy_rules(policy) if rule.setting == "response_target")
    return rule.text


def refused(request: HttpRequest, policy: Policy, turned: guard.Turned) -> HttpResponse:
    context = {**page_context(policy), "reason": turned.reason}
    return render(request, "public/refused.html", context, status=turned.status)


@csrf_exempt
@require_http_methods(["GET", "POST"])
def tell_us(request: HttpRequest) -> HttpResponse:
    policy = active_policy()
    if request.method == "GET":
        form = TellUsForm(policy=policy)
        return show(request, policy, form, guard.started_token())
    arrived = time.monotonic()
    try:
        return sent_form(request, policy)
    finally:
        # The same time for every sent form, whoever it names (docs/public-pages.md).
        left = settings.SAFEHOLD_PUBLIC_ANSWER_SECONDS - (time.monotonic() - arrived)
        if left > 0:
            time.sleep(left)


def sent_form(request: HttpRequest, policy: Policy) -> HttpResponse:
    turned = guard.before_reading(request) or guard.after_reading(request)
    if turned is not None:
        return refused(request, policy, turned)
    form = TellUsForm(request.POST, policy=policy)
    if not form.is_valid():
        return show(request, policy, form, request.POST.get(guard.STARTED, ""))
    # The sender's address is not written into the audit trail: the rate limit's
    # counters keep it only hashed, for the length of their window.
    token = REQUEST_ADDRESS.set("")
    try:
        services.report_send(sent=form.sent(), now=timezone.now())
    finally:
        REQUEST_ADDRESS.reset(token)
    return redirect("tell-us-sent", permanent=False)


def show(request: HttpRequest, policy: Policy, form: TellUsForm, started: str) -> HttpResponse:
    context = {
        **page_context(policy),
        "form": form,
        "started": started,
        "honeypot": guard.HONEYPOT,
    }
    return render(request, "public/tell_us.html", context)


@require_http_methods(["GET"])
def sent(request: HttpRequest) -> HttpResponse:
    policy = active_policy()
    context = {**page_context(policy), "promise": response_promise(policy)}
    return render(request, "public/sent.html", context)


@require_http_methods(["GET"])
def our_policy(request: HttpRequest) -> HttpResponse:
    policy = active_policy()
    context = {
        **page_context(policy),
        # What we promise residents; how letters are headed is for staff.
        "rules": [rule for rule in policy_rules(policy) if not rule.setting.startswith("provider")],
        "agencies": agencies_by_area(policy.agencies),
    }
    return render(request, "public/our_policy.html", context)
