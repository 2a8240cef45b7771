"""The MARAC meeting pages (docs/marac.md): thin views over marac.services and
marac.selectors."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from safehold.accounts.selectors import signed_in_staff
from safehold.errors import Refusal
from safehold.marac import selectors, services
from safehold.marac.forms import ActionStatusForm, DecisionsForm, DiscussionForm, MeetingForm
from safehold.policy.loader import active_policy
from safehold.policy.sources import setting_sources


def refusal_field(refusal: Refusal, form: Any) -> str | None:
    """The form field a service's refusal names (`actions.2.due` is `due_2`)."""
    name = refusal.field or ""
    parts = name.split(".")
    if len(parts) == 3 and parts[0] == "actions":
        name = f"{parts[2]}_{parts[1]}"
    return name if name in form.fields else None


def meetings(request: HttpRequest) -> HttpResponse:
    user = signed_in_staff(request)
    rows = selectors.meetings_for(user)
    context = {
        "nav": "marac",
        "meetings": [(m, selectors.conference_name(m.conference)) for m in rows],
        "conferences": active_policy().marac.conferences,
        # Safehold's default where the policy names no MARAC (policy/sources.py).
        "conferences_default": setting_sources(active_policy())["marac.conferences"].source
        == "default",
    }
    return render(request, "marac/meetings.html", context)


@require_http_methods(["GET", "POST"])
def meeting_new(request: HttpRequest) -> HttpResponse:
    user = signed_in_staff(request)
    selectors.meetings_for(user, limit=0)  # 404 for a role that has no meetings
    policy = active_policy()
    form = MeetingForm(request.POST if request.method == "POST" else None, policy=policy)
    if request.method == "POST" and form.is_valid():
        try:
            meeting = services.meeting_create(
                conference=form.cleaned_data["conference"],
                held_on=form.cleaned_data["held_on"],
                by=user,
            )
        except Refusal as refusal:
            form.add_error(refusal_field(refusal, form), refusal.message)
        else:
            messages.success(request, "Meeting added and its list built")
            return redirect("marac-meeting", meeting_id=meeting.pk)
    return render(
        request,
        "marac/meeting_new.html",
        {"form": form, "nav": "marac"},
        status=400 if form.errors else 200,
    )


def meeting(request: HttpRequest, meeting_id: str) -> HttpResponse:
    user = signed_in_staff(request)
    found = selectors.meeting_for(user, meeting_id)
    hearings = selectors.hearings_seen_by(user, found, via="marac_meeting")
    repeats = selectors.repeats_seen_by(user, hearings)
    selectors.as_told(hearings, repeats)
    context = {
        "nav": "marac",
        "meeting": found,
        "conference": active_policy().marac.conferences.get(found.conference),
        "hearings": [(hearing, hearing.pk in repeats) for hearing in hearings],
        "several_conferences": len(active_policy().marac.conferences) > 1,
    }
    return render(request, "marac/meeting.html", context)


@require_POST
def meeting_list_build(request: HttpRequest, meeting_id: str) -> HttpResponse:
    user = signed_in_staff(request)
    found = selectors.meeting_for(user, meeting_id)
    services.meeting_list_build(meeting=found, by=user)
    messages.success(request, "The list now holds every MARAC referral sent since")
    return redirect("marac-meeting", meeting_id=found.pk)


@require_POST
def hearing_remove(request: HttpRequest, hearing_id: str) -> HttpResponse:
    user = signed_in_staff(request)
    hearing = selectors.hearing_for(user, hearing_id)
    try:
        services.hearing_remove(hearing=hearing, by=user)
    except Refusal as refusal:
        messages.error(request, refusal.message)
    else:
        messages.success(request, f"{hearing.case.reference} taken off this meeting's list")
    return redirect("marac-meeting", meeting_id=hearing.meeting_id)


@require_http_methods(["GET", "POST"])
def hearing_decisions(request: HttpRequest, hearing_id: str) -> HttpResponse:
    user = signed_in_staff(request)
    hearing = selectors.hearing_for(user, hearing_id)
    policy = active_policy()
    form = DecisionsForm(request.POST if request.method == "POST" else None, policy=policy)
    if request.method == "POST" and form.is_valid():
        try:
            services.hearing_decisions_record(
                hearing=hearing,
                by=user,
                notes=form.cleaned_data["notes"],
                actions=form.cleaned_data["actions"],
            )
        except Refusal as refusal:
            form.add_error(refusal_field(refusal, form), refusal.message)
        else:
            messages.success(request, "The MARAC's decisions are recorded")
            return redirect("marac-meeting", meeting_id=hearing.meeting_id)
    view = selectors.hearing_view(user, hearing, via="marac_hearing")
    context = {
        "nav": "marac",
        "form": form,
        "view": view,
        "hearing": hearing,
        "case": hearing.case,
        "waits": policy.marac.provider_actions_after_survivor_discussion,
    }
    return render(
        request, "marac/hearing_decisions.html", context, status=400 if form.errors else 200
    )


@require_http_methods(["GET", "POST"])
def survivor_discussion(request: HttpRequest, hearing_id: str) -> HttpResponse:
    user = signed_in_staff(request)
    hearing = selectors.hearing_for(user, hearing_id)
    form = DiscussionForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.survivor_discussion_record(
                hearing=hearing, by=user, note=form.cleaned_data["note"]
            )
        except Refusal as refusal:
            form.add_error(refusal_field(refusal, form), refusal.message)
        else:
            messages.success(request, "The discussion is recorded")
            return redirect("case", case_id=hearing.case_id)
    view = selectors.hearing_view(user, hearing, via="marac_hearing")
    context = {"nav": "marac", "form": form, "view": view, "hearing": hearing, "case": hearing.case}
    return render(
        request, "marac/survivor_discussion.html", context, status=400 if form.errors else 200
    )


@require_http_methods(["GET", "POST"])
def action_status(request: HttpRequest, action_id: str) -> HttpResponse:
    user = signed_in_staff(request)
    action = selectors.marac_action_for(user, action_id)
    form = ActionStatusForm(
        request.POST if request.method == "POST" else None, initial={"status": action.status}
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.marac_action_status_set(
                action=action,
                by=user,
                status=form.cleaned_data["status"],
                note=form.cleaned_data["note"],
            )
        except Refusal as refusal:
            form.add_error(refusal_field(refusal, form), refusal.message)
        else:
            messages.success(request, "The action's status is recorded")
            return redirect("case", case_id=action.case_id)
    hearing = selectors.hearing_for(user, action.hearing_id)
    view = selectors.hearing_view(user, hearing, via="marac_action")
    shown = next(a for a in view.actions if a.action.pk == action.pk)
    context = {
        "nav": "marac",
        "form": form,
        "shown": shown,
        "case": action.case,
        "hearing": hearing,
    }
    return render(request, "marac/action_status.html", context, status=400 if form.errors else 200)
