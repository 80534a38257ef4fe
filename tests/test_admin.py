"""The Django admin: every model listed and opened, in Vietnamese; writes through services."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Model
from django.http import HttpRequest
from django.test import Client

from plans.models import (
    AuditEvent,
    IndexSet,
    Indicator,
    Level,
    ManualScore,
    Official,
    Plan,
    ScoreSnapshot,
    SubCriterion,
    Unit,
)
from tasks import services
from tasks.models import Notification, Task
from tests.conftest import login
from tests.factories import PASSWORD, Province, make_province

pytestmark = pytest.mark.django_db

OUR_MODELS = [m for m in apps.get_models() if m._meta.app_label in {"plans", "tasks"}]


def test_every_model_of_ours_is_in_the_admin() -> None:
    assert OUR_MODELS
    assert [m for m in OUR_MODELS if m not in admin.site._registry] == []


@pytest.mark.parametrize("model", OUR_MODELS, ids=lambda m: m.__name__)
def test_each_admin_list_and_first_record_open(client: Client, model: type[Model]) -> None:
    login(client, "admin")
    meta = model._meta
    listing = client.get(f"/admin/{meta.app_label}/{meta.model_name}/")
    assert listing.status_code == 200
    assert str(meta.verbose_name_plural) in listing.content.decode()
    first = model._default_manager.first()
    if first is not None:
        page = client.get(f"/admin/{meta.app_label}/{meta.model_name}/{first.pk}/change/")
        assert page.status_code == 200


def test_the_admin_speaks_vietnamese(client: Client) -> None:
    login(client, "admin")
    body = client.get("/admin/").content.decode()
    assert "Theo dõi kế hoạch và nhiệm vụ CCHC" in body
    assert "Nhiệm vụ" in body and "Tổ chức và kế hoạch" in body and "Đơn vị" in body


# ---------------------------------------------------------------- writes go through the services


def form_data(response: Any) -> dict[str, Any]:
    """What the admin's change form would post back unchanged, inlines included."""
    data: dict[str, Any] = {}
    forms = [response.context["adminform"].form]
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        forms.extend(formset.forms)
        for name, value in formset.management_form.initial.items():
            data[formset.management_form.add_prefix(name)] = value
    for form in forms:
        for name in form.fields:
            value = form[name].value()
            if value is None or form.fields[name].disabled:
                continue
            if isinstance(value, list | tuple):
                value = [getattr(v, "pk", v) for v in value]
            elif isinstance(value, bool) and not value:
                continue
            data[form.add_prefix(name)] = value
            if form.fields[name].show_hidden_initial:  # a field with a callable default
                data[form.add_initial_prefix(name)] = value
    return data


def admin_client(client: Client, province: Province) -> Client:
    assert client.login(
        request=HttpRequest(), username=province.admin.user.username, password=PASSWORD
    )
    return client


def test_an_admin_edit_of_a_task_is_in_its_history_and_moves_its_version(client: Client) -> None:
    province = make_province()
    task = province.task(due_date=dt.date(2026, 12, 31))
    admin_client(client, province)
    url = f"/admin/tasks/task/{task.pk}/change/"
    data = form_data(client.get(url))
    data["due_date"] = "2027-01-15"
    data["assignees"] = [province.assignee.pk, province.colleague.pk]
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    task.refresh_from_db()
    assert task.due_date == dt.date(2027, 1, 15) and task.version == 2
    assert set(task.assignees.all()) == {province.assignee, province.colleague}
    events = list(AuditEvent.objects.history_of(task).order_by("id"))
    edited, assigned = events[-2:]
    assert (edited.actor, edited.action) == (province.admin, "edited")
    assert edited.changes == {"due_date": ["2026-12-31", "2027-01-15"]}
    assert (assigned.actor, assigned.action) == (province.admin, "assigned")
    assert assigned.changes["assignee_ids"][1] == sorted(
        [province.assignee.pk, province.colleague.pk]
    )
    assert Notification.objects.filter(recipient=province.colleague, task=task).exists()


