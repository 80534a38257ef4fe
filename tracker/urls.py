"""The composition root: the roof's pages, each app's pages (namespaced), the admin and the API."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from kit import converters  # noqa: F401  (registers <id:...>)
from tracker import accounts, dashboards, errors, health, views
from tracker.api import api
from tracker.reports import views as report_views

admin.site.site_header = _("CCHC plan and task tracker")
admin.site.site_title = _("CCHC tracker")
admin.site.index_title = _("Administration")

urlpatterns = [
    path("", views.home, name="home"),
    path("health/", health.health, name="health"),
    path("dashboard/", dashboards.overview, name="overview"),
    path("dashboard/units/<id:pk>/", dashboards.unit_dashboard, name="unit_dashboard"),
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
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/profile/", accounts.profile, name="profile"),
    path("accounts/tokens/<id:pk>/revoke/", accounts.token_revoke, name="token_revoke"),
    path("accounts/calendar/reset/", accounts.calendar_reset, name="calendar_reset"),
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
    path("", include("plans.urls")),
    path("", include("tasks.urls")),
    path("", include("assessments.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
]

handler400 = errors.bad_request
handler403 = errors.permission_denied
handler404 = errors.page_not_found
handler500 = errors.server_error
