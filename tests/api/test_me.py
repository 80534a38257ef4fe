"""The API's roof: who the caller is, and JSON errors."""

from __future__ import annotations

import json
from typing import Any

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


def test_the_openapi_document_is_served_without_a_key_twice(client: Client) -> None:
    """Swagger UI refuses a document with a repeated key ("duplicated mapping key")."""
    repeated: list[str] = []

    def strict(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        keys = [key for key, _ in pairs]
        repeated.extend(key for key in set(keys) if keys.count(key) > 1)
        return dict(pairs)

    body = client.get("/api/v1/openapi.json").content.decode()
    document = json.loads(body, object_pairs_hook=strict)
    assert "/api/v1/me" in document["paths"]
    assert repeated == []
    download = document["paths"]["/api/v1/evidence/{evidence_id}/download"]["get"]
    assert download["responses"]["200"]["description"] == "The file, as uploaded"
