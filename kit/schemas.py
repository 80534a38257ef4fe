"""Input types the API shares: strict, bounded, safe to store.

- ids are integers within the database's range, never a bool or a string;
- dates are ISO strings (YYYY-MM-DD) only: pydantic's lax mode would take 0;
- text refuses NUL and lone surrogates, which PostgreSQL cannot store.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any

from ninja import Schema
from ninja.pagination import LimitOffsetPagination
from pydantic import AfterValidator, BeforeValidator, Field, StringConstraints
from pydantic.types import Strict

from kit.workbooks import XLSX

MAX_ID = 2**31 - 1
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _storable(value: str) -> str:
    if "\x00" in value:
        raise ValueError("NUL characters are not allowed")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise ValueError("text must be valid Unicode") from exc
    return value


def _iso_date(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value
    if not isinstance(value, str) or not ISO_DATE.match(value):
        raise ValueError("use a date written YYYY-MM-DD")
    return value


def _sane_year(value: dt.date) -> dt.date:
    if not 2000 <= value.year <= 2100:
        raise ValueError("the year must be between 2000 and 2100")
    return value


Id = Annotated[int, Strict(), Field(ge=1, le=MAX_ID)]
# In a path or a query string everything arrives as text: lax, but bounded.
PathId = Annotated[int, Field(ge=1, le=MAX_ID)]
Year = Annotated[int, Strict(), Field(ge=2000, le=2100)]
IsoDate = Annotated[dt.date, BeforeValidator(_iso_date), AfterValidator(_sane_year)]
Text = Annotated[str, Strict(), AfterValidator(_storable)]


def _bounded(max_length: int, min_length: int = 0) -> StringConstraints:
    return StringConstraints(strip_whitespace=True, min_length=min_length, max_length=max_length)


_STORABLE = AfterValidator(_storable)

# Storable strings of bounded length, leading and trailing spaces trimmed;
# RequiredTextN refuses an empty one.
Text20 = Annotated[str, Strict(), _bounded(20), _STORABLE]
RequiredText20 = Annotated[str, Strict(), _bounded(20, 1), _STORABLE]
RequiredText40 = Annotated[str, Strict(), _bounded(40, 1), _STORABLE]
Text60 = Annotated[str, Strict(), _bounded(60), _STORABLE]
Text120 = Annotated[str, Strict(), _bounded(120), _STORABLE]
RequiredText128 = Annotated[str, Strict(), _bounded(128, 1), _STORABLE]
RequiredText150 = Annotated[str, Strict(), _bounded(150, 1), _STORABLE]
Text200 = Annotated[str, Strict(), _bounded(200), _STORABLE]
RequiredText200 = Annotated[str, Strict(), _bounded(200, 1), _STORABLE]
Text254 = Annotated[str, Strict(), _bounded(254), _STORABLE]
Text300 = Annotated[str, Strict(), _bounded(300), _STORABLE]
RequiredText300 = Annotated[str, Strict(), _bounded(300, 1), _STORABLE]
RequiredText500 = Annotated[str, Strict(), _bounded(500, 1), _STORABLE]
Text2000 = Annotated[str, Strict(), _bounded(2000), _STORABLE]
RequiredText2000 = Annotated[str, Strict(), _bounded(2000, 1), _STORABLE]
RequiredText4096 = Annotated[str, Strict(), _bounded(4096, 1), _STORABLE]
Text5000 = Annotated[str, Strict(), _bounded(5000), _STORABLE]
RequiredText5000 = Annotated[str, Strict(), _bounded(5000, 1), _STORABLE]
Text20000 = Annotated[str, Strict(), _bounded(20000), _STORABLE]


class Detail(Schema):
    """The error body of every 4xx: a message, and the fields at fault if any."""

    detail: str
    errors: list[dict[str, Any]] | None = None


# The answers every endpoint may give besides its own success (docs/api.md, errors).
ERRORS: dict[int, type[Detail]] = {
    400: Detail,
    401: Detail,
    403: Detail,
    404: Detail,
    409: Detail,
    422: Detail,
}
# ... and those of an endpoint taking a file: too large, or of a kind it does not read.
UPLOAD_ERRORS: dict[int, type[Detail]] = {**ERRORS, 413: Detail, 415: Detail}


def file_answer(content_type: str, what: str) -> dict[str, Any]:
    """The OpenAPI description of an endpoint answering a file (its `openapi_extra`)."""
    return {
        "responses": {
            "200": {
                "description": what,
                "content": {content_type: {"schema": {"type": "string", "format": "binary"}}},
            }
        }
    }


XLSX_ANSWER = file_answer(XLSX, "An Excel workbook")


class Page(LimitOffsetPagination):
    """?limit= (1-500, default 100) &offset= (0 and up): {"items": [...], "count": N}."""

    class Input(Schema):
        limit: int = Field(100, ge=1, le=500)
        offset: int = Field(0, ge=0, le=MAX_ID)
