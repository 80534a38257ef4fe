"""Units and officials over the API: everyone reads, only admin writes."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client

from plans.models import Official, Role, Unit
from tests.conftest import home_unit, login, official, unit_of

pytestmark = pytest.mark.django_db


def post(client: Client, path: str, body: dict[str, Any]) -> Any:
    return client.post(path, json.dumps(body), content_type="application/json")


def test_units_list_with_their_head(client: Client) -> None:
    login(client, "snv.cv1")
    body = client.get("/api/v1/units?level=department&limit=500").json()
    assert body["count"] == Unit.objects.filter(level="department").count()
    snv = next(u for u in body["items"] if u["code"] == "snv")
    assert snv["head_id"] == official("snv.head").pk


def test_only_admin_creates_units_and_bad_values_are_422(client: Client) -> None:
    login(client, "snv.head")
    body = {"code": "so-moi", "name": "Sở Mới", "level": "department", "parent_id": None}
    assert post(client, "/api/v1/units", body).status_code == 403
    login(client, "admin")
    created = post(client, "/api/v1/units", body)
    assert created.status_code == 201 and created.json()["head_id"] is None
    duplicate = post(client, "/api/v1/units", body)
    assert duplicate.status_code == 422 and duplicate.json()["detail"]
    assert Unit.objects.filter(code="so-moi").count() == 1
    looped = client.patch(
        f"/api/v1/units/{home_unit('snv.head').parent_id}",
        json.dumps({"parent_id": unit_of("snv.head")}),
        content_type="application/json",
    )
    assert looped.status_code == 422


def test_creating_a_head_makes_them_the_units_head(client: Client) -> None:
    login(client, "admin")
    unit = home_unit("snv.head")
    weak = post(
        client,
        "/api/v1/officials",
        {
            "username": "snv.gd",
            "full_name": "Trần Văn Mới",
            "unit_id": unit.pk,
            "role": "head",
            "password": "123",
        },
    )
    assert weak.status_code == 422 and not User.objects.filter(username="snv.gd").exists()
    created = post(
        client,
        "/api/v1/officials",
        {
            "username": "snv.gd",
            "full_name": "Trần Văn Mới",
            "email": "snv.gd@lamdong.example",
            "unit_id": unit.pk,
            "role": "head",
            "password": "Giam-doc-2026!",
        },
    )
    assert created.status_code == 201, created.content
    assert "password" not in created.json()
    head = unit.head
    assert head is not None and head.user.username == "snv.gd"
    assert Official.objects.get(user__username="snv.head").role == Role.OFFICIAL
    assert client.get(f"/api/v1/units/{unit.pk}").json()["head_id"] == created.json()["id"]
