"""Penalty points: entered by an appraiser, taken away outside the maximum."""

from __future__ import annotations

from django.utils.translation import gettext_lazy

from plans.rules.manual import Manual


class Penalty(Manual):
    name = "penalty"
    label = gettext_lazy("Penalty points (outside the maximum)")
    counts_in_maximum = False
    may_not_apply = False
    entered_as = gettext_lazy("penalty")
    sign = -1
