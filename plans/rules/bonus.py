"""Bonus points: entered by an appraiser, added outside the maximum."""

from __future__ import annotations

from django.utils.translation import gettext_lazy

from plans.rules.manual import Manual


class Bonus(Manual):
    name = "bonus"
    label = gettext_lazy("Bonus points (outside the maximum)")
    counts_in_maximum = False
    may_not_apply = False
    entered_as = gettext_lazy("bonus")
