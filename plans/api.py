"""The ground floor's endpoints: who the caller is."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Schema
from ninja.errors import HttpError

from plans.services import official_for

router = Router(tags=["organisation"])


class OfficialOut(Schema):
    id: int
    username: str
    full_name: str
    email: str
    unit_id: int | None
    role: str


@router.get("/me", response=OfficialOut, summary="The caller as an official")
def me(request: HttpRequest) -> OfficialOut:
    official = official_for(request.user)
    if official is None:
        raise HttpError(403, "This login has no official profile.")
    return OfficialOut(
        id=official.pk,
        username=official.user.get_username(),
        full_name=official.full_name,
        email=official.user.email,
        unit_id=official.unit_id,
        role=official.role,
    )
