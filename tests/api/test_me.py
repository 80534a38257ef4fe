"""The API's roof: who the caller is, and JSON errors."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.conftest import login

pytestmark = pytest.mark.django_db


def test_me_answers_the_signed_in_official(client: Client) -> None:
    official = login(client, "stp.cv1")
    body = client.get("/api/v1/me").json()
    assert body == {
        "id": official.pk,
        "username": "stp.cv1",
        "full_name": official.full_name,
        "email": "stp.cv1@lamdong.example",
        "unit_id": official.unit_id,
        "role": "official",
        "position": official.position,
    }


def test_an_anonymous_caller_gets_401_with_a_detail(client: Client) -> None:
    response = client.get("/api/v1/me")
    assert response.status_code == 401
    assert response.json() == {"detail": "Not authenticated."}


def test_the_openapi_document_is_served(client: Client) -> None:
    document = client.get("/api/v1/openapi.json").json()
    assert "/api/v1/me" in document["paths"]
