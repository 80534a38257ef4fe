from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TrackerConfig(AppConfig):
    name = "tracker"
    verbose_name = _("CCHC tracker")

    def ready(self) -> None:
        from tracker import security  # noqa: F401  (connects the security log's receivers)
