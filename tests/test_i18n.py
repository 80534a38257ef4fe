"""The Vietnamese catalogue is complete and compiled."""

from __future__ import annotations

from pathlib import Path

import polib

LOCALE = Path(__file__).resolve().parent.parent / "locale" / "vi" / "LC_MESSAGES"


def test_every_string_has_a_vietnamese_translation() -> None:
    po = polib.pofile(str(LOCALE / "django.po"))
    assert po.untranslated_entries() == []
    assert po.fuzzy_entries() == []
    assert len(po.translated_entries()) > 100


def test_the_compiled_catalogue_matches_the_source() -> None:
    po = polib.pofile(str(LOCALE / "django.po"))
    mo = polib.mofile(str(LOCALE / "django.mo"))
    compiled = {(e.msgid, e.msgstr or str(e.msgstr_plural)) for e in mo if e.msgid}
    source = {
        (e.msgid, e.msgstr or str(e.msgstr_plural)) for e in po.translated_entries() if e.msgid
    }
    assert source == compiled, "run: python manage.py compilemessages --ignore=.venv"