def test_an_admin_moving_a_deadline_that_has_passed_gives_the_reason(client: Client) -> None:
    province = make_province()
    task = province.task(due_date=dt.date(2026, 11, 1))  # passed on 22/11/2026
    admin_client(client, province)
    url = f"/admin/tasks/task/{task.pk}/change/"
    data = form_data(client.get(url))
    data["due_date"] = "2026-12-31"
    refused = client.post(url, data)
    assert refused.status_code == 200
    assert "hãy nêu lý do đổi hạn" in str(refused.context["adminform"].form.errors["reason"])
    assert Task.objects.get(pk=task.pk).due_date == dt.date(2026, 11, 1)
    saved = client.post(url, {**data, "reason": "Bộ lùi thời hạn báo cáo"})
    assert saved.status_code == 302
    edited = AuditEvent.objects.history_of(task).filter(action="edited").get()
    assert edited.changes == {
        "due_date": ["2026-11-01", "2026-12-31"],
        "reason": "Bộ lùi thời hạn báo cáo",
    }


def test_an_admin_edit_refused_by_the_service_keeps_the_form_and_changes_nothing(
    client: Client,
) -> None:
    province = make_province()
    task = province.task()
    admin_client(client, province)
    url = f"/admin/tasks/task/{task.pk}/change/"
    data = form_data(client.get(url))
    data["title"] = "Tên mới đã gõ"
    data["assignees"] = [province.outsider.pk]  # of a unit that has no part in the task
    response = client.post(url, data)
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert "Lê Văn C" in str(errors["assignees"])
    assert "Tên mới đã gõ" in response.content.decode()
    task.refresh_from_db()
    assert task.title != "Tên mới đã gõ" and task.version == 1
    assert not AuditEvent.objects.history_of(task).filter(action="edited").exists()


def test_an_admin_edit_over_someone_elses_change_is_a_conflict(client: Client) -> None:
    province = make_province()
    task = province.task()
    admin_client(client, province)
    url = f"/admin/tasks/task/{task.pk}/change/"
    data = form_data(client.get(url))
    services.update_task(province.plan_head, task, title="Đổi trong lúc đó")
    data["title"] = "Đổi trong admin"
    response = client.post(url, data)
    assert response.status_code == 200
    assert "Người khác đã thay đổi nhiệm vụ này" in str(response.context["adminform"].form.errors)
    task.refresh_from_db()
    assert task.title == "Đổi trong lúc đó"


def test_an_admin_cannot_add_or_delete_a_task_there(client: Client) -> None:
    province = make_province()
    task = province.task()
    admin_client(client, province)
    assert client.get("/admin/tasks/task/add/").status_code == 403
    assert client.post(f"/admin/tasks/task/{task.pk}/delete/", {"post": "yes"}).status_code == 403
    assert Task.objects.filter(pk=task.pk).exists()


