"""Template context shared by every page."""

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from plans.access import Action, may_anywhere, may_on_unit
from tasks.access import opens_review_queue
from tasks.models import Notification
from tracker.assets import plotly_js


def assets(request: HttpRequest) -> dict[str, object]:
    """The plotly.js bundle the chart pages load (tracker.assets)."""
    return {"plotly_js": plotly_js()}


def official(request: HttpRequest) -> dict[str, object]:
    """The signed-in official (if a view set one) and their unread count, for the header.

    The count is read only by a page that shows it (one query).
    """
    person = getattr(request, "official", None)
    if person is None:
        return {"official": None, "unread_count": 0, "header": {}}
    return {
        "official": person,
        # What the header links to, as WHO_MAY allows it.
        "header": {
            "overview": may_anywhere(person, Action.READ_OVERVIEW),
            "dashboard": may_on_unit(person, Action.READ_UNIT_DASHBOARD, person.unit_id),
            "review": opens_review_queue(person),
        },
        "unread_count": SimpleLazyObject(
            lambda: Notification.objects.filter(recipient=person, read_at__isnull=True).count()
        ),
    }
