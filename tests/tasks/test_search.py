"""Search ignores accents and case, on the plan page and in the API, on both databases."""

from __future__ import annotations

import pytest
from django.test import Client

from tasks import services
from tasks.models import Task
from tests.api.test_tasks_api import Api
from tests.factories import Province, sign_in

pytestmark = pytest.mark.django_db

SPELLINGS = ["ke hoach", "KẾ HOẠCH", "kế hoạch", "Ke Hoach", "  kế   hoạch "]


@pytest.fixture
def tasks(province: Province) -> dict[str, int]:
    made = {
        "plan": province.task(title="Xây dựng kế hoạch kiểm tra CCHC"),
        "upper": province.task(title="KẾ HOẠCH TUYÊN TRUYỀN"),
        "other": province.task(title="Rà soát thủ tục hành chính"),
        "đ": province.task(title="Đánh giá Chỉ số hài lòng"),
    }
    return {name: task.pk for name, task in made.items()}


def page_ids(client: Client, province: Province, q: str) -> set[int]:
    response = client.get(f"/plans/{province.plan.pk}/", {"q": q})
    assert response.status_code == 200
    return {task.pk for task in response.context["page"].object_list}


@pytest.mark.parametrize("q", SPELLINGS)
def test_every_spelling_finds_the_same_tasks_on_the_plan_page(
    client: Client, province: Province, tasks: dict[str, int], q: str
) -> None:
    sign_in(client, province.plan_head)
    assert page_ids(client, province, q) == {tasks["plan"], tasks["upper"]}


@pytest.mark.parametrize("q", SPELLINGS)
def test_every_spelling_finds_the_same_tasks_in_the_api(
    client: Client, province: Province, tasks: dict[str, int], q: str
) -> None:
    api = Api(client, province.plan_head)
    response = api.get(f"/plans/{province.plan.pk}/tasks?q={q}")
    assert response.status_code == 200
    assert {t["id"] for t in response.json()["items"]} == {tasks["plan"], tasks["upper"]}


def test_d_with_a_stroke_is_found_as_d_and_words_need_not_be_adjacent(
    client: Client, province: Province, tasks: dict[str, int]
) -> None:
    sign_in(client, province.plan_head)
    assert page_ids(client, province, "danh gia") == {tasks["đ"]}
    assert page_ids(client, province, "hài lòng đánh") == {tasks["đ"]}
    assert page_ids(client, province, "kiem tra ke hoach") == {tasks["plan"]}
    assert page_ids(client, province, "kế hoạch xyz") == set()


def test_an_edited_title_or_description_is_searched_as_it_now_reads(
    client: Client, province: Province, tasks: dict[str, int]
) -> None:
    sign_in(client, province.plan_head)
    task = Task.objects.get(pk=tasks["other"])
    services.update_task(province.plan_head, task, description="Theo Quyết định số 15 về một cửa")
    assert page_ids(client, province, "mot cua") == {tasks["other"]}
    services.update_task(province.plan_head, task, title="Số hoá hồ sơ")
    assert page_ids(client, province, "so hoa") == {tasks["other"]}
    assert page_ids(client, province, "ra soat") == set()
