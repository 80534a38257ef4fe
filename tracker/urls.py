"""The composition root: the roof's pages, each app's pages (namespaced), the admin and the API.

The `id` converter is registered here, before the apps' URLs are included.
"""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path, register_converter
from django.utils.translation import gettext_lazy as _

from tracker import accounts, dashboards, errors, health, views
from tracker.api import api
from tracker.reports import views as report_views


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
