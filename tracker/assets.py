"""plotly.js from the installed plotly package, served as a static file (never from a CDN).

A staticfiles finder offers `vendor/plotly-<version>.min.js`, copied once from
the package into DATA_DIR with a gzip copy beside it: WhiteNoise sends the
compressed copy to browsers that accept it, and, the version being in the
name, lets them keep the file for a year (tracker.middleware.StaticFiles).
collectstatic picks it up like any other static file.
"""

from __future__ import annotations

import gzip
import os
import re
from pathlib import Path
from typing import Any

import plotly
from django.conf import settings
from django.contrib.staticfiles.finders import BaseFinder
from django.core.files.storage import FileSystemStorage

PLOTLY_JS = f"vendor/plotly-{plotly.__version__}.min.js"
# Static URLs whose name carries a version number: their content never changes.
VERSIONED = re.compile(r"/vendor/[a-z-]+-\d+(\.\d+)+\.min\.js$")


def source() -> Path:
    return Path(plotly.__file__).parent / "package_data" / "plotly.min.js"


def _write(path: Path, data: bytes) -> None:
    """Write through a temporary name, so a concurrent reader never sees half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.{os.getpid()}")
    partial.write_bytes(data)
    partial.replace(path)


class VendorFinder(BaseFinder):
    """Finds vendor/plotly-<version>.min.js (and its .gz), materialised on first use."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.storage = FileSystemStorage(location=Path(settings.DATA_DIR) / "assets")
        self.files = [PLOTLY_JS, f"{PLOTLY_JS}.gz"]

    def ensure(self) -> None:
        target = Path(self.storage.path(PLOTLY_JS))
        packed = target.with_name(target.name + ".gz")
        if target.exists() and packed.exists():
            return
        data = source().read_bytes()
        _write(packed, gzip.compress(data, compresslevel=9, mtime=0))
        _write(target, data)

    def check(self, **kwargs: Any) -> list[Any]:
        return []

    # Django's finders answer [] for a path they do not have, whatever find_all
    # says (the stubs' "str | None" is not what the staticfiles views expect).
    def find(  # type: ignore[override]  # see above
        self, path: str, find_all: bool = False, **kwargs: Any
    ) -> str | list[str]:
        find_all = find_all or kwargs.get("all", False)
        if path not in self.files:
            return []
        self.ensure()
        found = self.storage.path(path)
        return [found] if find_all else found

    def list(self, ignore_patterns: Any) -> Any:
        self.ensure()
        for path in self.files:
            yield path, self.storage
