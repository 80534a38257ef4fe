"""The tasks' pages: a plan's tasks, a task's workflow, evidence, the review queue, the inbox,
the appendix in and out, task results, the scores, the calendar feed."""

from django.urls import path

from kit import converters  # noqa: F401  (registers <id:...>)
from tasks import feeds
from tasks import views as task_views
from tasks.appendix import views as appendix_views
from tasks.inbox import views as inbox_views
from tasks.results import views as results_views
from tasks.scores import views as score_views

app_name = "tasks"

urlpatterns = [
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
    path("plans/<id:pk>/scores/", score_views.plan_scores, name="plan_scores"),
    path("plans/<id:pk>/scores.xlsx", score_views.plan_scores_xlsx, name="plan_scores_xlsx"),
    path("plans/<id:pk>/scores/run/", score_views.plan_rollup, name="plan_rollup"),
    path(
        "plans/<id:pk>/scores/ranking/",
        score_views.plan_ranking_public,
        name="plan_ranking_public",
    ),
    path("plans/<id:pk>/scores/manual/", score_views.plan_manual_score, name="plan_manual_score"),
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
    path("calendar/<str:token>.ics", feeds.calendar_feed, name="calendar_feed"),
]
