from __future__ import annotations

from django.http import HttpRequest

from safehold.accounts.roles import is_partner, manages_staff
from safehold.cases.access import may_record_report, may_see_audit
from safehold.casework.services import may_approve
from safehold.reports.scope import may_see_reports
from safehold.risk.views import MARAC_VIEW_ROLES

SERVICE_NAME = "Safehold"


def service(request: HttpRequest) -> dict[str, object]:
    user = getattr(request, "user", None)
    signed_in = bool(user and user.is_authenticated)
    return {
        "service_name": SERVICE_NAME,
        "can_manage_staff": signed_in and manages_staff(user.role),  # type: ignore[union-attr]
        "can_work_cases": signed_in and may_record_report(user),  # type: ignore[arg-type]
        "can_audit": signed_in and may_see_audit(user),  # type: ignore[arg-type]
        "can_see_marac": signed_in and user.role in MARAC_VIEW_ROLES,  # type: ignore[union-attr]
        "can_approve": signed_in and may_approve(user),  # type: ignore[arg-type]
        "can_see_reports": signed_in and may_see_reports(user),  # type: ignore[arg-type]
        "is_partner": signed_in and is_partner(user.role),  # type: ignore[union-attr]
    }
