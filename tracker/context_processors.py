"""Template context shared by every page."""

from django.http import HttpRequest


def official(request: HttpRequest) -> dict[str, object]:
    """The signed-in official (if a view set one) for the page header."""
    return {"official": getattr(request, "official", None)}