def test_a_manual_score_added_in_the_admin_is_audited_and_rescored(
    client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    province = make_province()
    with django_capture_on_commit_callbacks(execute=True):
        province.task(subcriterion="1.2")
    admin_client(client, province)
    sub = SubCriterion.objects.get(
        criterion__index_set__plans=province.plan,
        criterion__index_set__level=Level.DEPARTMENT,
        code="1.6",
    )
    data = {
        "plan": province.plan.pk,
        "unit": province.lead.pk,
        "subcriterion": sub.pk,
        "points": "0.5",
        "justification": "Sáng kiến được công nhận",
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/admin/plans/manualscore/add/", data)
    assert response.status_code == 302
    entry = ManualScore.objects.get(plan=province.plan, unit=province.lead)
    assert entry.entered_by == province.admin
    event = AuditEvent.objects.history_of(province.plan).get(action="scored")
    assert event.actor == province.admin and event.changes["points"] == "0.5"
    snapshot = ScoreSnapshot.objects.get(plan=province.plan, unit=province.lead)
    assert {p["code"]: p["points"] for p in snapshot.parts}["1.6"] == "0.50"


def test_a_manual_score_above_the_maximum_is_refused_on_the_admin_form(client: Client) -> None:
    province = make_province()
    admin_client(client, province)
    sub = SubCriterion.objects.get(
        criterion__index_set__plans=province.plan,
        criterion__index_set__level=Level.DEPARTMENT,
        code="1.6",
    )
    response = client.post(
        "/admin/plans/manualscore/add/",
        {
            "plan": province.plan.pk,
            "unit": province.lead.pk,
            "subcriterion": sub.pk,
            "points": "3",
            "justification": "Quá điểm",
        },
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["points"]
    assert not ManualScore.objects.filter(plan=province.plan).exists()


def test_making_an_official_head_in_the_admin_replaces_the_former_head(client: Client) -> None:
    province = make_province()
    admin_client(client, province)
    url = f"/admin/plans/official/{province.colleague.pk}/change/"
    data = form_data(client.get(url))
    data["role"] = "head"
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    province.colleague.refresh_from_db()
    province.lead_head.refresh_from_db()
    assert (province.colleague.role, province.lead_head.role) == ("head", "official")
    promoted = AuditEvent.objects.history_of(province.colleague).get(action="edited")
    assert promoted.actor == province.admin and promoted.changes == {"role": ["official", "head"]}
    assert AuditEvent.objects.history_of(province.lead_head).filter(action="edited").exists()


def test_a_plan_added_in_the_admin_gets_its_areas_and_index_set(client: Client) -> None:
    province = make_province()
    admin_client(client, province)
    response = client.post(
        "/admin/plans/plan/add/",
        {
            "unit": province.lead.pk,
            "year": 2027,
            "title": "Kế hoạch CCHC năm 2027 của Sở",
            "document_number": "",
            "issued_on": "",
            "status": "draft",
            "parent": "",
            "areas-TOTAL_FORMS": 0,
            "areas-INITIAL_FORMS": 0,
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    plan = Plan.objects.get(unit=province.lead, year=2027)
    assert plan.areas.count() == 8 and plan.index_sets.count() == 2
    assert AuditEvent.objects.history_of(plan).get(action="created").actor == province.admin


def test_a_rule_book_change_in_the_admin_is_audited_with_old_and_new(client: Client) -> None:
    province = make_province()
    admin_client(client, province)
    sub = SubCriterion.objects.get(
        criterion__index_set__plans=province.plan,
        criterion__index_set__level=Level.DEPARTMENT,
        code="1.2",
    )
    url = f"/admin/plans/subcriterion/{sub.pk}/change/"
    data = form_data(client.get(url))
    data["max_points"] = "2.50"
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    event = AuditEvent.objects.history_of(sub).get(action="edited")
    assert event.actor == province.admin
    assert event.changes == {"max_points": ["3.00", "2.50"]}


def test_a_task_done_or_cancelled_is_read_only_in_the_admin(client: Client) -> None:
    province = make_province()
    task = province.task()
    services.cancel_task(province.plan_head, task, reason="Đã lồng ghép vào nhiệm vụ khác")
    admin_client(client, province)
    url = f"/admin/tasks/task/{task.pk}/change/"
    page = client.get(url)
    assert page.status_code == 200 and not page.context["has_change_permission"]
    assert client.post(url, {"title": "Đổi sau khi hủy"}).status_code == 403
    task.refresh_from_db()
    assert task.title != "Đổi sau khi hủy"


def test_a_superuser_without_a_profile_saves_through_the_services(client: Client) -> None:
    """createsuperuser, then the first save: the profile made then is the actor."""
    province = make_province()
    task = province.task()
    get_user_model().objects.create_superuser("root", "root@example.gov.vn", PASSWORD)
    assert client.login(request=HttpRequest(), username="root", password=PASSWORD)
    url = f"/admin/tasks/task/{task.pk}/change/"
    data = form_data(client.get(url))
    data["title"] = "Đổi bởi quản trị mới"
    response = client.post(url, data)
    assert response.status_code == 302
    root = Official.objects.get(user__username="root")
    assert root.role == "admin"
    edited = AuditEvent.objects.history_of(task).get(action="edited")
    assert edited.actor == root


def test_units_and_officials_are_added_in_the_admin_through_the_services(
    client: Client,
) -> None:
    province = make_province()
    admin_client(client, province)
    added = client.post(
        "/admin/plans/unit/add/",
        {
            "code": "t-so-moi",
            "name": "Sở Mới",
            "level": "department",
            "parent": province.province.pk,
            "officials-TOTAL_FORMS": 0,
            "officials-INITIAL_FORMS": 0,
        },
    )
    assert added.status_code == 302, added.context and added.context["adminform"].form.errors
    unit = Unit.objects.get(code="t-so-moi")
    assert AuditEvent.objects.history_of(unit).get(action="created").actor == province.admin
    person = {
        "username": "t-so-moi.head",
        "password": "Giam-doc-2026!",
        "full_name": "Trần Văn Mới",
        "unit": unit.pk,
        "role": "head",
        "position": "Giám đốc",
        "phone": "0263 3822 000",
        "email": "moi@example.gov.vn",
    }
    weak = client.post("/admin/plans/official/add/", {**person, "password": "123"})
    assert weak.status_code == 200 and weak.context["adminform"].form.errors["password"]
    assert not Official.objects.filter(user__username="t-so-moi.head").exists()
    made = client.post("/admin/plans/official/add/", person)
    assert made.status_code == 302, made.context and made.context["adminform"].form.errors
    head = Official.objects.get(user__username="t-so-moi.head")
    assert (head.unit, head.role, head.phone) == (unit, "head", "0263 3822 000")
    assert head.user.check_password("Giam-doc-2026!")
    assert AuditEvent.objects.history_of(head).filter(actor=province.admin).exists()


def test_an_indicator_is_added_in_the_admin_with_its_targets(client: Client) -> None:
    province = make_province()
    admin_client(client, province)
    response = client.post(
        "/admin/plans/indicator/add/",
        {
            "plan": province.plan.pk,
            "code": "HS-TT",
            "name": "Hồ sơ xử lý trực tuyến",
            "unit_of_measure": "%",
            "target_province": "70",
            "target_department": "",
            "target_district": "60",
            "target_commune": "40",
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    indicator = Indicator.objects.get(plan=province.plan, code="HS-TT")
    targets = dict(indicator.targets.values_list("level", "target_pct"))
    assert targets == {"province": 70, "district": 60, "commune": 40}
    assert AuditEvent.objects.history_of(indicator).get(action="created").actor == province.admin


def test_the_task_form_offers_only_its_own_plans_areas(client: Client) -> None:
    province = make_province()
    task = province.task()
    other = make_province()
    admin_client(client, province)
    url = f"/admin/tasks/task/{task.pk}/change/"
    data = form_data(client.get(url))
    data["area"] = other.plan.areas.get(number=3).pk
    response = client.post(url, data)
    assert response.status_code == 200 and response.context["adminform"].form.errors["area"]
    task.refresh_from_db()
    assert task.area.number == 1 and task.version == 1


def test_an_index_set_is_downloaded_and_loaded_back_as_a_new_one_in_the_admin(
    client: Client,
) -> None:
    province = make_province()
    admin_client(client, province)
    demo = province.plan.index_sets.get(level=Level.COMMUNE)
    download = client.post(
        "/admin/plans/indexset/",
        {"action": "download_json", "_selected_action": [demo.pk]},
    )
    assert download.status_code == 200
    assert download["Content-Disposition"] == f'attachment; filename="index-set-{demo.pk}.json"'
    document = json.loads(download.content)
    assert [s["rule"] for s in document["items"][0]["items"]][3] == "indicator_target"
    assert "upload/" in client.get("/admin/plans/indexset/").content.decode()
    # A broken copy is refused whole, each fault listed with its place.
    broken = {**document, "name": "Bộ chỉ số xã của tỉnh"}
    broken["items"][0]["items"][1]["max_points"] = "-3"
    before = IndexSet.objects.count()
    refused = client.post(
        "/admin/plans/indexset/upload/",
        {"document": SimpleUploadedFile("set.json", json.dumps(broken).encode())},
    )
    assert refused.status_code == 422
    page = refused.content.decode()
    assert "items[0].items[1].max_points" in page and "không được âm" in page
    assert IndexSet.objects.count() == before
    # The fixed copy is loaded, with the administrator in its history.
    broken["items"][0]["items"][1]["max_points"] = "3.00"
    loaded = client.post(
        "/admin/plans/indexset/upload/",
        {"document": SimpleUploadedFile("set.json", json.dumps(broken).encode("utf-8-sig"))},
    )
    assert loaded.status_code == 302
    made = IndexSet.objects.get(name="Bộ chỉ số xã của tỉnh")
    assert AuditEvent.objects.history_of(made).get(action="created").actor == province.admin
    assert made.criteria.get().subcriteria.count() == 6
    not_json = client.post(
        "/admin/plans/indexset/upload/",
        {"document": SimpleUploadedFile("set.json", b"{not json")},
    )
    assert not_json.status_code == 422 and "JSON" in not_json.content.decode()
