"""Requests safe to retry: the same Idempotency-Key answers the first answer and creates nothing."""

from __future__ import annotations

import datetime as dt
import json
import uuid

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from plans.models import IdempotentRequest
from tasks import services
from tasks.models import Evidence, ExtensionRequest, Task
from tests.api.test_tasks_api import Api
from tests.conftest import PASSWORD, PDF, TODAY
from tests.factories import Province
from tracker.idempotency import forget_expired

pytestmark = pytest.mark.django_db


def new_task(p: Province) -> dict[str, object]:
    return {
        "title": "Rà soát quy chế làm việc",
        "area": 1,
        "lead_unit_id": p.lead.pk,
        "due_date": (TODAY + dt.timedelta(days=30)).isoformat(),
    }


def test_the_same_key_twice_makes_one_task_and_answers_the_same(
    client: Client, province: Province
) -> None:
    api = Api(client, province.plan_head)
    key = str(uuid.uuid4())
    path = f"/plans/{province.plan.pk}/tasks"
    first = api.send("post", path, new_task(province), **{"Idempotency-Key": key})
    again = api.send("post", path, new_task(province), **{"Idempotency-Key": key})
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json() and again["Idempotent-Replayed"] == "true"
    assert Task.objects.filter(title="Rà soát quy chế làm việc").count() == 1
    # Another key is another request.
    other = api.send("post", path, new_task(province), **{"Idempotency-Key": str(uuid.uuid4())})
    assert other.status_code == 201
    assert Task.objects.filter(title="Rà soát quy chế làm việc").count() == 2


def test_a_key_sent_with_another_body_is_refused(client: Client, province: Province) -> None:
    api = Api(client, province.plan_head)
    key = str(uuid.uuid4())
    path = f"/plans/{province.plan.pk}/tasks"
    assert api.send("post", path, new_task(province), **{"Idempotency-Key": key}).status_code == 201
    changed = {**new_task(province), "title": "Một nhiệm vụ khác"}
    refused = api.send("post", path, changed, **{"Idempotency-Key": key})
    assert refused.status_code == 422
    assert "another request" in refused.json()["detail"]
    assert not Task.objects.filter(title="Một nhiệm vụ khác").exists()


def test_an_evidence_upload_and_an_extension_request_sent_twice_are_made_once(
    client: Client, province: Province
) -> None:
    fresh_task = province.task()
    api = Api(client, province.assignee)
    key = str(uuid.uuid4())
    services.start_task(province.assignee, fresh_task)
    # Without a key two uploads are two pieces of evidence; with one, one.
    for _ in range(2):
        answer = api.upload(
            f"/tasks/{fresh_task.pk}/evidence", "bien-ban.pdf", PDF, document_number="15/BB"
        )
        assert answer.status_code == 201
    assert Evidence.objects.filter(task=fresh_task).count() == 2
    keyed = [
        api.client.post(
            f"/api/v1/tasks/{fresh_task.pk}/evidence",
            {"file": upload_of(), "document_number": "16/BB"},
            headers={**api.headers, "Idempotency-Key": key},
        )
        for _ in range(2)
    ]
    assert [a.status_code for a in keyed] == [201, 201]
    assert keyed[0].json() == keyed[1].json()
    assert Evidence.objects.filter(task=fresh_task, document_number="16/BB").count() == 1
    body = {"new_due_date": (TODAY + dt.timedelta(days=60)).isoformat(), "reason": "Chờ số liệu"}
    ext_key = {"Idempotency-Key": str(uuid.uuid4())}
    asked = [
        api.send("post", f"/tasks/{fresh_task.pk}/extension-requests", body, **ext_key)
        for _ in range(2)
    ]
    assert [a.status_code for a in asked] == [201, 201]
    assert ExtensionRequest.objects.filter(task=fresh_task).count() == 1


def upload_of() -> SimpleUploadedFile:
    return SimpleUploadedFile("bien-ban.pdf", PDF, content_type="application/pdf")


def test_a_key_is_kept_a_day(client: Client, province: Province) -> None:
    api = Api(client, province.plan_head)
    key = {"Idempotency-Key": "ke-hoach-2026-001"}
    path = f"/plans/{province.plan.pk}/tasks"
    api.send("post", path, new_task(province), **key)
    with time_machine.travel(dt.timedelta(hours=25)):
        assert forget_expired() == 1
        again = api.send("post", path, new_task(province), **key)
        assert again.status_code == 201 and "Idempotent-Replayed" not in again
    assert Task.objects.filter(title="Rà soát quy chế làm việc").count() == 2
    assert IdempotentRequest.objects.count() == 1


def test_a_bad_key_is_refused(client: Client, province: Province) -> None:
    api = Api(client, province.plan_head)
    path = f"/plans/{province.plan.pk}/tasks"
    refused = api.send("post", path, new_task(province), **{"Idempotency-Key": "x" * 201})
    assert refused.status_code == 422
    assert not Task.objects.filter(title="Rà soát quy chế làm việc").exists()


def test_a_state_change_sent_again_says_it_took_effect(client: Client, province: Province) -> None:
    fresh_task = province.task()
    api = Api(client, province.assignee)
    started = api.send("post", f"/tasks/{fresh_task.pk}/start", {"version": fresh_task.version})
    assert started.status_code == 200
    again = api.send("post", f"/tasks/{fresh_task.pk}/start", {"version": fresh_task.version})
    assert again.status_code == 409
    detail = again.json()["detail"]
    assert detail.startswith("This already took effect: you started the work at")
    assert f"version {fresh_task.version + 1}" in detail
    # Someone else's change still reads as someone else's.
    other = Api(Client(), province.lead_head)
    answer = other.send("post", f"/tasks/{fresh_task.pk}/start", {"version": fresh_task.version})
    assert answer.status_code == 409 and "Someone else changed" in json.dumps(answer.json())


def test_another_logins_same_key_is_its_own(client: Client, province: Province) -> None:
    key = {"Idempotency-Key": "cung-mot-khoa"}
    path = f"/plans/{province.plan.pk}/tasks"
    mine = Api(client, province.plan_head).send("post", path, new_task(province), **key)
    theirs = Api(Client(), province.admin).send("post", path, new_task(province), **key)
    assert mine.status_code == theirs.status_code == 201
    assert mine.json()["id"] != theirs.json()["id"] and "Idempotent-Replayed" not in theirs


def test_a_new_token_is_never_kept(client: Client, province: Province) -> None:
    api = Api(client, province.plan_head)
    answer = api.client.post(
        "/api/v1/auth/token",
        json.dumps({"username": province.plan_head.user.username, "password": PASSWORD}),
        content_type="application/json",
        headers={**api.headers, "Idempotency-Key": "dang-nhap"},
    )
    assert answer.status_code == 200
    assert not IdempotentRequest.objects.exists()
