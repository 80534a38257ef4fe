"""The assessment tests' scene: two departments' tasks due before the window closes."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from plans.models import Role
from tasks import services as task_services
from tasks.models import Task
from tests.conftest import upload
from tests.factories import Province, make_official, make_unit


def done(p: Province, task: Task) -> None:
    task_services.add_evidence(p.assignee, task, file=upload(), filename="bien-ban.pdf")
    task_services.submit_task(p.assignee, task)
    task_services.review_task(
        p.lead_head if task.lead_unit_id == p.lead.pk else p.other_head, task, decision="accept"
    )


@pytest.fixture
def scene(province: Province) -> dict[str, Any]:
    p = province
    accepted = p.task(title="Rà soát quy chế", due_date=dt.date(2026, 11, 10))
    open_one = p.task(title="Kiểm tra nội bộ", due_date=dt.date(2026, 11, 20))
    done(p, accepted)
    theirs = task_services.create_task(
        p.plan_head,
        p.plan,
        title="Báo cáo pháp chế",
        area=1,
        lead_unit_id=p.other.pk,
        due_date=dt.date(2026, 11, 15),
        assignee_ids=[p.outsider.pk],
        confirm_past_deadline=True,
    )
    task_services.add_evidence(p.outsider, theirs, file=upload(), filename="bc.pdf")
    task_services.submit_task(p.outsider, theirs)
    task_services.review_task(p.other_head, theirs, decision="accept")
    # A third department, Sở Tài chính, with one task due and accepted (1.2: 3 of 3).
    finance = make_unit("Sở Tài chính", parent=p.province)
    finance_head = make_official(finance, Role.HEAD, "Giám đốc Sở Tài chính")
    finance_official = make_official(finance, name="Phạm Thị D")
    budget = task_services.create_task(
        p.plan_head,
        p.plan,
        title="Quyết toán kinh phí CCHC",
        area=6,
        lead_unit_id=finance.pk,
        due_date=dt.date(2026, 11, 12),
        assignee_ids=[finance_official.pk],
        confirm_past_deadline=True,
    )
    task_services.add_evidence(finance_official, budget, file=upload(), filename="qt.pdf")
    task_services.submit_task(finance_official, budget)
    task_services.review_task(finance_head, budget, decision="accept")
    return {
        "accepted": accepted,
        "open": open_one,
        "theirs": theirs,
        "finance": finance,
        "finance_head": finance_head,
    }
