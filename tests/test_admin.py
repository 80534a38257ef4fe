"""The Django admin lists and opens every model, in Vietnamese."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.contrib import admin
from django.test import Client

from tests.conftest import login

pytestmark = pytest.mark.django_db

OUR_MODELS = [m for m in apps.get_models() if m._meta.app_label in {"plans", "tasks"}]


def test_every_model_of_ours_is_in_the_admin() -> None:
    assert OUR_MODELS
    assert [m for m in OUR_MODELS if m not in admin.site._registry] == []


@pytest.mark.parametrize("model", OUR_MODELS, ids=lambda m: m.__name__)
def test_each_admin_list_and_first_record_open(client: Client, model: type) -> None:
    login(client, "admin")
    meta = model._meta
    listing = client.get(f"/admin/{meta.app_label}/{meta.model_name}/")
    assert listing.status_code == 200
    assert str(meta.verbose_name_plural) in listing.content.decode()
    first = model.objects.first()
    if first is not None:
        page = client.get(f"/admin/{meta.app_label}/{meta.model_name}/{first.pk}/change/")
        assert page.status_code == 200


def test_the_admin_speaks_vietnamese(client: Client) -> None:
    login(client, "admin")
    body = client.get("/admin/").content.decode()
    assert "Theo dõi kế hoạch và nhiệm vụ CCHC" in body
    assert "Nhiệm vụ" in body and "Tổ chức và kế hoạch" in body and "Đơn vị" in body
