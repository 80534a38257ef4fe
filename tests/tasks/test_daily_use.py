"""What a day of real use asks of the task pages: who is told what, what the history says,
what a form keeps and asks, how long lists page, and the words used."""

from __future__ import annotations

import datetime as dt
import html
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.test.utils import override_settings

from plans.models import Level, Official, Unit
from tasks import extensions, services
from tasks.models import Evidence, Notification, Status, Task
from tests.conftest import PDF, upload
from tests.factories import Province, make_unit, sign_in

pytestmark = pytest.mark.django_db


def html_of(client: Client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def inbox_of(person: Official) -> list[str]:
    return list(
        Notification.objects.filter(recipient=person).order_by("id").values_list("kind", flat=True)
    )


# ---------------------------------------------------------------- extensions


def test_a_request_for_more_time_tells_the_deciding_head_and_moves_nothing(
    client: Client, province: Province
) -> None:
    task = province.task(due_date=dt.date(2026, 12, 15), assignees=(province.assignee,))
    services.update_task(
        province.plan_head, task, assignee_ids=[province.assignee.pk, province.colleague.pk]
    )
    ext = extensions.request_extension(
        province.assignee, task, new_due_date=dt.date(2026, 12, 31), reason="Chờ số liệu"
    )
    task.refresh_from_db()
    assert task.due_date == dt.date(2026, 12, 15)
    note = Notification.objects.get(recipient=province.plan_head, kind="extension_requested")
    assert note.message == (
        "Nguyễn Văn A xin gia hạn “Rà soát quy trình nội bộ” từ 15/12/2026 đến 31/12/2026."
    )
    sign_in(client, province.plan_head)
    history = html_of(client, f"/tasks/{task.pk}/").split('<ol class="history">')[1]
    assert "xin gia hạn đến 31/12/2026 · Chờ số liệu" in history
    assert "15/12/2026 → 31/12/2026" not in history  # nothing moved yet
    api = Client()
    sign_in(api, province.plan_head)
    asked = api.get(f"/api/v1/tasks/{task.pk}/history").json()["items"][-1]
    assert asked["action"] == "extension_requested"
    assert asked["changes"]["due_date"] == ["2026-12-15", "2026-12-31"]

    extensions.decide_extension(province.plan_head, ext, approve=True)
    # Every assignee is told, not only the one who asked; the request is handled.
    assert inbox_of(province.assignee)[-1] == "extension_decided"
    assert inbox_of(province.colleague)[-1] == "extension_decided"
    note.refresh_from_db()
    assert note.done_at is not None and note.read_at is not None
    history = html_of(client, f"/tasks/{task.pk}/").split('<ol class="history">')[1]
    assert "thời hạn hoàn thành 15/12/2026 → 31/12/2026" in history


# ---------------------------------------------------------------- history and banner


def test_the_history_names_the_people_and_units_assigned(
    client: Client, province: Province
) -> None:
    task = province.task(partners=(province.other,))
    services.update_task(
        province.plan_head, task, assignee_ids=[province.colleague.pk, province.outsider.pk]
    )
    sign_in(client, province.plan_head)
    history = html_of(client, f"/tasks/{task.pk}/").split('<ol class="history">')[1]
    assert "người thực hiện: Nguyễn Văn A" in history
    assert f"cơ quan phối hợp: {province.other.name}" in history
    assert "người thực hiện: Trần Thị B, Lê Văn C (thôi giao: Nguyễn Văn A)" in history
    assert f"cơ quan chủ trì: {province.lead.name}" in history


def test_a_returned_task_shows_its_official_who_returned_it_and_why(
    client: Client, province: Province
) -> None:
    task = province.task()
    services.start_task(province.assignee, task)
    services.add_evidence(province.assignee, task, file=upload(), filename="bao-cao.pdf")
    services.submit_task(province.assignee, task)
    services.review_task(province.lead_head, task, decision="return", comment="Thiếu phụ lục 2")
    sign_in(client, province.assignee)
    html = html_of(client, f"/tasks/{task.pk}/")
    banner = html.split('<div class="banner returned" role="alert">')[1].split("</div>")[0]
    assert "Giám đốc Sở Nội vụ đã trả lại lúc" in banner and "Thiếu phụ lục 2" in banner
    # Submitted again, the banner goes: the return is answered.
    services.submit_task(province.assignee, task)
    assert "banner returned" not in html_of(client, f"/tasks/{task.pk}/")


# ---------------------------------------------------------------- inbox


def test_inbox_items_are_links_and_review_items_are_marked_handled(
    client: Client, province: Province
) -> None:
    task = province.task()
    services.add_evidence(province.assignee, task, file=upload(), filename="bao-cao.pdf")
    services.submit_task(province.assignee, task)
    note = Notification.objects.get(recipient=province.lead_head, kind="submitted")
    sign_in(client, province.lead_head)
    inbox = html_of(client, "/inbox/")
    assert f'href="/inbox/{note.pk}/" target="_blank" rel="noopener"' in inbox
    services.review_task(province.lead_head, task, decision="accept")
    note.refresh_from_db()
    assert note.done_at is not None and note.read_at is not None
    assert "Đã xử lý" in html_of(client, "/inbox/")
    opened = client.get(f"/inbox/{note.pk}/")
    assert opened.status_code == 302 and opened["Location"] == f"/tasks/{task.pk}/"
    other = Client()
    sign_in(other, province.assignee)
    assert other.get(f"/inbox/{note.pk}/").status_code == 404


# ---------------------------------------------------------------- forms


def test_the_create_form_takes_assignees(client: Client, province: Province) -> None:
    sign_in(client, province.plan_head)
    form = html_of(client, f"/plans/{province.plan.pk}/tasks/new/")
    assert 'name="assignees"' in form and f"Nguyễn Văn A ({province.lead.name})" in form
    response = client.post(
        f"/plans/{province.plan.pk}/tasks/new/",
        {
            "title": "Số hoá hồ sơ",
            "area": 6,
            "lead_unit": province.lead.pk,
            "due_date": "15/12/2026",
            "assignees": [province.assignee.pk, province.colleague.pk],
        },
    )
    assert response.status_code == 302
    task = Task.objects.get(title="Số hoá hồ sơ")
    assert set(task.assignees.all()) == {province.assignee, province.colleague}
    # Someone of neither the lead nor a cooperating unit: refused on the field.
    refused = client.post(
        f"/plans/{province.plan.pk}/tasks/new/",
        {
            "title": "Giao nhầm",
            "area": 6,
            "lead_unit": province.lead.pk,
            "due_date": "15/12/2026",
            "assignees": [province.outsider.pk],
        },
    )
    assert refused.status_code == 422 and not Task.objects.filter(title="Giao nhầm").exists()


@pytest.mark.parametrize(
    ("typed", "doubt"),
    [("15/01/2027", "nằm ngoài năm của kế hoạch (2026)"), ("01/11/2026", "sớm hơn ngày tạo")],
)
def test_a_doubtful_deadline_is_confirmed_not_refused(
    client: Client, province: Province, typed: str, doubt: str
) -> None:
    sign_in(client, province.plan_head)
    fields = {"title": "Kiểm tra CCHC", "area": 1, "lead_unit": province.lead.pk}
    asked = client.post(
        f"/plans/{province.plan.pk}/tasks/new/", {**fields, "due_date": typed}
    ).content.decode()
    assert doubt in asked and 'type="checkbox" name="confirm_deadline"' in asked
    assert 'value="Kiểm tra CCHC"' in asked and not Task.objects.filter(title="Kiểm tra CCHC")
    kept = client.post(
        f"/plans/{province.plan.pk}/tasks/new/",
        {**fields, "due_date": typed, "confirm_deadline": "on"},
    )
    assert kept.status_code == 302
    assert Task.objects.get(title="Kiểm tra CCHC").due_date.strftime("%d/%m/%Y") == typed


@override_settings(EVIDENCE_MAX_BYTES=1024 * 1024)
def test_an_upload_over_the_limit_keeps_the_form_and_says_the_limit(
    client: Client, province: Province
) -> None:
    task = province.task()
    sign_in(client, province.assignee)
    form = html_of(client, f"/tasks/{task.pk}/")
    assert 'data-max-bytes="1048576"' in form
    assert 'data-too-large="Tệp có dung lượng {size} MB; giới hạn là 1 MB."' in form
    big = PDF + b"0" * (2 * 1024 * 1024)
    response = client.post(
        f"/tasks/{task.pk}/evidence/",
        {"file": upload("bao-cao.pdf", big), "document_number": "12/BC-SNV", "issuer": "Sở"},
    )
    assert response.status_code == 413
    html = response.content.decode()
    assert "Tệp có dung lượng 2,0 MB; giới hạn là 1 MB." in html
    assert 'value="12/BC-SNV"' in html and 'value="Sở"' in html
    assert not Evidence.objects.filter(task=task).exists()


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("a.pdf", b"%PDF-1.4\n%%EOF\n"),
        ("a.png", b"\x89PNG\r\n\x1a\n" + b"\0" * 8),
        ("a.jpg", b"\xff\xd8\xff\xe0" + b"\0" * 20),
    ],
)
def test_a_file_too_small_to_be_its_kind_is_refused(
    client: Client, province: Province, name: str, content: bytes
) -> None:
    task = province.task()
    sign_in(client, province.assignee)
    response = client.post(f"/tasks/{task.pk}/evidence/", {"file": upload(name, content)})
    assert response.status_code == 415
    assert f"Tệp chỉ có {len(content)} byte: quá nhỏ" in response.content.decode()
    assert not Evidence.objects.filter(task=task).exists()


