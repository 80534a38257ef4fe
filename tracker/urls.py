"""The composition root: pages, the admin and the API."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from tasks import views as task_views
from tracker import views
from tracker.api import api

admin.site.site_header = _("CCHC plan and task tracker")
admin.site.site_title = _("CCHC tracker")
admin.site.index_title = _("Administration")

urlpatterns = [
    path("", views.home, name="home"),
    path("plans/<int:pk>/", task_views.plan_detail, name="plan_detail"),
    path("tasks/<int:pk>/", task_views.task_detail, name="task_detail"),
    path("evidence/<int:pk>/download/", task_views.evidence_download, name="evidence_download"),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
]
