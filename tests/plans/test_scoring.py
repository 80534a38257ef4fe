"""The rule kinds at their edges, checked against sums done by hand."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from fractions import Fraction

import pytest
from django.utils import translation

from plans import scoring
from plans.scoring import Counts

AS_OF = dt.date(2026, 11, 22)
BANDS = scoring.DEFAULT_BANDS
THREE = Decimal("3.00")


def bands(accepted: int, due: int) -> scoring.Score:
    return scoring.completion_bands(THREE, BANDS, Counts(due, accepted, 0), AS_OF)


def test_all_accepted_gets_full_points() -> None:
    score = bands(5, 5)
    assert score.points == Decimal("3.00")
    assert score.why["band"]["points"] == "full"
    assert score.why["pct"] == "100.00"


def test_exactly_80_percent_is_proportional() -> None:
    # 8 of 10 = 80%: 3 x 0.8 = 2.40
    score = bands(8, 10)
    assert score.points == Decimal("2.40")
    assert score.why["band"] == {"from": 80, "to": 100, "points": "proportional"}


def test_just_below_80_percent_gets_nothing() -> None:
    # 79 of 99 = 79.797...% < 80%: zero, although it rounds to 79.80
    score = bands(79, 99)
    assert score.points == Decimal("0.00")
    assert score.why["band"]["points"] == "zero"
    assert score.why["pct"] == "79.80"


def test_399_of_499_stays_below_80_percent_exactly() -> None:
    # 399/499 = 79.959...%: a float comparison would be tempted; the exact one is not.
    assert bands(399, 499).points == Decimal("0.00")
    # 400/500 is exactly 80%.
    assert bands(400, 500).points == Decimal("2.40")


def test_proportional_points_round_half_up_to_two_decimals() -> None:
    # 5 of 6: 3 x 5/6 = 2.5 exactly; 9 of 11: 3 x 9/11 = 2.4545... -> 2.45;
    # 1 x 7/8 = 0.875 -> 0.88 (half up, not half even)
    assert bands(5, 6).points == Decimal("2.50")
    assert bands(9, 11).points == Decimal("2.45")
    one = scoring.completion_bands(Decimal("1"), BANDS, Counts(8, 7, 0), AS_OF)
    assert one.points == Decimal("0.88")


def test_nothing_due_gets_full_points_and_says_so() -> None:
    score = bands(0, 0)
    assert score.points == Decimal("3.00")
    with translation.override("en"):
        assert scoring.explain(score.why) == "No task due by 22/11/2026: full points."
    with translation.override("vi"):
        assert "22/11/2026" in scoring.explain(score.why)


def test_the_why_names_counts_and_band() -> None:
    with translation.override("en"):
        text = scoring.explain(bands(8, 10).why)
    assert text == (
        "8 of 10 tasks due by 22/11/2026 were accepted by then (80%): "
        "from 80% to under 100%, the maximum times the rate."
    )


def test_on_time_needs_every_due_task_on_time() -> None:
    assert scoring.on_time(Decimal("1"), Counts(3, 3, 3), AS_OF).points == Decimal("1.00")
    late = scoring.on_time(Decimal("1"), Counts(3, 3, 2), AS_OF)
    assert late.points == Decimal("0.00")
    assert late.why == {"rule": "on_time", "as_of": "2026-11-22", "due": 3, "on_time": 2}
    assert scoring.on_time(Decimal("1"), Counts(0, 0, 0), AS_OF).points == Decimal("1.00")


def test_plan_issued_on_time_compares_dates() -> None:
    deadline = dt.date(2026, 1, 31)
    rule = scoring.plan_issued_on_time
    assert rule(Decimal(1), dt.date(2026, 1, 31), deadline).points == Decimal("1.00")
    assert rule(Decimal(1), dt.date(2026, 2, 1), deadline).points == Decimal("0.00")
    unissued = rule(Decimal(1), None, deadline)
    assert unissued.points == Decimal("0.00")
    with translation.override("en"):
        assert scoring.explain(unissued.why) == "The plan has not been issued: no points."


def test_manual_is_zero_until_entered_and_capped_at_the_maximum() -> None:
    empty = scoring.manual(Decimal(1), None)
    assert empty.points == Decimal("0.00")
    with translation.override("en"):
        assert scoring.explain(empty.why) == "Not yet scored."
    at = dt.datetime(2026, 10, 20, 9, 0, tzinfo=dt.UTC)
    entry = scoring.ManualEntry(Decimal("0.755"), "Sáng kiến", "Trần Văn An", at)
    assert scoring.manual(Decimal(1), entry).points == Decimal("0.76")
    big = scoring.ManualEntry(Decimal("4"), "x", "y", at)
    assert scoring.manual(Decimal(1), big).points == Decimal("1.00")


def test_ties_share_a_rank_and_the_next_is_skipped() -> None:
    ranks = scoring.competition_ranks(
        {"a": Decimal("7"), "b": Decimal("7"), "c": Decimal("6.5"), "d": Decimal("8")}
    )
    assert ranks == {"d": 1, "a": 2, "b": 2, "c": 4}
    assert scoring.competition_ranks({}) == {}


@pytest.mark.parametrize(
    "value",
    [
        [],
        [{"from": 80, "points": "full"}],
        [{"from": 0, "points": "most"}],
        [{"from": 0, "points": "zero"}, {"from": 0, "points": "full"}],
        [{"from": 120, "points": "full"}, {"from": 0, "points": "zero"}],
        [{"from": "80", "points": "full"}, {"from": 0, "points": "zero"}],
        "full",
    ],
)
def test_unusable_bands_are_named(value: object) -> None:
    assert scoring.check_bands(value)


def test_the_demo_bands_are_usable() -> None:
    assert scoring.check_bands(scoring.DEFAULT_BANDS) is None


def test_the_rate_and_proportional_points_are_exact_half_up() -> None:
    # Checked against exact fractions rounded half up, for every count up to 60.
    for due in range(1, 61):
        for accepted in range(due + 1):
            rate = Fraction(accepted * 100, due)
            score = scoring.completion_bands(Decimal("2.75"), BANDS, Counts(due, accepted), AS_OF)
            assert score.why["pct"] == str(scoring.round_points(rate))
            if 80 <= rate < 100:
                expected = scoring.round_points(Fraction(Decimal("2.75")) * rate / 100)
                assert score.points == expected
    assert bands(2, 3).why["pct"] == "66.67"
    assert bands(1, 8).why["pct"] == "12.50"


@pytest.mark.parametrize(
    "kind", [scoring.COMPLETION_BANDS, scoring.ON_TIME, scoring.PLAN_ISSUED_ON_TIME]
)
def test_the_same_reading_gives_the_same_score(kind: str) -> None:
    # The roll-up scores each distinct reading once and reuses it for every
    # unit that reads the same: nothing apply uses may be left out of it.
    rule = scoring.Rule("1.2", kind, THREE, BANDS, dt.date(2026, 1, 31))
    seen: dict[tuple[object, ...], scoring.Score] = {}
    for due in range(5):
        for accepted in range(due + 1):
            for on_time in range(accepted + 1):
                counts = Counts(due, accepted, on_time)
                score = scoring.apply(
                    rule, counts=counts, as_of=AS_OF, issued_on=dt.date(2026, 1, 20), entry=None
                )
                assert seen.setdefault(scoring.reads(rule, counts, None), score) == score
    # ...and it is no coarser than it must be.
    assert len(seen) == {scoring.COMPLETION_BANDS: 15, scoring.ON_TIME: 15}.get(kind, 1)


def test_a_manual_reading_is_the_entry() -> None:
    rule = scoring.Rule("1.6", scoring.MANUAL, Decimal(1), [], None)
    at = dt.datetime(2026, 10, 20, 9, 0, tzinfo=dt.UTC)
    one, two = (scoring.ManualEntry(Decimal(p), "x", "y", at) for p in ("0.5", "0.7"))
    assert scoring.reads(rule, Counts(3, 1, 0), one) == scoring.reads(rule, Counts(), one)
    assert scoring.reads(rule, Counts(), one) != scoring.reads(rule, Counts(), two)
