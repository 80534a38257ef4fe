from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TasksConfig(AppConfig):
    name = "tasks"
    verbose_name = _("Tasks")

    def ready(self) -> None:
        # Scores follow the work: a change on any floor below asks, the worker here runs.
        from plans.rescore import score_request_waiting
        from tasks.scores.rescore import enqueue_score_request

        score_request_waiting.connect(enqueue_score_request, dispatch_uid="tasks-score-requests")
