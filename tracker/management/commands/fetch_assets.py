"""Fetch the front-end files the product serves itself (plotly.js's basic bundle)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from tracker import assets


class Command(BaseCommand):
    help = "Fetch plotly.js's basic bundle into DATA_DIR/assets if it is not there (install time)."

    def handle(self, *args: Any, **options: Any) -> None:
        path = assets.ensure()
        self.stdout.write(f"{path.name}: {path.stat().st_size:,} bytes, in {path.parent}")
