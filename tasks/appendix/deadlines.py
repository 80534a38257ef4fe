"""Deadline phrases as appendices write them, read in the plan's year (docs/appendix.md).

- One date: `30/6/2026`, `30/6`, `Trước 15/3`, `Tháng 6`, `Tháng 6/2026`,
  `Quý II`, `Quý III/2026`, `6 tháng đầu năm`, `6 tháng cuối năm`,
  `Năm 2026`, `Cả năm`, `Trong năm`, `Hằng năm` (the end of the month,
  quarter, half or year they name);
- ongoing work, `Thường xuyên`: the year's end, noted as ongoing;
- recurring work, `Hằng tháng`, `Hằng quý`, `6 tháng`, `Định kỳ hằng quý`
  (hàng or hằng): one task per occurrence, each named with its period. A
  report's occurrences follow the periodic CCHC reports (due the 20th of the
  period's last month: quý I, 6 tháng, quý III, năm); other work is due at
  each period's end.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass

from django.utils.translation import gettext as _

from kit.text import fold

QUARTER = {"i": 1, "ii": 2, "iii": 3, "iv": 4, "1": 1, "2": 2, "3": 3, "4": 4}
ROMAN_QUARTER = {1: "I", 2: "II", 3: "III", 4: "IV"}
DAY_MONTH = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})(?:[/.\-](\d{4}))?$")
# The day of the period's last month a periodic report is due.
REPORT_DAY = 20
ONGOING = ("thuong xuyen", "lien tuc", "thuong xuyen lien tuc")
ONE_YEAR = ("ca nam", "hang nam", "hanh nam", "trong nam", "dinh ky hang nam")


@dataclass(frozen=True)
class Occurrence:
    """One task's deadline, and the period it is for when the work recurs ("" otherwise)."""

    due: dt.date
    period: str = ""


@dataclass(frozen=True)
class Deadline:
    """What a deadline cell gives: one occurrence, or one per period of recurring work."""

    occurrences: tuple[Occurrence, ...]
    ongoing: bool = False

    @property
    def recurring(self) -> bool:
        return len(self.occurrences) > 1


def _end_of(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def _plain(text: str) -> str:
    phrase = " ".join(fold(text).split())
    # "Định kỳ", "thực hiện" around a period say no more than the period.
    for prefix in ("thuc hien ", "bao cao ", "dinh ky "):
        if phrase.startswith(prefix):
            phrase = phrase[len(prefix) :]
    return phrase


def recurring(text: str, year: int, report: bool) -> Deadline | None:
    """The occurrences of recurring work (`Hằng quý`…), or None for any other phrase."""
    phrase = _plain(text).removesuffix(f" nam {year}").removesuffix(f"/{year}")
    if phrase in ("hang thang", "moi thang"):
        return Deadline(
            tuple(
                Occurrence(
                    dt.date(year, m, REPORT_DAY) if report else _end_of(year, m),
                    f"tháng {m}/{year}",
                )
                for m in range(1, 13)
            )
        )
    if phrase in ("hang quy", "moi quy", "theo quy"):
        if report:
            names = (
                f"quý I năm {year}",
                f"6 tháng năm {year}",
                f"quý III năm {year}",
                f"năm {year}",
            )
            return Deadline(
                tuple(
                    Occurrence(dt.date(year, 3 * q, REPORT_DAY), name)
                    for q, name in enumerate(names, start=1)
                )
            )
        return Deadline(
            tuple(
                Occurrence(_end_of(year, 3 * q), f"quý {ROMAN_QUARTER[q]} năm {year}")
                for q in range(1, 5)
            )
        )
    if phrase in ("6 thang", "6 thang mot lan", "hang 6 thang", "nua nam", "6 thang/lan"):
        if report:
            return Deadline(
                (
                    Occurrence(dt.date(year, 6, REPORT_DAY), f"6 tháng năm {year}"),
                    Occurrence(dt.date(year, 12, REPORT_DAY), f"năm {year}"),
                )
            )
        return Deadline(
            (
                Occurrence(dt.date(year, 6, 30), f"6 tháng đầu năm {year}"),
                Occurrence(dt.date(year, 12, 31), f"6 tháng cuối năm {year}"),
            )
        )
    return None


def read_deadline(text: str, year: int, *, report: bool = False) -> Deadline:
    """What a deadline cell says, in the plan's year unless it names one.

    `report`: the task is a periodic report (its title says "báo cáo"), whose
    recurring occurrences follow the reporting calendar.
    """
    repeated = recurring(text, year, report)
    if repeated is not None:
        return repeated
    phrase = _plain(text)
    if phrase in ONGOING:
        return Deadline((Occurrence(dt.date(year, 12, 31)),), ongoing=True)
    return Deadline((Occurrence(deadline(text, year)),))


def deadline(text: str, year: int) -> dt.date:
    """A one-date deadline phrase as a date (ValueError with the message otherwise)."""
    phrase = _plain(text)
    if not phrase:
        raise ValueError(_("No deadline."))
    for prefix in ("truoc ngay ", "truoc ", "ngay ", "cham nhat ", "den "):
        if phrase.startswith(prefix):
            phrase = phrase[len(prefix) :]
            break
    found = DAY_MONTH.match(phrase)
    if found:
        day, month, in_year = int(found[1]), int(found[2]), int(found[3] or year)
        try:
            return dt.date(in_year, month, day)
        except ValueError:
            raise ValueError(_("“%(text)s” is not a date.") % {"text": text}) from None
    found = re.match(r"^thang (\d{1,2})(?:[/\- ](?:nam )?(\d{4}))?$", phrase)
    if found and 1 <= int(found[1]) <= 12:
        return _end_of(int(found[2] or year), int(found[1]))
    found = re.match(r"^quy (iv|iii|ii|i|[1-4])(?:[/\- ](?:nam )?(\d{4}))?$", phrase)
    if found:
        return _end_of(int(found[2] or year), 3 * QUARTER[found[1]])
    if re.match(r"^6 thang dau nam(?: \d{4})?$", phrase):
        return dt.date(_year_in(phrase, year), 6, 30)
    if re.match(r"^6 thang cuoi nam(?: \d{4})?$", phrase):
        return dt.date(_year_in(phrase, year), 12, 31)
    found = re.match(r"^nam (\d{4})$", phrase)
    if found:
        return dt.date(int(found[1]), 12, 31)
    if phrase in ONE_YEAR or phrase in ONGOING:
        return dt.date(year, 12, 31)
    raise ValueError(_("“%(text)s” is not a deadline the appendix may give.") % {"text": text})


def _year_in(phrase: str, year: int) -> int:
    found = re.search(r"(\d{4})$", phrase)
    return int(found[1]) if found else year
