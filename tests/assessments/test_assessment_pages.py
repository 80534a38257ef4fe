"""The annual assessment through its pages: open, fill, submit, appraise, publish, export."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.test import Client
from openpyxl import load_workbook

from assessments.models import Assessment, Item, Sheet
from tests.assessments.test_assessment_api import at
from tests.factories import Province, sign_in

pytestmark = pytest.mark.django_db


def page(client: Client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return response.content.decode()


def flashes(response: Any) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


def test_the_assessment_through_its_pages_and_its_export(
    client: Client, province: Province, scene: dict[str, Any]
) -> None:
    p = province
    sign_in(client, p.committee)
    overview = page(client, "/dashboard/")
    assert f'href="/plans/{p.plan.pk}/assessment/new/"' in overview
    bad = client.post(
        f"/plans/{p.plan.pk}/assessment/new/",
        {"self_closes_on": "30/11/2026", "appraisal_closes_on": "20/11/2026"},
    )
    assert (
        bad.status_code == 422 and "Hạn thẩm định phải sau hạn tự đánh giá" in bad.content.decode()
    )
    assert not Assessment.objects.exists()
    made = client.post(
        f"/plans/{p.plan.pk}/assessment/new/",
        {"self_closes_on": "30/11/2026", "appraisal_closes_on": "10/12/2026"},
    )
    a = Assessment.objects.get()
    assert made.status_code == 302 and made["Location"] == f"/assessments/{a.pk}/"
    listing = page(client, f"/assessments/{a.pk}/")
    assert "Đang điền: 3" in listing and p.lead.name in listing

    # The unit's official: the task's evidence offered under the line its task feeds.
    unit = Client()
    sign_in(unit, p.assignee)
    assert f"/assessments/{a.pk}/units/{p.lead.pk}/" in page(unit, "/")
    sheet_url = f"/assessments/{a.pk}/units/{p.lead.pk}/"
    html = page(unit, sheet_url)
    evidence = scene["accepted"].evidence.get()
    assert f'value="e{evidence.pk}"' in html and "Rà soát quy chế" in html
    refused = unit.post(f"{sheet_url}items/1.2/", {"self_points": "3"}, follow=True)
    assert any("Hãy giải trình vì sao điểm 1.2" in m for m in flashes(refused))
    saved = unit.post(
        f"{sheet_url}items/1.2/",
        {
            "self_points": "3,00",
            "explanation": "Đã hoàn thành phần kiểm tra",
            "pick": [f"e{evidence.pk}"],
            f"loc-e{evidence.pk}": "trang 3, mục II",
        },
        follow=True,
    )
    assert "Đã lưu tiêu chí 1.2." in flashes(saved)
    item = Item.objects.get(sheet__unit=p.lead, code="1.2")
    assert item.self_points == 3 and item.evidence.get().locator == "trang 3, mục II"
    assert "trang 3, mục II" in saved.content.decode()
    story = saved.content.decode().split('<ol class="history">')[1]
    assert (
        'Nguyễn Văn A</strong> · đã sửa một tiêu chí: <span class="muted">1.2 · điểm 0.00 → 3.00'
        in story
    )
    outsider = Client()
    sign_in(outsider, p.outsider)
    assert outsider.get(sheet_url).status_code == 404
    head = Client()
    sign_in(head, p.lead_head)
    assert "Gửi phiếu" in page(head, sheet_url)
    submitted = head.post(f"{sheet_url}submit/", follow=True)
    assert "Đã gửi phiếu." in flashes(submitted)
    assert Sheet.objects.get(unit=p.lead).status == "submitted"

    with at("2026-12-01"):
        other_url = f"/assessments/{a.pk}/units/{p.other.pk}/"
        appraised = client.post(
            f"{sheet_url}items/1.2/appraise/", {"points": "1,50", "comment": "Một nửa"}, follow=True
        )
        assert "Đã thẩm định tiêu chí 1.2." in flashes(appraised)
        assert "Bị khoá khi chưa gửi" in page(client, f"/assessments/{a.pk}/?state=locked")
        assert "Mở lại phiếu" in page(client, other_url)
        early = client.post(f"/assessments/{a.pk}/publish/", follow=True)
        assert any("xác nhận" in m for m in flashes(early))
        published = client.post(f"/assessments/{a.pk}/publish/", {"confirm": "on"}, follow=True)
        assert "Đã công bố kết quả." in flashes(published)
    results = page(unit, f"/assessments/{a.pk}/results/")
    assert "figure-results" in results and p.lead.name in results
    export = unit.get(f"/assessments/{a.pk}/results.xlsx")
    assert export.status_code == 200
    book = load_workbook(io.BytesIO(export.content))
    assert book.sheetnames == ["Kết quả", "Tự đánh giá"]
    for name, wanted in (("Kết quả", 1.5), ("Tự đánh giá", 3.0)):
        rows = list(book[name].iter_rows(values_only=True))
        header = rows[1]
        assert header[:2] == ("Đơn vị", "Cấp") and "1.2" in header
        by_unit = {r[0]: dict(zip(header, r, strict=True)) for r in rows[2:]}
        lead = by_unit[p.lead.name]
        assert lead["1.2"] == wanted
        assert (lead["Tổng điểm tự đánh giá"], lead["Tổng điểm thẩm định"]) == (3.0, 1.5)
        assert (lead["Chỉ số (%)"], lead["Nhóm"]) == (30.0, "D")
        assert book[name].freeze_panes == "C3"
