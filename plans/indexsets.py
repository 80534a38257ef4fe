"""The demo index set: our default rules for "leadership and direction" (domain.md).

Not an official text. A province replaces it in the admin with its own; a new
plan gets this one for its year unless another is chosen.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import transaction

from plans import scoring
from plans.models import Criterion, IndexSet, SubCriterion, TaskScope

DEMO_NAME = "Bộ chỉ số mẫu: Công tác chỉ đạo, điều hành CCHC"
DEMO_SOURCE = "Mặc định của phần mềm (theo cấu trúc Quyết định 876/QĐ-BNV)"
CRITERION = ("1", "Công tác chỉ đạo, điều hành cải cách hành chính")

# (code, name, max points, rule, tasks counted)
DEMO_SUBCRITERIA: list[tuple[str, str, str, str, str]] = [
    (
        "1.1",
        "Kế hoạch CCHC năm ban hành kịp thời",
        "1.00",
        scoring.PLAN_ISSUED_ON_TIME,
        TaskScope.TAGGED,
    ),
    ("1.2", "Mức độ hoàn thành kế hoạch CCHC", "3.00", scoring.COMPLETION_BANDS, TaskScope.ALL),
    ("1.3", "Báo cáo CCHC định kỳ", "1.00", scoring.ON_TIME, TaskScope.TAGGED),
    ("1.4", "Kiểm tra CCHC", "1.00", scoring.COMPLETION_BANDS, TaskScope.TAGGED),
    ("1.5", "Tuyên truyền CCHC", "1.00", scoring.COMPLETION_BANDS, TaskScope.TAGGED),
    ("1.6", "Sáng kiến, giải pháp mới", "1.00", scoring.MANUAL, TaskScope.TAGGED),
]


@transaction.atomic
def demo_index_set(year: int) -> IndexSet:
    """The demo index set of a year, created with its rules the first time it is asked for.

    - 1.1: the plan issued by 31 January of its year;
    - 1.2, 1.4, 1.5: 100% full, from 80% proportional, below 80% nothing;
    - 1.2 counts every task the unit leads, the others the tasks tagged with them.
    """
    index_set, created = IndexSet.objects.get_or_create(
        year=year, level="", name=DEMO_NAME, defaults={"source_document": DEMO_SOURCE}
    )
    if not created:
        return index_set
    criterion = Criterion.objects.create(index_set=index_set, code=CRITERION[0], name=CRITERION[1])
    subs = []
    for code, name, points, rule, scope in DEMO_SUBCRITERIA:
        extra: dict[str, Any] = {}
        if rule == scoring.COMPLETION_BANDS:
            extra["bands"] = scoring.DEFAULT_BANDS
        if rule == scoring.PLAN_ISSUED_ON_TIME:
            extra["deadline"] = dt.date(year, 1, 31)
        subs.append(
            SubCriterion(
                criterion=criterion,
                code=code,
                name=name,
                max_points=Decimal(points),
                rule=rule,
                tasks_counted=scope,
                **extra,
            )
        )
    SubCriterion.objects.bulk_create(subs)
    return index_set
