"""plotly.js for the dashboards: plotly's own "basic" bundle, served as a static file.

The dashboards draw bars and lines only, so the pages load plotly's partial
bundle of bar, scatter and pie (about 375 KB gzipped) rather than the full one
the Python package ships (1.46 MB gzipped). The bundle is plotly's published
npm package `plotly.js-basic-dist-min`, of the same plotly.js version as the
installed Python package (so that it draws the figures that package writes),
fetched from the npm registry the first time it is needed: by `collectstatic`,
which `scripts/serve.sh` runs, by `manage.py fetch_assets`, which
`scripts/test.sh` runs, or by the first request in development. Never at run
time from a CDN: the file is kept in DATA_DIR/assets and served by the product.

- The download must match the sha512 pinned below for its version (the
  registry's own digest is trusted only for a version not pinned here, as npm
  itself does), and come over https.
- A machine that cannot reach the registry still works: the pages then load
  the full bundle from the Python package (`plotly_js()` says which is there).
- Each file has a gzip copy beside it: WhiteNoise sends the compressed copy,
  and, the version being in the name, browsers keep it for a year
  (tracker.middleware.StaticFiles).

NPM_REGISTRY names another registry (a mirror inside the province's network).
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import io
import json
import logging
import os
import re
import tarfile
import urllib.request
import uuid
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import plotly
from django.conf import settings
from django.contrib.staticfiles.finders import BaseFinder
from django.core.exceptions import ImproperlyConfigured
from django.core.files.storage import FileSystemStorage
from whitenoise.compress import Compressor
from whitenoise.storage import CompressedManifestStaticFilesStorage

log = logging.getLogger(__name__)

PACKAGE = "plotly.js-basic-dist-min"
MEMBER = "package/plotly-basic.min.js"
TIMEOUT = 60
# The npm tarball's sha512 (its "integrity") per plotly.js version, read once
# from the registry and kept here, so that a registry or mirror cannot serve
# other JavaScript to the dashboards.
PINNED = {
    "3.7.0": "84KPQhLTrO5IHu6DCte2KwA4bzSoVIdIs3uDPWid3sgeTX8L5RjpDARjCG3spgOwQ8MYE8PL+MeQ0DQ"
    "RWA1Emw==",
}
# Static URLs whose name carries a version number: their content never changes.
VERSIONED = re.compile(r"/vendor/[a-z-]+-\d+(\.\d+)+\.min\.js$")


@cache
def plotly_js_version() -> str:
    """The plotly.js version the installed Python plotly writes figures for."""
    with full_source().open("rb") as head:
        found = re.search(rb"plotly\.js v(\d+\.\d+\.\d+)", head.read(200))
    if found is None:
        raise ImproperlyConfigured(f"No plotly.js version in the header of {full_source()}.")
    return found.group(1).decode()


def full_source() -> Path:
    return Path(plotly.__file__).parent / "package_data" / "plotly.min.js"


BASIC_JS = f"vendor/plotly-basic-{plotly_js_version()}.min.js"
FULL_JS = f"vendor/plotly-{plotly_js_version()}.min.js"


def registry() -> str:
    return os.environ.get("NPM_REGISTRY", "https://registry.npmjs.org").rstrip("/")


def _get(url: str) -> bytes:
    if urlsplit(url).scheme != "https":
        raise ImproperlyConfigured(f"{url}: only https is fetched.")
    with urllib.request.urlopen(url, timeout=TIMEOUT) as answer:
        return bytes(answer.read())


def download(version: str) -> bytes:
    """The bundle's JavaScript from the registry, refused unless its tarball matches the sha512."""
    source = f"{registry()}/{PACKAGE}/{version}"
    try:
        dist = json.loads(_get(source))["dist"]
        tarball = _get(dist["tarball"])
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise ImproperlyConfigured(f"Could not fetch {PACKAGE} {version} ({error}).") from error
    expected = PINNED.get(version) or str(dist.get("integrity", "")).removeprefix("sha512-")
    digest = base64.b64encode(hashlib.sha512(tarball).digest()).decode()
    if digest != expected:
        raise ImproperlyConfigured(f"{PACKAGE} {version} from {source} failed its sha512 check.")
    try:
        with tarfile.open(fileobj=io.BytesIO(tarball), mode="r:gz") as archive:
            member = archive.extractfile(MEMBER)
            if member is None:
                raise KeyError(MEMBER)
            return member.read()
    except (KeyError, tarfile.TarError) as error:
        raise ImproperlyConfigured(f"{PACKAGE} {version} holds no {MEMBER} ({error}).") from error


def _write(path: Path, data: bytes) -> None:
    """Write through a temporary name, so that a concurrent reader never sees half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.{uuid.uuid4().hex}")
    partial.write_bytes(data)
    partial.replace(path)


def storage() -> FileSystemStorage:
    return FileSystemStorage(location=Path(settings.DATA_DIR) / "assets")


def _keep(name: str, data: bytes) -> None:
    target = Path(storage().path(name))
    _write(target.with_name(target.name + ".gz"), gzip.compress(data, compresslevel=9, mtime=0))
    _write(target, data)


def _present(name: str) -> bool:
    target = Path(storage().path(name))
    return target.exists() and target.with_name(target.name + ".gz").exists()


def ensure() -> Path:
    """Both bundles in DATA_DIR/assets (the basic one fetched if missing); the basic one's path.

    Raises ImproperlyConfigured when the basic bundle cannot be fetched; the
    full one is in place all the same.
    """
    if not _present(FULL_JS):
        _keep(FULL_JS, full_source().read_bytes())
    if not _present(BASIC_JS):
        _keep(BASIC_JS, download(plotly_js_version()))
    return Path(storage().path(BASIC_JS))


def plotly_js() -> str:
    """The bundle the pages load: the basic one, or the full one when it could not be fetched."""
    return BASIC_JS if _present(BASIC_JS) else FULL_JS


class VendorFinder(BaseFinder):
    """Finds vendor/plotly-basic-<version>.min.js and vendor/plotly-<version>.min.js (and .gz)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.storage = storage()
        self.files = [BASIC_JS, f"{BASIC_JS}.gz", FULL_JS, f"{FULL_JS}.gz"]

    def ensure(self) -> None:
        """Fetch what is missing; without the registry, log why and go on with the full one."""
        try:
            ensure()
        except ImproperlyConfigured as error:
            log.warning(
                "%s The dashboards load the full plotly.js instead; connect this machine to "
                "the npm registry (or set NPM_REGISTRY to a mirror) and run "
                "`manage.py fetch_assets`.",
                error,
            )

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
        if not Path(self.storage.path(path)).exists():
            return []
        found = self.storage.path(path)
        return [found] if find_all else found

    def list(self, ignore_patterns: Any) -> Any:
        self.ensure()
        for path in self.files:
            if Path(self.storage.path(path)).exists():
                yield path, self.storage


class StaticStorage(CompressedManifestStaticFilesStorage):
    """WhiteNoise's hashed, compressed static files, with gzip copies only.

    Brotli comes installed with WeasyPrint (fontTools reads WOFF2 with it), and
    WhiteNoise would then also write a brotli copy of each file at its slowest
    setting: 36 s more at every start for the plotly bundles and the API
    docs' scripts, for copies that browsers fetch over HTTPS only.
    """

    def create_compressor(self, **kwargs: Any) -> Compressor:
        return Compressor(**{**kwargs, "use_brotli": False})
