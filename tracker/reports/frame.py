"""A report's frame as Decree 30/2020/NĐ-CP sets it: who issues it, its number, place and
date, its recipients and its signature block, by the unit's kind.

What a unit's letterhead (plans.UnitLetterhead) says is used as written; what it
leaves empty is derived:

- a People's Committee ("UBND tỉnh Lâm Đồng", "UBND xã Đức Trọng") is written
  in full, ỦY BAN NHÂN DÂN over TỈNH LÂM ĐỒNG, numbers its reports …/BC-UBND,
  takes its place from its own name (Lâm Đồng) and signs TM. ỦY BAN NHÂN DÂN /
  KT. CHỦ TỊCH / PHÓ CHỦ TỊCH;
- any other body (a sở) is written under its superior abbreviated (UBND TỈNH
  LÂM ĐỒNG over SỞ NỘI VỤ), numbers its reports with its initials (…/BC-SNV),
  takes the place of the committee above it and signs GIÁM ĐỐC;
- the signer is the unit's head; the recipients are the body the report goes
  to (the Ministry of Home Affairs for a province, the superior otherwise),
  and "Lưu: VT, <abbreviation>" closes the list.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.utils.translation import gettext as _

from kit.text import fold
from plans.models import Official, Unit, UnitLetterhead

_COMMITTEE = re.compile(r"^(ubnd|uy ban nhan dan)\s+", re.IGNORECASE)
# What a committee's name says before its place: tỉnh Lâm Đồng -> Lâm Đồng.
_KIND_OF_PLACE = re.compile(
    r"^(tỉnh|thành phố|tp\.?|huyện|quận|thị xã|xã|phường|thị trấn|đặc khu)\s+", re.IGNORECASE
)


@dataclass(frozen=True)
class Frame:
    superior: str  # the body above, abbreviated, upper case; may be empty
    issuer: list[str]  # the issuing body in full, one line each, upper case
    abbreviation: str
    place: str
    recipients: list[str]
    signer_position: list[str]
    signer_name: str


def is_committee(unit: Unit) -> bool:
    """A People's Committee (UBND …), which signs on behalf of the committee."""
    return bool(_COMMITTEE.match(fold(unit.name)))


def _rest(unit: Unit) -> str:
    """A committee's name without "UBND": tỉnh Lâm Đồng."""
    return re.sub(r"^(UBND|Ủy ban nhân dân|Uỷ ban nhân dân)\s+", "", unit.name, flags=re.IGNORECASE)


def _abbreviated(unit: Unit) -> str:
    """How a body is named above one of its own: UBND TỈNH LÂM ĐỒNG."""
    return (f"UBND {_rest(unit)}" if is_committee(unit) else unit.name).upper()


def _initials(name: str) -> str:
    """Sở Nội vụ -> SNV."""
    return "".join(word[0] for word in name.split() if word[0].isalpha()).upper()


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def _place(unit: Unit, chain: list[Unit]) -> str:
    for body in [unit, *chain]:
        mine = _own(body)
        if mine is not None and mine.place:
            return mine.place
        if is_committee(body):
            return _KIND_OF_PLACE.sub("", _rest(body)).strip()
    return ""


def _own(unit: Unit) -> UnitLetterhead | None:
    try:
        return unit.letterhead
    except UnitLetterhead.DoesNotExist:
        return None


def frame_of(unit: Unit) -> Frame:
    """The frame of the unit's reports: its letterhead's fields, the rest derived."""
    chain: list[Unit] = []
    above = unit.parent
    while above is not None and len(chain) < 10:
        chain.append(above)
        above = above.parent
    own = _own(unit) or UnitLetterhead(unit=unit)
    committee = is_committee(unit)
    superior = "" if committee or not chain else _abbreviated(chain[0])
    if own.issuer:
        lines = [line.upper() for line in _lines(own.issuer)]
        superior, issuer = ("", lines) if len(lines) == 1 else (lines[0], lines[1:])
    elif committee:
        issuer = [_("PEOPLE'S COMMITTEE"), _rest(unit).upper()]
    else:
        issuer = [unit.name.upper()]
    abbreviation = own.abbreviation or ("UBND" if committee else _initials(unit.name))
    if own.signer_position:
        position = _lines(own.signer_position)
    elif committee:
        position = [
            _("ON BEHALF OF THE PEOPLE'S COMMITTEE"),
            _("FOR THE CHAIRMAN"),
            _("VICE CHAIRMAN"),
        ]
    else:
        position = [_("DIRECTOR")]
    head = Official.objects.head_of(unit.pk)
    if own.recipients:
        recipients = _lines(own.recipients)
    elif chain:
        recipients = [f"{chain[0].name};"]
    else:
        recipients = [
            _("Ministry of Home Affairs;"),
            _("Standing committee of the provincial party;"),
            _("Standing committee of the provincial council;"),
        ]
    recipients.append(_("Archived: Clerical office, %(abbr)s.") % {"abbr": abbreviation})
    return Frame(
        superior=superior,
        issuer=issuer,
        abbreviation=abbreviation,
        place=_place(unit, chain),
        recipients=recipients,
        signer_position=position,
        signer_name=own.signer_name or (head.full_name if head else ""),
    )
