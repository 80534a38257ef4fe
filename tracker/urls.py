"""The composition root: pages, the admin and the API."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path, register_converter
from django.utils.translation import gettext_lazy as _

from assessments import views as assessment_views
from plans import views as plan_views
from tasks import feeds
from tasks import views as task_views
from tasks.appendix import views as appendix_views
from tasks.inbox import views as inbox_views
from tasks.results import views as results_views
from tasks.scores import views as score_views
from tracker import accounts, dashboards, errors, health, report_views, views
from tracker.api import api


class IdConverter:
    """A row's id in a page's address: a number no larger than the database can hold.

    Django's `int` takes any length, and a 20-digit id made SQLite raise
    OverflowError (500); past the largest id there is no such page (404).
    """

    regex = "[0-9]{1,19}"
    largest = 2**63 - 1

    def to_python(self, value: str) -> int:
        number = int(value)
        if number > self.largest:
            raise ValueError(value)  # no match: 404
        return number

    def to_url(self, value: int) -> str:
        return str(value)


register_converter(IdConverter, "id")

admin.site.site_header = _("CCHC plan and task tracker")
admin.site.site_title = _("CCHC tracker")
admin.site.index_title = _("Administration")

urlpatterns = [
    path("", views.home, name="home"),
    path("health/", health.health, name="health"),
    path("dashboard/", dashboards.overview, name="overview"),
    path("dashboard/units/<id:pk>/", dashboards.unit_dashboard, name="unit_dashboard"),
    path("plans/<id:pk>/", task_views.plan_detail, name="plan_detail"),
    path("plans/<id:pk>/tasks/new/", task_views.task_create, name="task_create"),
    path("plans/<id:pk>/export.xlsx", task_views.plan_export, name="plan_export"),
    path("plans/<id:pk>/import/", appendix_views.import_page, name="plan_import"),
    path(
        "plans/<id:pk>/import/template.xlsx",
        appendix_views.import_template,
        name="plan_import_template",
    ),
    path("units/<id:pk>/task-results/", results_views.unit_results, name="unit_results"),
    path(
        "units/<id:pk>/task-results/<id:official_id>/",
        results_views.official_results,
        name="official_results",
    ),
    path("units/<id:pk>/task-results/do/", results_views.results_write, name="results_write"),
    path("me/task-results/", results_views.my_results, name="my_results"),
    path("plans/<id:pk>/reports/<slug:period>/", report_views.report_page, name="plan_report"),
    path(
        "plans/<id:pk>/reports/<slug:period>.docx",
        report_views.report_docx_view,
        name="plan_report_docx",
    ),
    path(
        "plans/<id:pk>/reports/<slug:period>.pdf",
        report_views.report_pdf_view,
        name="plan_report_pdf",
    ),
    path("plans/<id:pk>/scores/", score_views.plan_scores, name="plan_scores"),
    path("plans/<id:pk>/scores.xlsx", score_views.plan_scores_xlsx, name="plan_scores_xlsx"),
    path("plans/<id:pk>/scores/run/", score_views.plan_rollup, name="plan_rollup"),
    path(
        "plans/<id:pk>/scores/ranking/",
        score_views.plan_ranking_public,
        name="plan_ranking_public",
    ),
    path("plans/<id:pk>/scores/manual/", score_views.plan_manual_score, name="plan_manual_score"),
    path("plans/<id:pk>/indicators/", plan_views.plan_indicators, name="plan_indicators"),
    path("plans/<id:pk>/unit-plan/", plan_views.unit_plan_edit, name="unit_plan_edit"),
    path("indicators/<id:pk>/", plan_views.indicator_detail, name="indicator_detail"),
    path("plans/<id:pk>/assessment/new/", assessment_views.assessment_open, name="assessment_open"),
    path("assessments/<id:pk>/", assessment_views.assessment_detail, name="assessment_detail"),
    path("assessments/<id:pk>/dates/", assessment_views.assessment_dates, name="assessment_dates"),
    path(
        "assessments/<id:pk>/publish/",
        assessment_views.assessment_publish,
        name="assessment_publish",
    ),
    path("assessments/<id:pk>/results/", assessment_views.results_page, name="assessment_results"),
    path(
        "assessments/<id:pk>/results.xlsx",
        assessment_views.results_xlsx,
        name="assessment_results_xlsx",
    ),
    path(
        "assessments/<id:pk>/units/<id:unit_id>/",
        assessment_views.sheet_page,
        name="assessment_sheet",
    ),
    path(
        "assessments/<id:pk>/units/<id:unit_id>/items/<str:code>/",
        assessment_views.line_edit,
        name="assessment_line",
    ),
    path(
        "assessments/<id:pk>/units/<id:unit_id>/items/<str:code>/appraise/",
        assessment_views.line_appraise,
        name="assessment_appraise",
    ),
    path(
        "assessments/<id:pk>/units/<id:unit_id>/upload/",
        assessment_views.sheet_upload,
        name="assessment_upload",
    ),
    path(
        "assessments/<id:pk>/units/<id:unit_id>/submit/",
        assessment_views.sheet_submit,
        name="assessment_submit",
    ),
    path(
        "assessments/<id:pk>/units/<id:unit_id>/return/",
        assessment_views.sheet_return,
        name="assessment_return",
    ),
    path(
        "assessments/<id:pk>/units/<id:unit_id>/reopen/",
        assessment_views.sheet_reopen,
        name="assessment_reopen",
    ),
    path("assessments/files/<id:pk>/", assessment_views.sheet_file, name="assessment_file"),
    path("tasks/<id:pk>/", task_views.task_detail, name="task_detail"),
    path("tasks/<id:pk>/edit/", task_views.task_edit, name="task_edit"),
    path("tasks/<id:pk>/do/<slug:name>/", task_views.task_action, name="task_action"),
    path("tasks/<id:pk>/evidence/", task_views.evidence_upload, name="evidence_upload"),
    path("evidence/<id:pk>/download/", task_views.evidence_download, name="evidence_download"),
    path("evidence/<id:pk>/delete/", task_views.evidence_delete, name="evidence_delete"),
    path("extensions/<id:pk>/decide/", task_views.extension_decide, name="extension_decide"),
    path("review/", task_views.review_queue, name="review_queue"),
    path("inbox/", inbox_views.inbox_page, name="inbox"),
    path("inbox/read-all/", inbox_views.inbox_read_all, name="inbox_read_all"),
    path("inbox/<id:pk>/read/", inbox_views.notification_read, name="notification_read"),
    path("inbox/<id:pk>/", inbox_views.notification_open, name="notification_open"),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/profile/", accounts.profile, name="profile"),
    path("accounts/tokens/<id:pk>/revoke/", accounts.token_revoke, name="token_revoke"),
    path("accounts/calendar/reset/", accounts.calendar_reset, name="calendar_reset"),
    path("calendar/<str:token>.ics", feeds.calendar_feed, name="calendar_feed"),
    path("accounts/password/", accounts.PasswordChange.as_view(), name="password_change"),
    path("accounts/password/reset/", accounts.PasswordReset.as_view(), name="password_reset"),
    path(
        "accounts/password/reset/sent/",
        accounts.PasswordResetDone.as_view(),
        name="password_reset_done",
    ),
    path(
        "accounts/password/reset/<uidb64>/<token>/",
        accounts.PasswordResetConfirm.as_view(),
        name="password_reset_confirm",
    ),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
]

handler400 = errors.bad_request
handler403 = errors.permission_denied
handler404 = errors.page_not_found
handler500 = errors.server_error
