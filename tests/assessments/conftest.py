"""The assessment tests' scene: two departments' tasks due before the window closes."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from tasks import services as task_services
from tasks.models import Task
from tests.conftest import upload
from tests.factories import Province


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
    )
    task_services.add_evidence(p.outsider, theirs, file=upload(), filename="bc.pdf")
    task_services.submit_task(p.outsider, theirs)
    task_services.review_task(p.other_head, theirs, decision="accept")
    return {"accepted": accepted, "open": open_one, "theirs": theirs}
