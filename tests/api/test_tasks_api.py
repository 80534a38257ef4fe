"""The tasks API: the whole loop with a bearer token, and every kind of bad input."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import zipfile
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.test.utils import override_settings
from django.utils import translation

from plans.models import ApiToken, AuditEvent, Official
from tasks import services
from tasks.history import history_lines
from tasks.models import Evidence, ExtensionRequest, Status, Task
from tests.conftest import PASSWORD, PDF, TODAY, unit_of, upload
from tests.factories import Province

pytestmark = pytest.mark.django_db


@pytest.fixture
def fresh_task(province: Province) -> Task:
    """A task the plan's head gives the lead unit, assigned to one official, due in 30 days."""
    return province.task(due_date=TODAY + dt.timedelta(days=30), area=3)


class Api:
    """A client that signs in with a token, as another system would."""

    def __init__(self, client: Client, person: Official | str) -> None:
        username = person.user.username if isinstance(person, Official) else person
        self.client = client
        response = client.post(
            "/api/v1/auth/token",
            json.dumps({"username": username, "password": PASSWORD}),
            content_type="application/json",
        )
        assert response.status_code == 200, response.content
        self.headers = {"Authorization": f"Bearer {response.json()['token']}"}

    def get(self, path: str) -> Any:
        return self.client.get("/api/v1" + path, headers=self.headers)

    def send(self, method: str, path: str, body: Any = None, **headers: str) -> Any:
        return getattr(self.client, method)(
            "/api/v1" + path,
            json.dumps(body or {}),
            content_type="application/json",
            headers={**self.headers, **headers},
        )

    def upload(self, path: str, name: str, content: bytes, **fields: str) -> Any:
        return self.client.post(
            "/api/v1" + path, {"file": upload(name, content), **fields}, headers=self.headers
        )


def stored_files(root: Path) -> set[Path]:
    return {p for p in root.rglob("*") if p.is_file()}


def history_actions(task_id: int) -> list[str]:
    return list(
        AuditEvent.objects.filter(content_type__model="task", object_id=task_id)
        .order_by("at", "id")
        .values_list("action", flat=True)
    )


