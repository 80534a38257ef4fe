from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssessmentsConfig(AppConfig):
    name = "assessments"
    verbose_name = _("Annual assessment")

    def ready(self) -> None:
        # The assessment's reminders run on the one reminder engine, in their own words.
        from assessments.jobs import assessment_reminders_due
        from assessments.messages import describe
        from tasks.messages import register_wording
        from tasks.reminders.engine import register_source

        register_source(assessment_reminders_due)
        register_wording(describe)
