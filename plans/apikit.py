"""What every API router needs: the official calling, and the plan named in the path."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.translation import gettext as _

from kit.errors import NotAllowed, NotFound
from plans.models import Official, Plan
from plans.services import official_for


def caller(request: HttpRequest) -> Official:
    """The official making the request (token or session); 403 for a bare login."""
    # ninja sets request.auth to what the authentication answered: a login.
    official = official_for(request.auth)  # type: ignore[attr-defined]  # set by ninja's auth
    if official is None:
        raise NotAllowed(_("This login has no official profile."))
    return official


def get_plan(plan_id: int) -> Plan:
    """Plans are the province's published documents: every official reads them."""
    plan = Plan.objects.filter(pk=plan_id).first()
    if plan is None:
        raise NotFound(_("No such plan."))
    return plan
