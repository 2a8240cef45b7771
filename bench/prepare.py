"""What bench/serve.py needs from a loaded database, made inside it: a member of staff
who can read and record cases (a synth team's manager), with an API token and a
signed-in web session, the cases they may see, a survivor's name to search for, and an
intake body. For bench/load.py, also BENCH_OFFICERS officers of that team, each with a
token and a signed-in web session, and BENCH_MANAGERS signed-in sessions of the synth
team managers in turn, each with cases they may see and a name to search for. Run by
bench/serve.py and bench/load.py in the database's own environment:

    SAFEHOLD_ENV=development DATABASE_URL=... .venv/bin/python bench/prepare.py OUT.json

It refuses a production database, as synth does. Only for benchmarks."""

from __future__ import annotations

import itertools
import json
import os
import sys
from pathlib import Path
from typing import Any

import common  # noqa: F401 - puts the project on sys.path

READS = 500  # distinct cases the read scenario cycles through
MANAGER_CASES = 100  # distinct cases each manager in the load test opens


def main(out: Path) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "safehold.settings")
    import django

    django.setup()
    from django.conf import settings

    if settings.SAFEHOLD_ENV == "production":
        sys.exit("bench/prepare.py refuses a production database")
    out.write_text(json.dumps(fixture(), indent=2))
    return 0


def fixture() -> dict[str, Any]:
    from safehold.accounts.models import Staff
    from safehold.accounts.roles import Role
    from safehold.accounts.services import token_create
    from safehold.cases import access, sealing
    from safehold.cases.models import Person, PersonRole

    staff = Staff.objects.filter(role=Role.MANAGER, username__startswith="synth.").order_by(
        "username"
    )[0]
    visible = access.cases_visible_to(staff)
    case_ids = list(visible.order_by("-reported_at").values_list("id", flat=True)[:READS])
    survivor = (
        Person.objects.filter(case_id=case_ids[len(case_ids) // 2], role=PersonRole.SURVIVOR)
        .select_related("case__data_key")
        .get()
    )
    name = sealing.unseal(survivor.case.data_key, survivor)["name"]
    return {
        **load_people(staff),
        "username": staff.username,
        "cases_visible": visible.count(),
        "case_ids": case_ids,
        "token": token_create(staff=staff),
        "session_cookie": signed_in_session(staff),
        "search_body": {"q": name},
        "intake_body": intake_body(),
    }


def load_people(manager: Any) -> dict[str, Any]:
    """The load test's people (bench/locustfile.py): BENCH_OFFICERS officers in the
    manager's team, each with a token and a web session, the queues an officer's home
    page counts, and BENCH_MANAGERS web sessions of the synth team managers in turn."""
    from safehold.accounts.models import Staff
    from safehold.accounts.roles import Role
    from safehold.accounts.services import token_create

    officers = []
    for n in range(int(os.environ.get("BENCH_OFFICERS", "0"))):
        officer, _ = Staff.objects.get_or_create(
            username=f"load.officer{n + 1}",
            defaults={"full_name": f"Load Officer {n + 1}", "role": Role.OFFICER,
                      "sex": "female", "team": manager.team, "trained": True},
        )  # fmt: skip
        officers.append(officer)
    managers = list(
        Staff.objects.filter(role=Role.MANAGER, username__startswith="synth.").order_by("username")
    )
    chosen = list(
        itertools.islice(itertools.cycle(managers), int(os.environ.get("BENCH_MANAGERS", "0")))
    )
    pages = {m.pk: manager_pages(m) for m in set(chosen)}
    return {
        "officer_tokens": [token_create(staff=officer) for officer in officers],
        "officer_sessions": [web_session(officer) for officer in officers],
        "officer_queues": queue_pages(officers[0]) if officers else {},
        "managers": [{"session_cookie": web_session(m), **pages[m.pk]} for m in chosen],
    }


def web_session(staff: Any) -> str:
    """A session cookie as sign-in leaves it, with its row (accounts/sessions.py) so
    that SessionRecordMiddleware accepts it, as bench/pages.py `client_for` does."""
    from safehold.accounts.sessions import session_start

    cookie = signed_in_session(staff)
    key = cookie.split("=", 1)[1]
    session_start(staff=staff, session_key=key, address="127.0.0.1", user_agent="bench/load")
    return cookie


def queue_pages(staff: Any) -> dict[str, str]:
    """The queues this person's home page counts, by name, with their paths."""
    from safehold.desk import queues

    paths = {"approvals": "/approvals", "triage": "/triage"}
    return {
        f"queue: {queue.slug}": paths.get(queue.slug, f"/queues/{queue.slug}")
        for queue, _ in queues.counts(staff)
    }


def manager_pages(manager: Any) -> dict[str, Any]:
    """A manager's queues, `MANAGER_CASES` of the newest cases they may see, and a
    survivor's name among them to search for."""
    from safehold.cases import access, sealing
    from safehold.cases.models import Person, PersonRole

    case_ids = list(
        access.cases_visible_to(manager)
        .order_by("-reported_at", "-id")
        .values_list("id", flat=True)[:MANAGER_CASES]
    )
    survivor = (
        Person.objects.filter(case_id=case_ids[0], role=PersonRole.SURVIVOR)
        .select_related("case__data_key")
        .get()
    )
    return {
        "username": manager.username,
        "queues": queue_pages(manager),
        "case_ids": case_ids,
        "search_name": sealing.unseal(survivor.case.data_key, survivor)["name"],
    }


def signed_in_session(staff: Any) -> str:
    """A session as a sign-in with a second factor leaves it (accounts.views
    complete_sign_in), for the web pages."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.utils import timezone
    from django_otp import DEVICE_ID_SESSION_KEY

    from safehold.accounts.middleware import SIGNED_IN_AT
    from safehold.accounts.models import Authenticator
    from safehold.accounts.services import authenticator_create
    from safehold.accounts.session_store import SessionStore

    device = Authenticator.objects.filter(user=staff, name="bench").first()
    if device is None:
        device = authenticator_create(staff=staff, name="bench", confirmed=True)
    session = SessionStore()
    session[SESSION_KEY] = str(staff.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = staff.get_session_auth_hash()
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session[SIGNED_IN_AT] = timezone.now().isoformat()
    session.create()
    return f"{settings.SESSION_COOKIE_NAME}={session.session_key}"


def intake_body() -> dict[str, Any]:
    """A report as an officer records one: a survivor with safe contact details, one
    alleged perpetrator (to the caller's own team), two kinds of abuse and a summary."""
    return {
        "source": "self",
        "survivor": {
            "name": "Bench Survivor",
            "date_of_birth": "1990-04-01",
            "sex": "female",
            "address": "1 Bench Street, Leeds LS1 1AA",
            "safe_contact": {"phone": "07700 900123", "voicemail_ok": False, "post_ok": False},
            "ethnicity": "prefer_not_to_say",
        },
        "alleged_perpetrators": [
            {"name": "Bench Perpetrator", "relationship": "partner", "is_resident": True}
        ],
        "abuse_types": ["physical", "emotional"],
        "summary": "Reported by phone; benchmark intake.",
        "requests": {"same_sex_officer": False},
    }


if __name__ == "__main__":
    raise SystemExit(main(Path(sys.argv[1])))
