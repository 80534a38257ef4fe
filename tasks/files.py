"""Evidence uploads: what a file really is, how big it is, what it may be called."""

from __future__ import annotations

import hashlib
import re
import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import PurePosixPath

import filetype
from django.conf import settings
from django.core.files import File
from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404
from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from kit.errors import Invalid, TooLarge, UnsupportedType

# Allowed kinds, judged by content: the kind's name (as filetype reports it),
# its MIME type and the file-name extensions that may carry it.
ALLOWED: dict[str, tuple[str, frozenset[str]]] = {
    "pdf": ("application/pdf", frozenset({"pdf"})),
    "doc": ("application/msword", frozenset({"doc"})),
    "docx": (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        frozenset({"docx"}),
    ),
    "xls": ("application/vnd.ms-excel", frozenset({"xls"})),
    "xlsx": (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        frozenset({"xlsx"}),
    ),
    "odt": ("application/vnd.oasis.opendocument.text", frozenset({"odt"})),
    "ods": ("application/vnd.oasis.opendocument.spreadsheet", frozenset({"ods"})),
    "jpg": ("image/jpeg", frozenset({"jpg", "jpeg"})),
    "png": ("image/png", frozenset({"png"})),
}
ZIPPED = frozenset({"docx", "xlsx", "odt", "ods"})
# The least a real file of each kind can weigh (a header alone is not a document):
# a PDF's header, one object and its trailer; a PNG's signature, header, data and
# end chunks; a JPEG's markers and tables; an OLE compound file's header and a
# sector. The zipped kinds are opened instead.
MIN_BYTES = {"pdf": 64, "png": 67, "jpg": 125, "doc": 1024, "xls": 1024}
ALLOWED_NAMES = "PDF, DOC, DOCX, XLS, XLSX, ODT, ODS, JPG, PNG"
MAX_NAME = 180


@dataclass(frozen=True)
class CheckedFile:
    filename: str
    extension: str
    content_type: str
    size: int
    sha256: str


def max_bytes() -> int:
    return int(settings.EVIDENCE_MAX_BYTES)


def clean_filename(name: str) -> tuple[str, str]:
    """A file name safe to show and to send back: (stem, extension in lower case).

    - only the last part of a path (either slash) is kept;
    - Unicode is normalised (NFC) so that Vietnamese letters keep one form;
    - control and format characters and the characters Windows forbids go.
    """
    base = PurePosixPath(name.replace("\\", "/")).name
    base = unicodedata.normalize("NFC", base)
    base = "".join(ch for ch in base if unicodedata.category(ch)[0] not in "CZ" or ch == " ")
    base = re.sub(r'[<>:"|?*]', "_", base).strip(" .")
    stem, dot, ext = base.rpartition(".")
    if not dot:
        stem, ext = base, ""
    stem = re.sub(r"\s+", " ", stem).strip(" .")[:MAX_NAME] or _("evidence")
    return stem, ext.lower()


def _is_readable_zip(file: File) -> bool:
    file.seek(0)
    try:
        with zipfile.ZipFile(file) as archive:
            return bool(archive.namelist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return False
    finally:
        file.seek(0)


def check_upload(file: File, name: str) -> CheckedFile:
    """Measure, identify and fingerprint an upload; refuse what is not allowed.

    Raises TooLarge (413) over the configured size, Invalid (422) when empty,
    UnsupportedType (415) when the content is not an allowed kind or does not
    match the name's extension. Nothing is stored here.
    """
    size = file.size or 0
    if size > max_bytes():
        raise TooLarge(
            _("The file is %(size)s MB; the limit is %(limit)s MB.")
            % {
                "size": formats.number_format(size / 1048576, 1),
                "limit": max_bytes() // 1048576,
            }
        )
    if size == 0:
        raise Invalid(_("The file is empty."), {"file": _("The file is empty.")})
    file.seek(0)
    head = file.read(8192)
    file.seek(0)
    kind = filetype.guess(head)
    if kind is None or kind.extension not in ALLOWED:
        raise UnsupportedType(
            _("This kind of file is not accepted. Allowed: %(kinds)s.") % {"kinds": ALLOWED_NAMES}
        )
    least = MIN_BYTES.get(kind.extension, 0)
    if size < least:
        message = ngettext(
            "The file holds only %(size)d byte: too little to be a %(kind)s document "
            "(at least %(least)d).",
            "The file holds only %(size)d bytes: too little to be a %(kind)s document "
            "(at least %(least)d).",
            size,
        ) % {"size": size, "kind": kind.extension.upper(), "least": least}
        raise UnsupportedType(message)
    if kind.extension in ZIPPED and not _is_readable_zip(file):
        raise UnsupportedType(_("The file is damaged: it cannot be opened."))
    content_type, extensions = ALLOWED[kind.extension]
    stem, ext = clean_filename(name)
    if ext and ext not in extensions:
        raise UnsupportedType(
            _("The file's content is %(kind)s but its name ends in .%(ext)s.")
            % {"kind": kind.extension.upper(), "ext": ext}
        )
    ext = ext or kind.extension
    digest = hashlib.sha256()
    for chunk in file.chunks():
        digest.update(chunk)
    file.seek(0)
    return CheckedFile(
        filename=f"{stem}.{ext}",
        extension=ext,
        content_type=content_type,
        size=size,
        sha256=digest.hexdigest(),
    )


# Kinds a browser shows itself; served inline they are sandboxed (no script, no form).
VIEWABLE = frozenset({"application/pdf", "image/jpeg", "image/png"})


def file_response(
    field: FieldFile, filename: str, content_type: str, *, inline: bool = False
) -> FileResponse:
    """A stored file sent back: a download, or shown in the browser (`inline`, PDF and
    images only) under a sandbox; 404 if storage lost it."""
    try:
        handle = field.open("rb")
    except FileNotFoundError as exc:
        raise Http404("The file is missing from storage.") from exc
    shown = inline and content_type in VIEWABLE
    response = FileResponse(
        handle, as_attachment=not shown, filename=filename, content_type=content_type
    )
    if shown:
        response["Content-Security-Policy"] = "sandbox"
    return response
