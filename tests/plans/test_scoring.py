"""The rule kinds at their edges, checked against sums done by hand."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from fractions import Fraction
from typing import Any

import pytest
from django.utils import translation

from plans import rules, scoring
from plans.rules.bands import DEFAULT_BANDS, check_bands
from plans.rules.completion_bands import completion_bands
from plans.rules.indicator_target import indicator_target
from plans.rules.manual import manual
from plans.rules.on_time import on_time
from plans.rules.plan_issued_on_time import plan_issued_on_time
from plans.rules.step_bands import step_bands
from plans.scoring import Counts

AS_OF = dt.date(2026, 11, 22)
BANDS = DEFAULT_BANDS
THREE = Decimal("3.00")


def bands(accepted: int, due: int) -> scoring.Score:
    return completion_bands(THREE, BANDS, Counts(due, accepted, 0), AS_OF)


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
    one = completion_bands(Decimal("1"), BANDS, Counts(8, 7, 0), AS_OF)
    assert one.points == Decimal("0.88")


def test_nothing_due_is_not_applicable_and_says_so() -> None:
    score = bands(0, 0)
    assert score.points == Decimal("0.00") and not score.applicable
    with translation.override("en"):
        assert rules.explain(score.why) == "Not applicable: no task due by 22/11/2026."
    with translation.override("vi"):
        assert rules.explain(score.why).startswith("Không áp dụng")
        assert "22/11/2026" in rules.explain(score.why)


def test_the_why_names_counts_and_band() -> None:
    with translation.override("en"):
        text = rules.explain(bands(8, 10).why)
    assert text == (
        "8 of 10 tasks due by 22/11/2026 were accepted by then (80%): "
        "from 80% to under 100%, the maximum times the rate."
    )


def test_on_time_needs_every_due_task_on_time() -> None:
    assert on_time(Decimal("1"), Counts(3, 3, 3), AS_OF).points == Decimal("1.00")
    late = on_time(Decimal("1"), Counts(3, 3, 2), AS_OF)
    assert late.points == Decimal("0.00")
    assert late.why == {"rule": "on_time", "as_of": "2026-11-22", "due": 3, "on_time": 2}
    assert not on_time(Decimal("1"), Counts(0, 0, 0), AS_OF).applicable


def test_a_units_plan_on_time_late_or_not_issued() -> None:
    deadline = dt.date(2026, 1, 31)

    def rule(issued: dt.date | None, as_of: dt.date = AS_OF) -> scoring.Score:
        return plan_issued_on_time(
            Decimal(1), issued, deadline, late_points=Decimal("0.5"), as_of=as_of
        )

    assert rule(dt.date(2026, 1, 31)).points == Decimal("1.00")
    late = rule(dt.date(2026, 2, 1))
    assert late.points == Decimal("0.50") and late.applicable
    unissued = rule(None)
    assert unissued.points == Decimal("0.00") and unissued.applicable
    before = rule(None, dt.date(2026, 1, 31))
    assert not before.applicable and before.points == Decimal("0.00")
    # Issued after the day scored: not issued yet, that day.
    assert not rule(dt.date(2026, 1, 20), dt.date(2026, 1, 10)).applicable
    with translation.override("en"):
        assert rules.explain(unissued.why) == (
            "The unit's plan has not been issued (due by 31/01/2026): no points."
        )
        assert rules.explain(late.why) == (
            "The unit's plan was issued on 01/02/2026, after 31/01/2026: 0.5 points."
        )
        assert rules.explain(before.why) == (
            "Not applicable: the unit's plan is not due until 31/01/2026."
        )


def test_manual_is_zero_until_entered_and_capped_at_the_maximum() -> None:
    empty = manual(Decimal(1), None)
    assert empty.points == Decimal("0.00")
    with translation.override("en"):
        assert rules.explain(empty.why) == "Not yet scored."
    at = dt.datetime(2026, 10, 20, 9, 0, tzinfo=dt.UTC)
    entry = scoring.ManualEntry(Decimal("0.755"), "Sáng kiến", "Trần Văn An", at)
    assert manual(Decimal(1), entry).points == Decimal("0.76")
    big = scoring.ManualEntry(Decimal("4"), "x", "y", at)
    assert manual(Decimal(1), big).points == Decimal("1.00")


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
    assert check_bands(value)


def test_the_demo_bands_are_usable() -> None:
    assert check_bands(DEFAULT_BANDS) is None


def test_the_rate_and_proportional_points_are_exact_half_up() -> None:
    # Checked against exact fractions rounded half up, for every count up to 60.
    for due in range(1, 61):
        for accepted in range(due + 1):
            rate = Fraction(accepted * 100, due)
            score = completion_bands(Decimal("2.75"), BANDS, Counts(due, accepted), AS_OF)
            assert score.why["pct"] == str(scoring.round_points(rate))
            if 80 <= rate < 100:
                expected = scoring.round_points(Fraction(Decimal("2.75")) * rate / 100)
                assert score.points == expected
    assert bands(2, 3).why["pct"] == "66.67"
    assert bands(1, 8).why["pct"] == "12.50"


STEPS: list[dict[str, Any]] = [
    {"from": 100, "points": 1},
    {"from": 70, "points": "0.50"},
    {"from": 0, "points": 0},
]


def test_step_bands_give_fixed_points_per_band() -> None:
    def steps(accepted: int, due: int) -> scoring.Score:
        return step_bands(Decimal(1), STEPS, Counts(due, accepted, 0), AS_OF)

    assert steps(10, 10).points == Decimal("1.00")
    # 7 of 10 is exactly 70%: 0.5; 69 of 100 is below it: nothing.
    assert steps(7, 10).points == Decimal("0.50")
    assert steps(69, 100).points == Decimal("0.00")
    assert not steps(0, 0).applicable
    with translation.override("en"):
        assert rules.explain(steps(7, 10).why) == (
            "7 of 10 tasks due by 22/11/2026 were accepted by then (70%): "
            "from 70% to under 100%, 0.5 points."
        )


def test_an_indicator_against_its_levels_target() -> None:
    def indicator(numerator: int | None, target: str | None, below: str = "proportional") -> Any:
        figure = None
        if numerator is not None:
            figure = scoring.Figure(numerator, 200, dt.date(2026, 9, 30))
        return indicator_target(
            Decimal(2),
            indicator="hscv-mang",
            figure=figure,
            target_pct=Decimal(target) if target else None,
            below=below,
        )

    # 80 of 200 = 40%, target 40%: met.
    assert indicator(80, "40").points == Decimal("2.00")
    # 60 of 200 = 30% of a 40% target: 2 x 30/40 = 1.50; or nothing.
    assert indicator(60, "40").points == Decimal("1.50")
    assert indicator(60, "40", "zero").points == Decimal("0.00")
    # 59 of 200 = 29.5%: 2 x 29.5/40 = 1.475 -> 1.48 (half up).
    assert indicator(59, "40").points == Decimal("1.48")
    unreported = indicator(None, "40")
    assert unreported.points == Decimal("0.00") and unreported.applicable
    assert not indicator(60, None).applicable
    with translation.override("en"):
        assert rules.explain(unreported.why) == "No figure reported for hscv-mang: no points."
        named = {"hscv-mang": "Hồ sơ công việc trên môi trường mạng"}
        assert rules.explain(unreported.why, named) == (
            "No figure reported for Hồ sơ công việc trên môi trường mạng: no points."
        )
        assert rules.explain(indicator(60, "40").why) == (
            "hscv-mang: 30% at 30/09/2026, below the target of 40%: "
            "the maximum times figure / target."
        )


def test_bonus_and_penalty_stay_outside_the_maximum_and_a_total_never_goes_below_zero() -> None:
    at = dt.datetime(2026, 10, 20, 9, 0, tzinfo=dt.UTC)
    one = Decimal(1)

    def rule(kind: str, top: str = "1") -> rules.Rule:
        return rules.Rule("1.9", kind, Decimal(top), {})

    penalty = manual(one, scoring.ManualEntry(Decimal("0.5"), "x", "y", at), "penalty")
    bonus = manual(one, scoring.ManualEntry(Decimal("3"), "x", "y", at), "bonus")
    assert penalty.points == Decimal("-0.50") and bonus.points == Decimal("1.00")
    half = scoring.Score(Decimal("0.25"), {})
    total = scoring.total(
        [(rule("manual", "2"), half), (rule("penalty"), penalty), (rule("bonus"), bonus)]
    )
    # 0.25 - 0.5 + 1 = 0.75 over a maximum of 2: 37.5%.
    assert total == scoring.Total(Decimal("0.75"), Decimal("2.00"), Decimal("37.50"))
    floor = scoring.total([(rule("manual", "2"), half), (rule("penalty"), penalty)])
    assert floor.points == Decimal("0.00") and floor.index_pct == Decimal("0.00")
    na = scoring.Score(Decimal(0), {}, applicable=False)
    assert scoring.total([(rule("manual"), na)]) == scoring.Total(
        Decimal("0.00"), Decimal("0.00"), None
    )


def test_a_judged_item_marked_not_applicable_leaves_the_maximum() -> None:
    at = dt.datetime(2026, 10, 20, 9, 0, tzinfo=dt.UTC)
    entry = scoring.ManualEntry(Decimal(0), "Không có sáng kiến đăng ký", "Trần An", at, True)
    score = manual(Decimal(1), entry)
    assert not score.applicable
    with translation.override("en"):
        assert rules.explain(score.why) == (
            "Not applicable: marked by Trần An: Không có sáng kiến đăng ký"
        )


def test_groups_and_ranks_by_index_and_units_without_an_index_are_unranked() -> None:
    groups = [
        {"code": "A", "from_pct": 90},
        {"code": "B", "from_pct": 80},
        {"code": "D", "from_pct": 0},
    ]
    assert scoring.group_of(Decimal("90.00"), groups) == "A"
    assert scoring.group_of(Decimal("89.99"), groups) == "B"
    assert scoring.group_of(Decimal("12"), groups) == "D"
    assert scoring.group_of(None, groups) == ""
    ranks = scoring.competition_ranks(
        {"a": Decimal(80), "b": None, "c": Decimal(80), "d": Decimal(95)}
    )
    assert ranks == {"d": 1, "a": 2, "c": 2, "b": None}


@pytest.mark.parametrize(
    ("bands", "says"),
    [
        ([{"from": 70, "points": "full"}], "gap from 0% to 70%"),
        (
            [{"from": 0, "to": 60, "points": "zero"}, {"from": 70, "points": "full"}],
            "gap from 60% to 70%",
        ),
        (
            [{"from": 0, "to": 80, "points": "zero"}, {"from": 70, "points": "full"}],
            "overlaps",
        ),
        ([{"from": 0, "points": "zero"}, {"from": 0, "points": "full"}], "overlap"),
        ([{"from": 0, "to": 90, "points": "zero"}], "gap from 90% to 100%"),
    ],
)
def test_bands_that_overlap_or_leave_a_gap_are_named(bands: list[Any], says: str) -> None:
    with translation.override("en"):
        problem = check_bands(bands)
    assert problem is not None and says in problem, problem


def test_unknown_rules_and_bad_parameters_are_named() -> None:
    with translation.override("en"):
        assert "Unknown rule" in rules.check_params("magic", {}, Decimal(1))["rule"]
        steps = rules.check_params("step_bands", {"bands": [{"from": 0, "points": 2}]}, Decimal(1))
        assert "between 0 and 1 points" in steps["bands"]
        issued = rules.check_params("plan_issued_on_time", {"deadline": "31/01"}, Decimal(1))
        assert set(issued) == {"deadline"}
        assert rules.check_params("indicator_target", {}, Decimal(1)) == {
            "indicator": "Name the indicator by its code."
        }
        assert "no parameter" in rules.check_params("manual", {"bands": []}, Decimal(1))["bands"]
