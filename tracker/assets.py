"""plotly.js for the dashboards: plotly's own "basic" bundle, served as a static file.

The dashboards draw bars and lines only, so the pages load plotly's partial
bundle of bar, scatter and pie (about 370 KB gzipped) rather than the full one
the Python package ships (1.4 MB gzipped). The bundle is plotly's published npm
package `plotly.js-basic-dist-min`, of the same plotly.js version as the
installed Python package (so that it draws the figures that package writes),
fetched from the npm registry the first time it is needed: by `collectstatic`,
which `scripts/serve.sh` runs, by `manage.py fetch_assets`, which
`scripts/test.sh` runs, or by the first request in development. The download is
checked against the registry's sha512 and kept in DATA_DIR/assets with a gzip
copy beside it: WhiteNoise sends the compressed copy, and, the version being in
the name, browsers keep it for a year (tracker.middleware.StaticFiles). Never a
CDN at run time: the file is served by the product itself.

NPM_REGISTRY names another registry (a mirror inside the province's network).
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import io
import json
import os
import re
import tarfile
import urllib.request
from functools import cache
from pathlib import Path
from typing import Any

import plotly
from django.conf import settings
from django.contrib.staticfiles.finders import BaseFinder
from django.core.exceptions import ImproperlyConfigured
from django.core.files.storage import FileSystemStorage

PACKAGE = "plotly.js-basic-dist-min"
MEMBER = "package/plotly-basic.min.js"
TIMEOUT = 60
# Static URLs whose name carries a version number: their content never changes.
VERSIONED = re.compile(r"/vendor/[a-z-]+-\d+(\.\d+)+\.min\.js$")


@cache
def plotly_js_version() -> str:
    """The plotly.js version the installed Python plotly writes figures for."""
    full = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
    with full.open("rb") as head:
        found = re.search(rb"plotly\.js v(\d+\.\d+\.\d+)", head.read(200))
    if found is None:
        raise ImproperlyConfigured(f"No plotly.js version in the header of {full}.")
    return found.group(1).decode()


PLOTLY_JS = f"vendor/plotly-basic-{plotly_js_version()}.min.js"


def registry() -> str:
    return os.environ.get("NPM_REGISTRY", "https://registry.npmjs.org").rstrip("/")


def _get(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=TIMEOUT) as answer:
        return bytes(answer.read())


def download(version: str) -> bytes:
    """The bundle's JavaScript from the registry, refused unless its tarball matches the sha512."""
    source = f"{registry()}/{PACKAGE}/{version}"
    try:
        dist = json.loads(_get(source))["dist"]
        tarball = _get(dist["tarball"])
    except (OSError, ValueError, KeyError) as error:
        raise ImproperlyConfigured(
            f"Could not fetch {PACKAGE} {version} from {source} ({error}). The dashboards' "
            "charts need it: connect this machine to the npm registry (or set NPM_REGISTRY "
            "to a mirror) and run `manage.py fetch_assets`."
        ) from error
    algorithm, _, expected = str(dist.get("integrity", "")).partition("-")
    digest = base64.b64encode(hashlib.sha512(tarball).digest()).decode()
    if algorithm != "sha512" or digest != expected:
        raise ImproperlyConfigured(f"{PACKAGE} {version} from {source} failed its sha512 check.")
    with tarfile.open(fileobj=io.BytesIO(tarball), mode="r:gz") as archive:
        member = archive.extractfile(MEMBER)
        if member is None:
            raise ImproperlyConfigured(f"{PACKAGE} {version} holds no {MEMBER}.")
        return member.read()


def _write(path: Path, data: bytes) -> None:
    """Write through a temporary name, so a concurrent reader never sees half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.{os.getpid()}")
    partial.write_bytes(data)
    partial.replace(path)


def storage() -> FileSystemStorage:
    return FileSystemStorage(location=Path(settings.DATA_DIR) / "assets")


def ensure() -> Path:
    """The bundle and its gzip copy in DATA_DIR/assets, fetched if missing; the bundle's path."""
    target = Path(storage().path(PLOTLY_JS))
    packed = target.with_name(target.name + ".gz")
    if not (target.exists() and packed.exists()):
        data = download(plotly_js_version())
        _write(packed, gzip.compress(data, compresslevel=9, mtime=0))
        _write(target, data)
    return target


class VendorFinder(BaseFinder):
    """Finds vendor/plotly-basic-<version>.min.js (and its .gz), fetched on first use."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.storage = storage()
        self.files = [PLOTLY_JS, f"{PLOTLY_JS}.gz"]

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
        ensure()
        found = self.storage.path(path)
        return [found] if find_all else found

    def list(self, ignore_patterns: Any) -> Any:
        ensure()
        for path in self.files:
            yield path, self.storage
