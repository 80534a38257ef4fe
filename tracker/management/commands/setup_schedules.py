"""Create or update the django-q2 schedules; safe to run at every start."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction
from django_q.models import Schedule

from tracker.schedules import SCHEDULES


class Command(BaseCommand):
    help = "Create or update the background schedules (run at every start)."

    def handle(self, *args: Any, **options: Any) -> None:
        with transaction.atomic():
            for name, spec in SCHEDULES.items():
                _, created = Schedule.objects.update_or_create(name=name, defaults=dict(spec))
                verb = "tạo mới" if created else "cập nhật"
                self.stdout.write(f"Lịch chạy nền {name}: {verb}")