def docx() -> bytes:
    """A minimal Word document (the parts Word writes first)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("_rels/.rels", "<Relationships/>")
        archive.writestr("word/document.xml", "<document/>")
    return buffer.getvalue()


# ---------------------------------------------------------------- the loop


def test_the_whole_loop_over_the_api(client: Client, province: Province) -> None:
    """Plan head creates, lead head assigns, assignee works, head returns then accepts."""
    chairman, head, worker = (
        Api(Client(), province.plan_head),
        Api(Client(), province.lead_head),
        Api(Client(), province.assignee),
    )
    snv = province.lead.pk
    created = chairman.send(
        "post",
        f"/plans/{province.plan.pk}/tasks",
        {
            "title": "Công bố danh mục thủ tục hành chính thực hiện trực tuyến toàn trình",
            "area": 3,
            "subcriterion": "1.2",
            "lead_unit_id": snv,
            "partner_unit_ids": [province.other_head.unit_id],
            "due_date": (TODAY + dt.timedelta(days=10)).isoformat(),
            "deliverable": "Quyết định công bố",
        },
    )
    assert created.status_code == 201, created.content
    task = created.json()
    assert task["status"] == "todo" and task["area"] == 3 and task["subcriterion"] == "1.2"
    assert task["original_due_date"] == task["due_date"]

    assigned = head.send("patch", f"/tasks/{task['id']}", {"assignee_ids": [province.assignee.pk]})
    assert assigned.json()["assignee_ids"] == [province.assignee.pk]

    assert worker.send("post", f"/tasks/{task['id']}/start").json()["status"] == "in_progress"
    evidence = worker.upload(
        f"/tasks/{task['id']}/evidence",
        "Quyết định 1234.pdf",
        PDF,
        document_number="1234/QĐ-UBND",
        issued_on="2026-11-20",
        issuer="UBND tỉnh Lâm Đồng",
        note="Điều 1",
    )
    assert evidence.status_code == 201, evidence.content
    assert evidence.json()["sha256"] == hashlib.sha256(PDF).hexdigest()
    assert evidence.json()["content_type"] == "application/pdf"
    download = worker.get(evidence.json()["download_url"].removeprefix("/api/v1"))
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF

    assert worker.send("post", f"/tasks/{task['id']}/submit").json()["status"] == "submitted"
    no_comment = head.send("post", f"/tasks/{task['id']}/review", {"decision": "return"})
    assert no_comment.status_code == 422
    assert Task.objects.get(pk=task["id"]).status == Status.SUBMITTED
    returned = head.send(
        "post", f"/tasks/{task['id']}/review", {"decision": "return", "comment": "Thiếu phụ lục"}
    )
    assert returned.json()["status"] == "in_progress"
    worker.send("post", f"/tasks/{task['id']}/submit")
    accepted = head.send("post", f"/tasks/{task['id']}/review", {"decision": "accept"})
    assert accepted.json()["status"] == "done"
    assert accepted.json()["completed_at"] is not None

    history = worker.get(f"/tasks/{task['id']}/history").json()
    assert [e["action"] for e in history["items"]] == [
        "created",
        "assigned",
        "assigned",
        "started",
        "evidence_added",
        "submitted",
        "returned",
        "submitted",
        "accepted",
    ]
    assert history["count"] == 9
    assert history["items"][6]["changes"]["comment"] == "Thiếu phụ lục"
    assert history["items"][6]["actor_id"] == province.lead_head.pk
    assert history["items"][2]["changes"]["assignee_ids"] == [[], [province.assignee.pk]]


def test_the_committee_reads_everything_and_changes_nothing(
    client: Client, province: Province, fresh_task: Task
) -> None:
    committee = Api(client, province.committee)
    assert committee.get(f"/tasks/{fresh_task.pk}").status_code == 200
    refused = committee.send("post", f"/tasks/{fresh_task.pk}/start")
    assert refused.status_code == 403
    assert "assignee" in refused.json()["detail"]


# ---------------------------------------------------------------- states


def test_accepting_a_task_that_is_not_submitted_is_a_conflict(
    client: Client, province: Province, fresh_task: Task
) -> None:
    response = Api(client, province.lead_head).send(
        "post", f"/tasks/{fresh_task.pk}/review", {"decision": "accept"}
    )
    assert response.status_code == 409
    assert "submitted" in response.json()["detail"]
    fresh_task.refresh_from_db()
    assert fresh_task.status == Status.TODO and fresh_task.completed_at is None


def test_submitting_without_evidence_is_refused(
    client: Client, province: Province, fresh_task: Task
) -> None:
    response = Api(client, province.assignee).send("post", f"/tasks/{fresh_task.pk}/submit")
    assert response.status_code == 409
    assert "evidence" in response.json()["detail"]
    assert Task.objects.get(pk=fresh_task.pk).status == Status.TODO


def test_cancelling_needs_a_reason_and_an_open_task(
    client: Client, province: Province, fresh_task: Task
) -> None:
    chairman = Api(client, province.plan_head)
    blank = chairman.send("post", f"/tasks/{fresh_task.pk}/cancel", {"reason": "   "})
    assert blank.status_code == 422
    assert Task.objects.get(pk=fresh_task.pk).status == Status.TODO
    done = chairman.send("post", f"/tasks/{fresh_task.pk}/cancel", {"reason": "Trùng nội dung"})
    assert done.json()["status"] == "cancelled"
    again = chairman.send("post", f"/tasks/{fresh_task.pk}/cancel", {"reason": "Trùng nội dung"})
    assert again.status_code == 409


# ---------------------------------------------------------------- concurrency


def test_a_stale_version_gets_a_conflict_and_changes_nothing(
    client: Client, province: Province, fresh_task: Task
) -> None:
    head = Api(client, province.lead_head)
    seen = head.get(f"/tasks/{fresh_task.pk}").json()["version"]
    first = head.send("patch", f"/tasks/{fresh_task.pk}", {"title": "Tên mới", "version": seen})
    assert first.status_code == 200 and first.json()["version"] == seen + 1
    second = Api(Client(), province.plan_head).send(
        "patch", f"/tasks/{fresh_task.pk}", {"deliverable": "Kế hoạch", "version": seen}
    )
    assert second.status_code == 409
    assert "Reload" in second.json()["detail"]
    fresh_task.refresh_from_db()
    assert (fresh_task.title, fresh_task.deliverable) == ("Tên mới", "Báo cáo")


def test_if_match_carries_the_version_too(
    client: Client, province: Province, fresh_task: Task
) -> None:
    worker = Api(client, province.assignee)
    stale = worker.send("post", f"/tasks/{fresh_task.pk}/start", **{"If-Match": '"99"'})
    assert stale.status_code == 409
    fresh = worker.send(
        "post", f"/tasks/{fresh_task.pk}/start", **{"If-Match": f'"{fresh_task.version}"'}
    )
    assert fresh.status_code == 200


def test_two_reviews_of_one_submission_do_not_both_win(
    client: Client, province: Province, fresh_task: Task
) -> None:
    admin = province.admin
    services.start_task(admin, fresh_task)
    services.add_evidence(admin, fresh_task, file=upload())
    services.submit_task(admin, fresh_task)
    head = Api(client, province.lead_head)
    assert (
        head.send("post", f"/tasks/{fresh_task.pk}/review", {"decision": "accept"}).status_code
        == 200
    )
    late = head.send(
        "post", f"/tasks/{fresh_task.pk}/review", {"decision": "return", "comment": "x"}
    )
    assert late.status_code == 409
    assert Task.objects.get(pk=fresh_task.pk).status == Status.DONE


# ---------------------------------------------------------------- evidence


def test_evidence_is_judged_by_content_and_refusals_store_nothing(
    client: Client, province: Province, fresh_task: Task, evidence_storage: Path
) -> None:
    worker = Api(client, province.assignee)
    path = f"/tasks/{fresh_task.pk}/evidence"
    files_before = stored_files(evidence_storage)
    for name, content in [
        ("bao-cao.pdf", b"#!/bin/sh\necho this is not a PDF\n"),  # a script named .pdf
        ("bao-cao.docx", PDF),  # a PDF named .docx
        ("anh.gif", b"GIF89a" + b"\x00" * 64),  # a GIF: not on the list
        ("hong.docx", b"PK\x03\x04" + b"\x00" * 26 + b"[Content_Types].xml" + b"\x00" * 40),
    ]:
        response = worker.upload(path, name, content)
        assert response.status_code == 415, (name, response.content)
        assert response.json()["detail"]
    empty = worker.upload(path, "rong.pdf", b"")
    assert empty.status_code == 422
    with override_settings(EVIDENCE_MAX_BYTES=len(PDF) - 1):
        big = worker.upload(path, "lon.pdf", PDF)
    assert big.status_code == 413
    assert "MB" in big.json()["detail"]
    assert Evidence.objects.filter(task=fresh_task).count() == 0
    assert stored_files(evidence_storage) == files_before
    assert history_actions(fresh_task.pk) == ["created", "assigned"]


def test_word_files_pass_and_names_are_cleaned(
    client: Client, province: Province, fresh_task: Task
) -> None:
    worker = Api(client, province.assignee)
    response = worker.upload(
        f"/tasks/{fresh_task.pk}/evidence", "../../etc/Báo cáo\x07 quý 3.docx", docx()
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["filename"] == "Báo cáo quý 3.docx"
    assert body["content_type"].endswith("wordprocessingml.document")
    stored = Evidence.objects.get(pk=body["id"]).file.name
    assert ".." not in stored and stored.endswith(".docx") and "etc" not in stored


def test_a_huge_body_is_refused_before_it_is_read(
    client: Client, province: Province, fresh_task: Task
) -> None:
    worker = Api(client, province.assignee)
    with override_settings(EVIDENCE_MAX_BYTES=1024):
        response = worker.upload(
            f"/tasks/{fresh_task.pk}/evidence", "lon.pdf", PDF + b"0" * 2_000_000
        )
    assert response.status_code == 413
    assert Evidence.objects.filter(task=fresh_task).count() == 0


def test_evidence_of_an_accepted_task_can_be_neither_added_nor_removed(
    client: Client, province: Province, fresh_task: Task
) -> None:
    admin = province.admin
    services.start_task(admin, fresh_task)
    evidence = services.add_evidence(admin, fresh_task, file=upload())
    services.submit_task(admin, fresh_task)
    services.review_task(admin, fresh_task, decision="accept")
    worker = Api(client, province.assignee)
    assert worker.send("delete", f"/evidence/{evidence.pk}").status_code == 409
    assert worker.upload(f"/tasks/{fresh_task.pk}/evidence", "them.pdf", PDF).status_code == 409
    assert Evidence.objects.filter(pk=evidence.pk).exists()
    assert evidence.file.storage.exists(evidence.file.name)


def test_evidence_downloads_are_hidden_from_other_units(
    client: Client, province: Province, fresh_task: Task
) -> None:
    evidence = services.add_evidence(province.admin, fresh_task, file=upload())
    assert (
        Api(client, province.outsider).get(f"/evidence/{evidence.pk}/download").status_code == 404
    )
    assert (
        Api(Client(), province.colleague).get(f"/evidence/{evidence.pk}/download").status_code
        == 200
    )


# ---------------------------------------------------------------- deadlines


def inspection_report(province: Province, due: dt.date) -> Task:
    """A task the plan's head gives the lead unit, assigned to its official."""
    return services.create_task(
        province.plan_head,
        province.plan,
        title="Báo cáo kết quả kiểm tra CCHC",
        area=1,
        lead_unit_id=province.lead.pk,
        due_date=due,
        assignee_ids=[province.assignee.pk],
        confirm_past_deadline=True,
    )


