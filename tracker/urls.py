"""The composition root: pages, the admin and the API."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from assessments import views as assessment_views
from plans import views as plan_views
from tasks import appendix_views, feeds, inbox_views, results_views
from tasks import scores_views as score_views
from tasks import views as task_views
from tracker import accounts, dashboards, errors, report_views, views
from tracker.api import api

admin.site.site_header = _("CCHC plan and task tracker")
admin.site.site_title = _("CCHC tracker")
admin.site.index_title = _("Administration")

urlpatterns = [
    path("", views.home, name="home"),
    path("dashboard/", dashboards.overview, name="overview"),
    path("dashboard/units/<int:pk>/", dashboards.unit_dashboard, name="unit_dashboard"),
    path("plans/<int:pk>/", task_views.plan_detail, name="plan_detail"),
    path("plans/<int:pk>/tasks/new/", task_views.task_create, name="task_create"),
    path("plans/<int:pk>/export.xlsx", task_views.plan_export, name="plan_export"),
    path("plans/<int:pk>/import/", appendix_views.import_page, name="plan_import"),
    path(
        "plans/<int:pk>/import/template.xlsx",
        appendix_views.import_template,
        name="plan_import_template",
    ),
    path("units/<int:pk>/task-results/", results_views.unit_results, name="unit_results"),
    path(
        "units/<int:pk>/task-results/<int:official_id>/",
        results_views.official_results,
        name="official_results",
    ),
    path("units/<int:pk>/task-results/do/", results_views.results_write, name="results_write"),
    path("me/task-results/", results_views.my_results, name="my_results"),
    path("plans/<int:pk>/reports/<slug:period>/", report_views.report_page, name="plan_report"),
    path(
        "plans/<int:pk>/reports/<slug:period>.docx",
        report_views.report_docx_view,
        name="plan_report_docx",
    ),
    path(
        "plans/<int:pk>/reports/<slug:period>.pdf",
        report_views.report_pdf_view,
        name="plan_report_pdf",
    ),
    path("plans/<int:pk>/scores/", score_views.plan_scores, name="plan_scores"),
    path("plans/<int:pk>/scores.xlsx", score_views.plan_scores_xlsx, name="plan_scores_xlsx"),
    path("plans/<int:pk>/scores/run/", score_views.plan_rollup, name="plan_rollup"),
    path("plans/<int:pk>/scores/manual/", score_views.plan_manual_score, name="plan_manual_score"),
    path("plans/<int:pk>/indicators/", plan_views.plan_indicators, name="plan_indicators"),
    path("plans/<int:pk>/unit-plan/", plan_views.unit_plan_edit, name="unit_plan_edit"),
    path("indicators/<int:pk>/", plan_views.indicator_detail, name="indicator_detail"),
    path(
        "plans/<int:pk>/assessment/new/", assessment_views.assessment_open, name="assessment_open"
    ),
    path("assessments/<int:pk>/", assessment_views.assessment_detail, name="assessment_detail"),
    path("assessments/<int:pk>/dates/", assessment_views.assessment_dates, name="assessment_dates"),
    path(
        "assessments/<int:pk>/publish/",
        assessment_views.assessment_publish,
        name="assessment_publish",
    ),
    path("assessments/<int:pk>/results/", assessment_views.results_page, name="assessment_results"),
    path(
        "assessments/<int:pk>/results.xlsx",
        assessment_views.results_xlsx,
        name="assessment_results_xlsx",
    ),
    path(
        "assessments/<int:pk>/units/<int:unit_id>/",
        assessment_views.sheet_page,
        name="assessment_sheet",
    ),
    path(
        "assessments/<int:pk>/units/<int:unit_id>/items/<str:code>/",
        assessment_views.line_edit,
        name="assessment_line",
    ),
    path(
        "assessments/<int:pk>/units/<int:unit_id>/items/<str:code>/appraise/",
        assessment_views.line_appraise,
        name="assessment_appraise",
    ),
    path(
        "assessments/<int:pk>/units/<int:unit_id>/upload/",
        assessment_views.sheet_upload,
        name="assessment_upload",
    ),
    path(
        "assessments/<int:pk>/units/<int:unit_id>/submit/",
        assessment_views.sheet_submit,
        name="assessment_submit",
    ),
    path(
        "assessments/<int:pk>/units/<int:unit_id>/return/",
        assessment_views.sheet_return,
        name="assessment_return",
    ),
    path(
        "assessments/<int:pk>/units/<int:unit_id>/reopen/",
        assessment_views.sheet_reopen,
        name="assessment_reopen",
    ),
    path("assessments/files/<int:pk>/", assessment_views.sheet_file, name="assessment_file"),
    path("tasks/<int:pk>/", task_views.task_detail, name="task_detail"),
    path("tasks/<int:pk>/edit/", task_views.task_edit, name="task_edit"),
    path("tasks/<int:pk>/do/<slug:name>/", task_views.task_action, name="task_action"),
    path("tasks/<int:pk>/evidence/", task_views.evidence_upload, name="evidence_upload"),
    path("evidence/<int:pk>/download/", task_views.evidence_download, name="evidence_download"),
    path("evidence/<int:pk>/delete/", task_views.evidence_delete, name="evidence_delete"),
    path("extensions/<int:pk>/decide/", task_views.extension_decide, name="extension_decide"),
    path("review/", task_views.review_queue, name="review_queue"),
    path("inbox/", inbox_views.inbox_page, name="inbox"),
    path("inbox/read-all/", inbox_views.inbox_read_all, name="inbox_read_all"),
    path("inbox/<int:pk>/read/", inbox_views.notification_read, name="notification_read"),
    path("inbox/<int:pk>/", inbox_views.notification_open, name="notification_open"),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/profile/", accounts.profile, name="profile"),
    path("accounts/tokens/<int:pk>/revoke/", accounts.token_revoke, name="token_revoke"),
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
