"""The daily email digest: what is due and overdue for each officer and manager, by case
reference only. No survivor detail ever goes into an email; the link leads to Safehold,
where the reader signs in."""

from __future__ import annotations

from datetime import datetime

from django.core.mail import send_mail
from django.utils import timezone

from safehold.accounts.models import Staff
from safehold.accounts.roles import Role
from safehold.desk import queues
from safehold.privacy import audit
from safehold.web import words

RECIPIENT_ROLES = (Role.OFFICER, Role.MANAGER)


def digest_lines(user: Staff, now: datetime) -> list[str]:
    lines = []
    sections = (
        (
            "Awaiting first contact",
            [(c.reference, c.response_due_at) for c in queues.first_contact(user, now)[:50]],
        ),
        ("Actions due", [(a.case.reference, a.due_at) for a in queues.actions(user, now)[:50]]),
        ("Reviews due", [(c.reference, None) for c in queues.reviews(user, now)[:50]]),
        (
            "Contacts due",
            [(c.reference, c.next_contact_due_at) for c in queues.contacts(user, now)[:50]],
        ),
    )
    for title, rows in sections:
        if not rows:
            continue
        lines.append(f"{title}:")
        for reference, due in rows:
            # In GOV.UK's words, as on the pages: "due 5 December 2026, 2:36pm".
            when = f"due {words.moment(due)}" if due else ""
            overdue = " OVERDUE" if due and due < now else ""
            lines.append(f"  {reference} {when}{overdue}".rstrip())
    return lines


def digest_send(*, now: datetime | None = None, base_url: str = "") -> int:
    """Sends each officer and manager with an email address their digest; returns how
    many were sent. Audited as one entry per email, naming only the recipient."""
    now = now or timezone.now()
    sent = 0
    for user in Staff.objects.filter(is_active=True, role__in=RECIPIENT_ROLES).exclude(email=""):
        lines = digest_lines(user, now)
        if not lines:
            continue
        body = "\n".join(
            [
                f"Good morning {user.get_short_name()},",
                "",
                "This is what is due on your cases. Sign in to Safehold to see them.",
                "",
                *lines,
                "",
                base_url or "",
                "This email holds case references only.",
            ]
        )
        send_mail(
            subject="Safehold: what is due today",
            message=body,
            from_email=None,
            recipient_list=[user.email],
            fail_silently=False,
        )
        audit.record(actor="", action="digest.sent", target_type="staff", target_id=user.username)
        sent += 1
    return sent