def test_an_approved_extension_moves_the_deadline_and_keeps_the_original(
    client: Client, province: Province
) -> None:
    """The plan's head decides; the lead unit's head, who is not the deadline's keeper, may not."""
    task = inspection_report(province, due=TODAY + dt.timedelta(days=2))
    worker, lead_head = Api(client, province.assignee), Api(Client(), province.lead_head)
    keeper = Api(Client(), province.plan_head)
    too_early = worker.send(
        "post",
        f"/tasks/{task.pk}/extension-requests",
        {"new_due_date": (TODAY - dt.timedelta(days=5)).isoformat(), "reason": "Chờ số liệu"},
    )
    assert too_early.status_code == 422
    asked = worker.send(
        "post",
        f"/tasks/{task.pk}/extension-requests",
        {"new_due_date": (TODAY + dt.timedelta(days=14)).isoformat(), "reason": "Chờ số liệu"},
    )
    assert asked.status_code == 201 and asked.json()["status"] == "pending"
    twice = worker.send(
        "post",
        f"/tasks/{task.pk}/extension-requests",
        {"new_due_date": (TODAY + dt.timedelta(days=20)).isoformat(), "reason": "Thêm"},
    )
    assert twice.status_code == 409
    decide = f"/extension-requests/{asked.json()['id']}/decide"
    not_the_keeper = lead_head.send("post", decide, {"approve": True})
    assert not_the_keeper.status_code == 403
    assert "issued the plan" in not_the_keeper.json()["detail"]
    refuse_silently = keeper.send("post", decide, {"approve": False})
    assert refuse_silently.status_code == 422
    assert ExtensionRequest.objects.get(pk=asked.json()["id"]).status == "pending"
    approved = keeper.send("post", decide, {"approve": True})
    assert approved.json()["status"] == "approved"
    after = worker.get(f"/tasks/{task.pk}").json()
    assert after["due_date"] == (TODAY + dt.timedelta(days=14)).isoformat()
    assert after["original_due_date"] == (TODAY + dt.timedelta(days=2)).isoformat()
    again = keeper.send("post", decide, {"approve": False, "comment": "x"})
    assert again.status_code == 409


