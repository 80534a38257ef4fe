"""The annual assessment's pages: opening, sheets, appraisal, results."""

from django.urls import path

from assessments import views as assessment_views
from kit import converters  # noqa: F401  (registers <id:...>)

app_name = "assessments"

urlpatterns = [
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
]
