from django.urls import include, path

from safehold.accounts import account_views, staff_views
from safehold.accounts import views as accounts_views
from safehold.api.api import api
from safehold.cases import views as case_views
from safehold.casework import views as casework_views
from safehold.closure import views as closure_views
from safehold.desk import case_page, chronology, home, queue_pages
from safehold.evidence import views as evidence_views
from safehold.marac import pack_views
from safehold.partners import views as partner_views
from safehold.public import triage_views
from safehold.public import views as public_views
from safehold.records import views as records_views
from safehold.reports import views as report_views
from safehold.risk import views as risk_views
from safehold.web import policy_views
from safehold.web import views as web_views

urlpatterns = [
    path("", home.home, name="home"),
    path("healthz", web_views.healthz, name="healthz"),
    path("tell-us", public_views.tell_us, name="tell-us"),
    path("tell-us/sent", public_views.sent, name="tell-us-sent"),
    path("tell-us/our-policy", public_views.our_policy, name="tell-us-policy"),
    path("triage", triage_views.triage_queue, name="triage"),
    path("triage/<str:report_id>", triage_views.triage_report, name="triage-report"),
    path(
        "triage/<str:report_id>/<slug:decision>",
        triage_views.triage_decide,
        name="triage-decide",
    ),
    path("policy", policy_views.our_policy, name="our-policy"),
    path("reports/", report_views.report_page, name="reports"),
    path("reports/monitoring.csv", report_views.export_csv, name="report-csv"),
    path("reports/monitoring.xlsx", report_views.export_xlsx, name="report-xlsx"),
    path("reports/board-report.pdf", report_views.export_board, name="report-board"),
    path("sign-in", accounts_views.sign_in, name="sign-in"),
    path("sign-in/two-factor", accounts_views.two_factor, name="two-factor"),
    path("sign-out", accounts_views.sign_out, name="sign-out"),
    path("signed-out", accounts_views.signed_out, name="signed-out"),
    path("account/", account_views.account, name="account"),
    path("account/password", account_views.password_change, name="password-change"),
    path("account/sessions", account_views.sessions_page, name="account-sessions"),
    path(
        "account/sessions/end-others",
        account_views.sessions_end_others,
        name="account-sessions-end-others",
    ),
    path(
        "account/sessions/<int:session_id>/end",
        account_views.session_end,
        name="account-session-end",
    ),
    path("account/tokens", account_views.tokens, name="account-tokens"),
    path(
        "account/tokens/<int:token_id>/revoke",
        account_views.token_revoke,
        name="account-token-revoke",
    ),
    path("staff/", staff_views.staff_index, name="staff-index"),
    path("staff/new", staff_views.staff_new, name="staff-new"),
    path("staff/suspend-agency", staff_views.agency_suspend, name="staff-agency-suspend"),
    path("teams/", staff_views.teams, name="teams"),
    path(
        "staff/changes/<int:change_id>/<slug:decision>",
        staff_views.change_decide,
        name="staff-change-decide",
    ),
    path("staff/<str:username>/", staff_views.staff_detail, name="staff-detail"),
    path(
        "staff/<str:username>/tokens/<int:token_id>/revoke",
        staff_views.token_revoke,
        name="token-revoke",
    ),
    path("staff/<str:username>/<slug:action>", staff_views.staff_action, name="staff-action"),
    path("cases/", case_views.case_list, name="case-list"),
    path("cases/new", case_views.intake, name="case-new"),
    path("cases/search", case_views.search, name="case-search"),
    path("cases/break-glass", case_views.break_glass, name="break-glass"),
    path(
        "break-glass/<str:grant_id>",
        case_views.break_glass_request,
        name="break-glass-request",
    ),
    path("audit", case_views.audit_lookup, name="audit-lookup"),
    path("cases/<str:case_id>/", case_page.case_page, name="case"),
    path("cases/<str:case_id>/contacts/new", casework_views.contact_new, name="case-contact"),
    path("cases/<str:case_id>/assign", case_views.assign, name="case-assign"),
    path(
        "cases/<str:case_id>/people/<str:person_id>/edit",
        case_views.person_edit,
        name="person-edit",
    ),
    path("cases/<str:case_id>/evidence", evidence_views.evidence_page, name="case-evidence"),
    path(
        "cases/<str:case_id>/evidence/<str:evidence_id>",
        evidence_views.evidence_download,
        name="case-evidence-download",
    ),
    path(
        "cases/<str:case_id>/contact-interval",
        case_views.contact_interval,
        name="case-contact-interval",
    ),
    path(
        "cases/<str:case_id>/same-sex-officer",
        case_views.same_sex_officer_answer,
        name="case-same-sex-officer",
    ),
    path("cases/<str:case_id>/audit", case_views.audit_page, name="case-audit"),
    path("cases/<str:case_id>/chronology", chronology.chronology_page, name="case-chronology"),
    path("cases/<str:case_id>/records", records_views.case_records, name="case-records"),
    path(
        "cases/<str:case_id>/records/legal-hold",
        records_views.legal_hold,
        name="case-legal-hold",
    ),
    path("subject-access", records_views.subject_access_queue, name="subject-access-queue"),
    path(
        "subject-access/<str:request_id>",
        records_views.subject_access_request,
        name="subject-access-request",
    ),
    path(
        "subject-access/<str:request_id>/verification",
        records_views.subject_access_verification,
        name="subject-access-verification",
    ),
    path(
        "subject-access/<str:request_id>/cases",
        records_views.subject_access_cases,
        name="subject-access-cases",
    ),
    path(
        "subject-access/<str:request_id>/review",
        records_views.subject_access_review,
        name="subject-access-review",
    ),
    path(
        "subject-access/<str:request_id>/release",
        records_views.subject_access_release,
        name="subject-access-release",
    ),
    path(
        "subject-access/<str:request_id>/close",
        records_views.subject_access_close,
        name="subject-access-close",
    ),
    path(
        "subject-access/<str:request_id>/export.<slug:fmt>",
        records_views.subject_access_export,
        name="subject-access-export",
    ),
    path(
        "subject-access/<str:request_id>/complete",
        records_views.subject_access_complete,
        name="subject-access-complete",
    ),
    path("cases/<str:case_id>/risk/new", risk_views.assessment_new, name="risk-new"),
    path(
        "cases/<str:case_id>/risk/<str:assessment_id>/",
        risk_views.result,
        name="risk-result",
    ),
    path(
        "cases/<str:case_id>/risk/<str:assessment_id>/finish",
        risk_views.finish,
        name="risk-finish",
    ),
    path(
        "cases/<str:case_id>/risk/<str:assessment_id>/resume",
        risk_views.resume,
        name="risk-resume",
    ),
    path(
        "cases/<str:case_id>/risk/<str:assessment_id>/<slug:section_id>",
        risk_views.section,
        name="risk-section",
    ),
    path("cases/<str:case_id>/consents/new", casework_views.consent_new, name="consent-new"),
    path("cases/<str:case_id>/referrals/new", casework_views.referral_new, name="referral-new"),
    path("cases/<str:case_id>/actions/new", casework_views.action_new, name="action-new"),
    path("cases/<str:case_id>/reviews/new", casework_views.review_new, name="review-new"),
    path(
        "cases/<str:case_id>/perpetrator-interview/new",
        casework_views.interview_new,
        name="interview-new",
    ),
    path("actions/<str:action_id>/done", casework_views.action_done, name="action-done"),
    path("actions/<str:action_id>/cancel", casework_views.action_cancel, name="action-cancel"),
    path("actions/<str:action_id>/reopen", casework_views.action_reopen, name="action-reopen"),
    path("cases/<str:case_id>/letters/new", casework_views.letter_new, name="letter-new"),
    path("cases/<str:case_id>/close", closure_views.case_close, name="case-close"),
    path(
        "cases/<str:case_id>/closure/decision",
        closure_views.closure_decision,
        name="case-closure-decision",
    ),
    path(
        "cases/<str:case_id>/closure/evaluation",
        closure_views.closure_evaluation,
        name="case-closure-evaluation",
    ),
    path("cases/<str:case_id>/reopen", closure_views.case_reopen, name="case-reopen"),
    path("cases/<str:case_id>/feedback/new", closure_views.feedback_new, name="case-feedback-new"),
    path(
        "cases/<str:case_id>/feedback/request",
        closure_views.feedback_ask,
        name="case-feedback-request",
    ),
    path("cases/<str:case_id>/appeals/new", closure_views.appeal_new, name="case-appeal-new"),
    path("appeals/<str:appeal_id>/", closure_views.appeal_page, name="appeal"),
    path("documents/<str:document_id>", casework_views.document_download, name="document"),
    path("approvals", casework_views.approvals, name="approvals"),
    path("queues/<slug:slug>", queue_pages.queue, name="queue"),
    path(
        "referrals/<str:referral_id>/",
        casework_views.referral_decision,
        name="referral-decision",
    ),
    path(
        "referrals/<str:referral_id>/<slug:decision>",
        casework_views.referral_decide,
        name="referral-decide",
    ),
    path(
        "perpetrator-interviews/<str:interview_id>/",
        casework_views.interview_decision,
        name="interview-decision",
    ),
    path("risk", risk_views.risk_views, name="risk"),
    path("risk/<str:name>", risk_views.risk_list, name="risk-list"),
    path("marac", risk_views.marac, name="marac"),
    path("marac/meetings/<str:meeting_id>/pack", pack_views.meeting_pack, name="marac-pack"),
    path("marac/", include("safehold.marac.urls")),
    path("partner/", partner_views.partner_home, name="partner-home"),
    path("partner/cases/<str:case_id>/", partner_views.partner_case, name="partner-case"),
    path(
        "partner/cases/<str:case_id>/updates/new",
        partner_views.partner_update_new,
        name="partner-update-new",
    ),
    path(
        "partner/cases/<str:case_id>/marac-actions/<str:action_id>/status",
        partner_views.partner_marac_status,
        name="partner-marac-status",
    ),
    path(
        "partner/cases/<str:case_id>/uploads/new",
        partner_views.partner_upload_new,
        name="partner-upload-new",
    ),
    path(
        "partner/cases/<str:case_id>/uploads/<str:document_id>",
        partner_views.partner_upload,
        name="partner-upload",
    ),
    path(
        "cases/<str:case_id>/partner-documents/<str:document_id>",
        partner_views.staff_partner_upload,
        name="case-partner-document",
    ),
    path(
        "partner/cases/<str:case_id>/documents/<str:document_id>",
        partner_views.partner_document,
        name="partner-document",
    ),
    path(
        "cases/<str:case_id>/partner-sharing",
        partner_views.restricted_share_new,
        name="restricted-share-new",
    ),
    path("partner-sharing/", partner_views.restricted_shares, name="restricted-shares"),
    path(
        "partner-sharing/<str:share_id>",
        partner_views.restricted_share,
        name="restricted-share",
    ),
    path("api/v1/", api.urls),
]

handler400 = "safehold.web.views.error_400"
handler403 = "safehold.web.views.error_403"
handler404 = "safehold.web.views.error_404"
handler500 = "safehold.web.views.error_500"