def test_an_overdue_task_gets_no_extension_but_the_plan_head_can_move_its_deadline(
    client: Client, province: Province
) -> None:
    """Overdue follows the current deadline: the task stops being overdue once it moves."""
    task = inspection_report(province, due=TODAY - dt.timedelta(days=2))
    worker, keeper = Api(client, province.assignee), Api(Client(), province.plan_head)
    assert worker.get(f"/tasks/{task.pk}").json()["overdue"] is True
    late = worker.send(
        "post",
        f"/tasks/{task.pk}/extension-requests",
        {"new_due_date": (TODAY + dt.timedelta(days=14)).isoformat(), "reason": "Chờ số liệu"},
    )
    assert late.status_code == 422
    assert "has passed" in late.json()["detail"]
    assert not ExtensionRequest.objects.filter(task=task).exists()
    new_due = (TODAY + dt.timedelta(days=7)).isoformat()
    # A deadline that has passed moves only with a reason, which the history keeps.
    unexplained = keeper.send("patch", f"/tasks/{task.pk}", {"due_date": new_due})
    assert unexplained.status_code == 422
    assert unexplained.json()["errors"][0]["loc"] == ["reason"]
    assert Task.objects.get(pk=task.pk).due_date == task.due_date
    moved = keeper.send(
        "patch", f"/tasks/{task.pk}", {"due_date": new_due, "reason": "Chờ số liệu của Bộ"}
    )
    assert moved.status_code == 200
    assert worker.get(f"/tasks/{task.pk}").json()["overdue"] is False
    history = worker.get(f"/tasks/{task.pk}/history").json()["items"]
    edited = [e for e in history if e["action"] == "edited"][-1]
    assert edited["changes"]["reason"] == "Chờ số liệu của Bộ"
    assert edited["changes"]["due_date"] == [task.due_date.isoformat(), new_due]
    old = task.due_date.strftime("%d/%m/%Y")
    new = (TODAY + dt.timedelta(days=7)).strftime("%d/%m/%Y")
    with translation.override("vi"):
        line = next(x for x in history_lines(task) if x.action == "edited")
    assert f"{old} → {new}: lý do Chờ số liệu của Bộ" in line.detail


