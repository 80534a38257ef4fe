"""Create or update the django-q2 schedules; safe to run at every start."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone
from django_q.models import Schedule

from tracker.schedules import FIRST_RUN_HOUR, RETIRED, SCHEDULES


def next_at(hour: int) -> dt.datetime:
    """The next time the local clock shows hour:00."""
    now = timezone.localtime()
    first = now.replace(hour=hour, minute=0, second=0, microsecond=0)
    return first if first > now else first + dt.timedelta(days=1)


class Command(BaseCommand):
    help = "Create or update the background schedules (run at every start)."

    def handle(self, *args: Any, **options: Any) -> None:
        with transaction.atomic():
            for name in Schedule.objects.filter(name__in=RETIRED).values_list("name", flat=True):
                self.stdout.write(f"Lịch chạy nền {name}: đã bỏ")
            Schedule.objects.filter(name__in=RETIRED).delete()
            for name, spec in SCHEDULES.items():
                create: dict[str, Any] = dict(spec)
                if name in FIRST_RUN_HOUR:
                    create["next_run"] = next_at(FIRST_RUN_HOUR[name])
                _, created = Schedule.objects.update_or_create(
                    name=name, defaults=dict(spec), create_defaults=create
                )
                verb = "tạo mới" if created else "cập nhật"
                self.stdout.write(f"Lịch chạy nền {name}: {verb}")