def test_removing_evidence_asks_first(client: Client, province: Province) -> None:
    task = province.task()
    services.add_evidence(province.assignee, task, file=upload(), filename="bao-cao.pdf")
    sign_in(client, province.assignee)
    html = html_of(client, f"/tasks/{task.pk}/")
    assert 'data-confirm="Gỡ tài liệu kiểm chứng “bao-cao.pdf”? Tệp sẽ bị xoá."' in html


# ---------------------------------------------------------------- lists


def test_long_lists_page_with_their_count_and_keep_their_filters(
    client: Client, province: Province, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("kit.paging.PAGE_SIZE", 2)
    for n in range(3):
        task = province.task(title=f"Báo cáo {n}", area=2)
        services.add_evidence(province.assignee, task, file=upload(), filename="bc.pdf")
        services.submit_task(province.assignee, task)
    province.task(title="Khác", area=3)
    sign_in(client, province.lead_head)
    queue = html_of(client, "/review/")
    assert "1–2 / 3" in queue and "Trang 1/2" in queue and 'href="?page=2"' in queue
    plan = html_of(client, f"/plans/{province.plan.pk}/?area=2&q=bao")
    assert "1–2 / 3" in plan and 'href="?area=2&amp;q=bao&amp;page=2"' in plan
    second = html_of(client, f"/plans/{province.plan.pk}/?area=2&q=bao&page=2")
    assert "3–3 / 3" in second and "Khác" not in second
    inbox = html_of(client, "/inbox/?show=unread")
    assert "Trang 1/" in inbox and 'href="?show=unread&amp;page=2"' in inbox


def test_officials_reach_their_plan_from_home(client: Client, province: Province) -> None:
    sign_in(client, province.assignee)
    home = html_of(client, "/")
    assert f'href="/plans/{province.plan.pk}/"' in home  # with no task yet: the current plan
    province.task()
    assert f'href="/plans/{province.plan.pk}/"' in html_of(client, "/")


# ---------------------------------------------------------------- units and words


def test_units_are_listed_province_then_departments_then_communes(
    client: Client, province: Province
) -> None:
    commune = make_unit("Xã An Bình", Level.COMMUNE, province.province)
    sign_in(client, province.plan_head)
    form = html_of(client, f"/plans/{province.plan.pk}/tasks/new/")
    lead = form.split('name="lead_unit"')[1].split("</select>")[0]
    names = re.findall(r'<option value="\d+">([^<]+)</option>', lead)
    levels = [Unit.objects.get(name=html.unescape(name)).level for name in names]
    assert levels == sorted(levels, key=["province", "department", "district", "commune"].index)
    departments = [n for n, level in zip(names, levels, strict=True) if level == "department"]
    assert departments == sorted(departments)
    assert province.province.name in names[:3] and names.index(commune.name) > names.index(
        province.lead.name
    )


def test_district_is_offered_only_where_the_province_has_districts(
    client: Client, province: Province
) -> None:
    sign_in(client, province.committee)
    assert 'value="district"' not in html_of(client, "/dashboard/")
    make_unit("Huyện Đức Trọng", Level.DISTRICT, province.province)
    assert 'value="district"' in html_of(client, "/dashboard/")


def test_number_and_date_errors_read_right(client: Client, province: Province) -> None:
    sign_in(client, province.plan_head)
    bad = client.post(
        f"/plans/{province.plan.pk}/tasks/new/",
        {"title": "x", "area": "1,5", "lead_unit": province.lead.pk, "due_date": "99/99/9999"},
    ).content.decode()
    assert "Đây không phải là ngày: nhập ngày theo dạng dd/mm/yyyy" in bad
    admin = Client()
    sign_in(admin, province.admin)
    jobs = html_of(admin, "/admin/")
    assert "Tác vụ nền" in jobs and "Tác vụ theo lịch" in jobs and "Django Q" not in jobs


def test_django_messages_use_the_products_words() -> None:
    from django import forms
    from django.utils import translation

    with translation.override("vi"):
        field = forms.IntegerField(min_value=1, max_value=10)
        for value, message in [
            ("1,5", "Nhập một số nguyên."),
            ("0", "Giá trị phải lớn hơn hoặc bằng 1."),
            ("11", "Giá trị phải nhỏ hơn hoặc bằng 10."),
        ]:
            with pytest.raises(forms.ValidationError) as caught:
                field.clean(value)
            assert caught.value.messages == [message]
        with pytest.raises(forms.ValidationError) as empty:
            forms.FileField().clean(SimpleUploadedFile("a.pdf", b""))
        assert "tệp" in empty.value.messages[0] and "tập tin" not in empty.value.messages[0]


def test_a_reviewed_task_closes_its_review_reminders(province: Province) -> None:
    task = province.task()
    services.add_evidence(province.assignee, task, file=upload(), filename="bc.pdf")
    services.submit_task(province.assignee, task)
    reminder = Notification.objects.create(
        recipient=province.lead_head, kind="review+3", task=task, data={"title": task.title}
    )
    services.review_task(province.lead_head, task, decision="accept")
    reminder.refresh_from_db()
    assert reminder.done_at is not None
    assert Task.objects.get(pk=task.pk).status == Status.DONE