def test_a_deadline_not_yet_come_moves_without_a_reason(
    client: Client, province: Province, fresh_task: Task
) -> None:
    keeper = Api(client, province.plan_head)
    moved = keeper.send("patch", f"/tasks/{fresh_task.pk}", {"due_date": "2026-12-31"})
    assert moved.status_code == 200
    assert Task.objects.get(pk=fresh_task.pk).due_date == dt.date(2026, 12, 31)


def test_the_lead_head_cannot_move_a_deadline_by_editing(
    client: Client, province: Province, fresh_task: Task
) -> None:
    response = Api(client, province.lead_head).send(
        "patch", f"/tasks/{fresh_task.pk}", {"due_date": "2027-01-31"}
    )
    assert response.status_code == 403
    assert Task.objects.get(pk=fresh_task.pk).due_date == fresh_task.due_date


# ---------------------------------------------------------------- input


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"due_date": 0}, "due_date"),
        ({"due_date": "30/06/2026"}, "due_date"),
        ({"due_date": "2026-02-30"}, "due_date"),
        ({"area": True}, "area"),
        ({"area": 9}, "area"),
        ({"lead_unit_id": 999999}, "lead_unit_id"),
        ({"title": ""}, "title"),
        ({"title": "a\x00b"}, "title"),
        ({"assignee_ids": [999999]}, "assignee_ids"),
        ({"subcriterion": "một"}, "subcriterion"),
    ],
)
def test_bad_task_values_get_422_naming_the_field(
    client: Client, province: Province, body: dict[str, Any], field: str
) -> None:
    valid = {
        "title": "Kiểm tra công tác CCHC tại các xã",
        "area": 1,
        "lead_unit_id": province.lead.pk,
        "due_date": "2026-12-20",
    }
    count = Task.objects.count()
    response = Api(client, province.plan_head).send(
        "post", f"/plans/{province.plan.pk}/tasks", {**valid, **body}
    )
    assert response.status_code == 422, response.content
    assert response.json()["detail"]
    assert any(field in e["loc"] for e in response.json()["errors"]), response.json()
    assert Task.objects.count() == count


