"""The import page: upload, a preview with each error in place, confirm; the blank template."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from openpyxl import load_workbook

from tests.factories import Province, sign_in
from tests.tasks.test_appendix_import import HEADER, xlsx

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def waiting_room(settings: Any, tmp_path: Path) -> None:
    """Uploads wait for their confirmation in a temporary folder, not the tree's var/."""
    settings.DATA_DIR = tmp_path


def test_upload_preview_then_confirm(client: Client, province: Province) -> None:
    p = province
    sign_in(client, p.plan_head)
    plan_page = client.get(f"/plans/{p.plan.pk}/").content.decode()
    assert f'href="/plans/{p.plan.pk}/import/"' in plan_page
    bad = xlsx(
        [
            HEADER,
            ["1", "Việc một", p.lead.name, "", "30/6", ""],
            ["2", "Việc hai", "Sở Không Có", "", "30/6", ""],
        ],
        0,
    )
    shown = client.post(
        f"/plans/{p.plan.pk}/import/", {"file": SimpleUploadedFile("pl.xlsx", bad)}
    ).content.decode()
    assert 'class="has-error"' in shown and "Sở Không Có" in shown
    assert 'name="token"' not in shown and not p.plan.tasks.exists()
    good = xlsx(
        [
            HEADER,
            ["1", "Việc một", p.lead.name, "", "30/6", ""],
            ["1.1", "Việc con", p.lead.name, "", "15/6", ""],
        ],
        0,
    )
    preview = client.post(
        f"/plans/{p.plan.pk}/import/", {"file": SimpleUploadedFile("pl.xlsx", good)}
    )
    html = preview.content.decode()
    assert preview.status_code == 200 and "Việc con" in html and not p.plan.tasks.exists()
    token = html.split('name="token" value="')[1].split('"')[0]
    other = Client()
    sign_in(other, p.admin)  # another person cannot confirm someone's upload
    refused = other.post(f"/plans/{p.plan.pk}/import/", {"token": token}, follow=True)
    assert not p.plan.tasks.exists() and refused.status_code == 200
    # 30/6 and 15/6 have passed (the clock says 22/11/2026): confirmed, or nothing.
    assert "Thời hạn 30/06/2026 đã qua" in html and 'name="confirm_warnings"' in html
    unconfirmed = client.post(f"/plans/{p.plan.pk}/import/", {"token": token})
    assert unconfirmed.status_code == 422 and not p.plan.tasks.exists()
    assert "xác nhận" in unconfirmed.content.decode()
    done = client.post(
        f"/plans/{p.plan.pk}/import/", {"token": token, "confirm_warnings": "on"}, follow=True
    )
    assert "Đã nhập 2 nhiệm vụ từ pl.xlsx." in done.content.decode()
    assert {t.title for t in p.plan.tasks.all()} == {"Việc một", "Việc con"}
    again = client.post(
        f"/plans/{p.plan.pk}/import/", {"token": token, "confirm_warnings": "on"}, follow=True
    )
    assert p.plan.tasks.count() == 2 and again.status_code == 200  # used once only


def test_the_blank_template_and_who_may_import(client: Client, province: Province) -> None:
    p = province
    sign_in(client, p.plan_head)
    template = client.get(f"/plans/{p.plan.pk}/import/template.xlsx")
    rows = list(load_workbook(io.BytesIO(template.content)).active.iter_rows(values_only=True))
    assert list(rows[1][:6]) == [
        "STT",
        "Nhiệm vụ",
        "Cơ quan chủ trì",
        "Cơ quan phối hợp",
        "Thời hạn",
        "Sản phẩm dự kiến",
    ]
    assert rows[2][0] == "I" and len(rows) == 2 + p.plan.areas.count()
    head = Client()
    sign_in(head, p.lead_head)
    assert head.get(f"/plans/{p.plan.pk}/import/").status_code == 403


def test_a_preview_is_confirmed_on_its_own_plan_only(client: Client, province: Province) -> None:
    from plans import planning
    from plans.models import PlanStatus

    p = province
    other_plan = planning.create_plan(
        p.admin,
        unit_id=p.province.pk,
        year=2027,
        title="Kế hoạch 2027",
        document_number="1/KH-2027",
        issued_on=dt.date(2027, 1, 5),
        status=PlanStatus.ISSUED,
    )
    sign_in(client, p.plan_head)
    good = xlsx([HEADER, ["1", "Việc một", p.lead.name, "", "30/6", ""]], 0)
    html = client.post(
        f"/plans/{p.plan.pk}/import/", {"file": SimpleUploadedFile("pl.xlsx", good)}
    ).content.decode()
    token = html.split('name="token" value="')[1].split('"')[0]
    confirmed = {"token": token, "confirm_warnings": "on"}
    client.post(f"/plans/{other_plan.pk}/import/", confirmed, follow=True)
    assert not other_plan.tasks.exists()
    client.post(f"/plans/{p.plan.pk}/import/", confirmed, follow=True)
    assert p.plan.tasks.count() == 1