def test_an_assignee_from_an_unrelated_unit_is_refused(
    client: Client, province: Province, fresh_task: Task
) -> None:
    response = Api(client, province.lead_head).send(
        "patch", f"/tasks/{fresh_task.pk}", {"assignee_ids": [province.outsider.pk]}
    )
    assert response.status_code == 422
    assert "lead unit" in response.json()["detail"]


def test_malformed_json_is_400_and_unknown_ids_404(
    client: Client, province: Province, fresh_task: Task
) -> None:
    api = Api(client, province.lead_head)
    broken = client.patch(
        f"/api/v1/tasks/{fresh_task.pk}",
        "{not json",
        content_type="application/json",
        headers=api.headers,
    )
    assert broken.status_code == 400 and broken.json()["detail"]
    assert api.get("/tasks/99999999").status_code == 404
    assert api.get("/tasks/99999999").json()["detail"]


# ---------------------------------------------------------------- auth, pages of lists


def test_tokens_wrong_password_and_expiry(client: Client, province: Province) -> None:
    username = province.assignee.user.username
    wrong = client.post(
        "/api/v1/auth/token",
        json.dumps({"username": username, "password": "sai"}),
        content_type="application/json",
    )
    assert wrong.status_code == 401 and wrong.json()["detail"]
    api = Api(client, province.assignee)
    assert api.get("/me").json()["username"] == username
    assert ApiToken.objects.filter(user__username=username).count() == 1
    ApiToken.objects.update(expires_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
    assert api.get("/me").status_code == 401
    assert client.get("/api/v1/me", headers={"Authorization": "Bearer nonsense"}).status_code == 401


def test_lists_are_paged_with_limit_and_offset(client: Client, plan: Any) -> None:
    api = Api(client, "admin")
    first = api.get(f"/plans/{plan.pk}/tasks?limit=5").json()
    second = api.get(f"/plans/{plan.pk}/tasks?limit=5&offset=5").json()
    assert first["count"] == second["count"] == Task.objects.filter(plan=plan).count()
    assert len(first["items"]) == 5
    assert not {t["id"] for t in first["items"]} & {t["id"] for t in second["items"]}
    assert api.get(f"/plans/{plan.pk}/tasks?limit=501").status_code == 422
    overdue = api.get(f"/plans/{plan.pk}/tasks?overdue=true&limit=500").json()
    assert overdue["count"] == Task.objects.filter(plan=plan).overdue(TODAY).count() > 0
    assert all(t["overdue"] for t in overdue["items"])


def test_an_official_lists_only_what_they_may_see(client: Client, plan: Any) -> None:
    body = Api(client, "stp.cv1").get(f"/plans/{plan.pk}/tasks?limit=500").json()
    stp = unit_of("stp.cv1")
    assert body["count"] > 0
    for item in body["items"]:
        task = Task.objects.get(pk=item["id"])
        assert (
            task.lead_unit_id == stp
            or task.partner_units.filter(pk=stp).exists()
            or task.assignees.filter(unit_id=stp).exists()
        )


def test_the_task_list_runs_a_fixed_number_of_queries(
    client: Client, plan: Any, django_assert_max_num_queries: Any
) -> None:
    api = Api(client, "admin")
    with django_assert_max_num_queries(8) as few:
        api.get(f"/plans/{plan.pk}/tasks?limit=3")
    with django_assert_max_num_queries(len(few.captured_queries)):
        api.get(f"/plans/{plan.pk}/tasks?limit=100")


def test_handing_a_task_to_another_unit_checks_the_people_already_named(
    client: Client, province: Province, fresh_task: Task
) -> None:
    chairman = Api(client, province.plan_head)
    stp = province.other_head.unit_id
    alone = chairman.send("patch", f"/tasks/{fresh_task.pk}", {"lead_unit_id": stp})
    assert alone.status_code == 422 and "lead unit" in alone.json()["detail"]
    assert Task.objects.get(pk=fresh_task.pk).lead_unit_id == province.lead.pk
    moved = chairman.send(
        "patch",
        f"/tasks/{fresh_task.pk}",
        {"lead_unit_id": stp, "assignee_ids": [province.outsider.pk]},
    )
    assert moved.status_code == 200 and moved.json()["lead_unit_id"] == stp
