"""The committee's overview and each unit's page: figures, filters, access, queries, assets."""

from __future__ import annotations

import datetime as dt
import gzip
import json
import re
from collections import Counter
from collections.abc import Iterable
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.db.models import Max
from django.templatetags.static import static
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from plans.attainment import attainment
from plans.models import (
    Indicator,
    Level,
    Measurement,
    Official,
    Plan,
    ScoreSnapshot,
    Unit,
)
from tasks.models import Status, Task, completion_day
from tasks.scores.rollup import rollup
from tests.conftest import TODAY, login, unit_of
from tracker import assets
from tracker.assets import BASIC_JS, VendorFinder

HCM = ZoneInfo("Asia/Ho_Chi_Minh")

pytestmark = pytest.mark.django_db


def by_hand(tasks: Iterable[Task], as_of: dt.date, plan: Plan) -> Counter[str]:
    """The four states counted one task at a time from completed_at, the way a clerk would."""
    counts: Counter[str] = Counter()
    for t in tasks:
        if t.status == Status.CANCELLED:
            continue
        if t.parent_id is not None:
            continue
        counts["total"] += 1
        counts["due"] += t.due_date <= as_of
        finished = t.completed_at and timezone.localdate(t.completed_at)
        if finished and finished <= as_of:
            counts["on_time" if finished <= t.due_date else "late"] += 1
        elif t.due_date < as_of:
            counts["overdue"] += 1
        else:
            counts["in_term"] += 1
    return counts


def figures(progress: Any) -> Counter[str]:
    return Counter(
        {
            "total": progress.total,
            "due": progress.due,
            "on_time": progress.on_time,
            "late": progress.late,
            "overdue": progress.overdue,
            "in_term": progress.in_term,
        }
    )


def streamed(response: Any) -> bytes:
    """A static file's bytes (WhiteNoise streams them)."""
    return b"".join(response.streaming_content)


def body(response: Any) -> str:
    return response.content.decode()


def test_the_committee_home_is_the_overview_in_the_government_offices_terms(
    client: Client, plan: Plan
) -> None:
    login(client, "bcd1")
    page = client.get("/")
    assert page.status_code == 200
    html = body(page)
    for words in (
        "Tổng quan tỉnh",
        "Hoàn thành đúng hạn",
        "Hoàn thành quá hạn",
        "Chưa hoàn thành, còn trong hạn",
        "Chưa hoàn thành, quá hạn",
    ):
        assert words in html
    expected = by_hand(plan.tasks.all(), TODAY, plan)
    assert expected["overdue"] > 0 and expected["late"] > 0 and expected["in_term"] > 0
    assert figures(page.context["headline"]) == expected
    assert page.context["headline"].total == expected["total"]


def test_levels_and_areas_add_up_to_a_hand_count(client: Client, plan: Plan) -> None:
    login(client, "bcd1")
    page = client.get("/dashboard/")
    tasks = list(plan.tasks.select_related("lead_unit", "area"))
    for label, url, progress in page.context["level_rows"]:
        level = next(value for value, name in Level.choices if str(name) == label)
        mine = [t for t in tasks if t.lead_unit.level == level]
        assert figures(progress) == by_hand(mine, TODAY, plan), label
        assert f"level={level}" in url
    for label, url, progress in page.context["area_rows"]:
        mine = [t for t in tasks if str(t.area) == label]
        assert figures(progress) == by_hand(mine, TODAY, plan), label
        assert "area=" in url


def test_a_past_date_counts_work_accepted_after_it_as_not_done(client: Client, plan: Plan) -> None:
    as_of = dt.date(2026, 6, 30)
    task = plan.tasks.filter(status=Status.DONE, parent__isnull=True).first()
    assert task is not None
    task.due_date = dt.date(2025, 12, 31)  # before every other deadline: first in the list
    task.completed_at = dt.datetime(2026, 7, 15, 9, tzinfo=HCM)
    task.save()
    login(client, "bcd1")
    then = client.get("/dashboard/", {"as_of": "30/06/2026"})
    assert then.context["as_of"] == as_of
    assert figures(then.context["headline"]) == by_hand(plan.tasks.all(), as_of, plan)
    first = then.context["overdue"][0]
    assert first.task.pk == task.pk and first.days == (as_of - task.due_date).days
    assert "Tính đến 30/06/2026" in body(then)
    now = client.get("/dashboard/")
    assert figures(now.context["headline"]) == by_hand(plan.tasks.all(), TODAY, plan)
    assert task.pk not in {row.task.pk for row in now.context["overdue"]}


def test_the_filters_travel_in_the_url_and_narrow_every_figure(client: Client, plan: Plan) -> None:
    login(client, "bcd1")
    query: dict[str, str | int] = {"plan": plan.pk, "level": Level.COMMUNE}
    page = client.get("/dashboard/", query)
    communes = plan.tasks.filter(lead_unit__level=Level.COMMUNE)
    assert figures(page.context["headline"]) == by_hand(communes, TODAY, plan)
    assert [item["r"].level for item in page.context["ranking"]] == [Level.COMMUNE]
    area = plan.areas.get(number=3)
    page = client.get("/dashboard/", {"plan": plan.pk, "area": 3})
    in_area = plan.tasks.filter(area=area)
    assert figures(page.context["headline"]) == by_hand(in_area, TODAY, plan)
    assert page.context["unit_rows"], "an area's page lists its lead units"
    assert page.context["overdue"]
    assert all(row.task.area_id == area.pk for row in page.context["overdue"])
    assert f'href="/plans/{plan.pk}/?area=3"' in body(page), "the area's tasks are a click away"
    # The unit rows link to the unit pages with the same plan and date.
    assert all(f"plan={plan.pk}" in url for _l, url, _p in page.context["unit_rows"])


def test_bad_filters_are_named_and_the_rest_still_shows(client: Client, plan: Plan) -> None:
    login(client, "bcd1")
    page = client.get("/dashboard/", {"as_of": "31/13/2026", "level": "galaxy", "year": "2031"})
    assert page.status_code == 200
    html = body(page)
    assert "Nhập ngày theo dạng dd/mm/yyyy." in html
    assert "Không có kế hoạch nào năm 2031." in html
    assert page.context["as_of"] == TODAY and page.context["level"] is None
    assert page.context["headline"].total == by_hand(plan.tasks.all(), TODAY, plan)["total"]


def test_a_year_picks_that_years_plan(client: Client, plan: Plan) -> None:
    login(client, "bcd1")
    page = client.get("/dashboard/", {"year": plan.year})
    assert page.context["plan"] == plan
    assert page.context["filters"].errors == {}


def test_the_ranking_is_the_latest_rollup_with_links_to_each_unit(
    client: Client, plan: Plan
) -> None:
    login(client, "bcd1")
    page = client.get("/dashboard/")
    day = ScoreSnapshot.objects.filter(plan=plan, as_of__lte=TODAY).aggregate(d=Max("as_of"))["d"]
    assert page.context["score_day"] == day
    shown = {row.unit_id: row for item in page.context["ranking"] for row in item["r"].rows}
    stored = ScoreSnapshot.objects.filter(plan=plan, as_of=day)
    assert {s.unit_id: (s.points, s.rank) for s in stored} == {
        pk: (r.points, r.rank) for pk, r in shown.items()
    }
    html = body(page)
    some = stored.select_related("unit").first()
    assert some is not None
    assert f"/dashboard/units/{some.unit_id}/?plan={plan.pk}" in html
    chart = next(i["chart"] for i in page.context["ranking"] if i["r"].level == some.level)
    assert any(
        url.startswith(f"/dashboard/units/{some.unit_id}/")
        for url, _rank in chart["figure"]["data"][0]["customdata"]
    )


def test_indicators_agree_with_the_indicator_page(client: Client, plan: Plan) -> None:
    login(client, "bcd1")
    page = client.get("/dashboard/")
    assert page.context["indicators"]
    for item in page.context["indicators"]:
        f = item["figures"]
        _units, levels = attainment(f.indicator)
        expected = {
            x.level: (x.target_pct, x.actual_pct, x.units_meeting, x.units_missing) for x in levels
        }
        got = {
            x.level: (x.target_pct, x.actual_pct, x.units_meeting, x.units_missing)
            for x in f.levels
        }
        assert got == expected, f.indicator.code
    assert "Số đơn vị đạt" in body(page)


def test_a_unit_that_has_not_reported_is_missing_not_zero(client: Client, plan: Plan) -> None:
    indicator = Indicator.objects.filter(plan=plan).order_by("code").first()
    assert indicator is not None
    login(client, "bcd1")

    def communes() -> Any:
        figures = next(
            i["figures"]
            for i in client.get("/dashboard/").context["indicators"]
            if i["figures"].indicator == indicator
        )
        return next(x for x in figures.levels if x.level == Level.COMMUNE)

    before = communes()
    silent = Measurement.objects.filter(indicator=indicator, unit__level=Level.COMMUNE)[0].unit
    Measurement.objects.filter(indicator=indicator, unit=silent).delete()
    after = communes()
    assert after.units_missing == before.units_missing + 1
    assert after.units_reported == before.units_reported - 1
    page = client.get(f"/dashboard/units/{silent.pk}/")
    mine = next(
        i["figures"] for i in page.context["indicators"] if i["figures"].indicator == indicator
    )
    assert mine.unit is not None and mine.unit.actual_pct is None
    assert "chưa báo cáo" in body(page)


def test_the_trend_reads_the_rollup_snapshots(client: Client, plan: Plan) -> None:
    login(client, "bcd1")
    page = client.get("/dashboard/")
    days = sorted(set(ScoreSnapshot.objects.filter(plan=plan).values_list("as_of", flat=True)))
    assert [p.day for p in page.context["trend"]] == days and len(days) > 3
    last = ScoreSnapshot.objects.filter(plan=plan, as_of=days[-1])
    due = sum(s.tasks_due or 0 for s in last)
    done = sum(s.tasks_done or 0 for s in last)
    assert page.context["trend"][-1].done_pct == round(Decimal(100 * done) / due, 2)
    chart = page.context["charts"]["trend"]["figure"]
    assert chart["data"][0]["x"][0] == days[0].isoformat()


def test_the_trends_on_time_share_counts_every_task_due_and_its_levels_average_index(
    client: Client, plan: Plan
) -> None:
    """On time is of every counted task due, whatever its tag, as a clerk counts it."""
    login(client, "bcd1")
    last = client.get("/dashboard/").context["trend"][-1]
    counted = Task.objects.filter(plan__in=[plan, *plan.unit_plans.all()], parent=None).exclude(
        status=Status.CANCELLED
    )
    due = [t for t in counted if t.due_date <= last.day]
    on_time = [t for t in due if t.completed_on is not None and t.completed_on <= t.due_date]
    assert last.on_time_pct == round(Decimal(100 * len(on_time)) / len(due), 2)
    assert last.on_time_pct > 40  # far from the share of the tasks tagged 1.3 alone
    indexes = [
        s.index_pct
        for s in ScoreSnapshot.objects.filter(plan=plan, as_of=last.day, level="commune")
        if s.index_pct is not None
    ]
    average = sum(indexes, Decimal(0)) / len(indexes)
    assert last.points["commune"] == average.quantize(Decimal("0.01"))


def test_the_overdue_list_is_oldest_first_with_the_head_to_call(client: Client, plan: Plan) -> None:
    login(client, "bcd1")
    rows = client.get("/dashboard/").context["overdue"]
    dates = [r.task.due_date for r in rows]
    assert dates == sorted(dates) and dates[0] < TODAY
    oldest = plan.tasks.overdue(TODAY).filter(parent__isnull=True).order_by("due_date")[0]
    assert rows[0].task.due_date == oldest.due_date
    assert rows[0].days == (TODAY - oldest.due_date).days
    head = Official.objects.head_of(rows[0].task.lead_unit_id)
    assert head is not None and rows[0].head_name == head.full_name


def test_a_unit_page_explains_its_score_and_counts_its_own_tasks(
    client: Client, plan: Plan
) -> None:
    unit = Unit.objects.get(code="snv")
    login(client, "bcd1")
    page = client.get(f"/dashboard/units/{unit.pk}/")
    assert page.status_code == 200
    assert figures(page.context["headline"]) == by_hand(
        plan.tasks.filter(lead_unit=unit), TODAY, plan
    )
    snapshot = page.context["snapshot"]
    assert snapshot == ScoreSnapshot.objects.filter(plan=plan, unit=unit).latest("as_of")
    html = body(page)
    assert "1.2" in html and page.context["parts"][1]["why_text"] in html
    assert f"hạng {snapshot.rank}/{page.context['peers']}" in html
    assert all(r.task.lead_unit_id == unit.pk for r in page.context["overdue"])


def test_officials_see_no_dashboard(client: Client) -> None:
    me = login(client, "snv.cv1")
    assert client.get("/dashboard/").status_code == 403
    assert client.get(f"/dashboard/units/{me.unit_id}/").status_code == 403


def test_a_head_is_taken_to_their_own_unit_and_no_further(client: Client) -> None:
    me = login(client, "snv.head")
    page = client.get("/dashboard/", {"as_of": "30/06/2026"})
    assert page.status_code == 302
    assert page["Location"] == f"/dashboard/units/{me.unit_id}/?as_of=30%2F06%2F2026"
    assert client.get(page["Location"]).status_code == 200
    other = Unit.objects.exclude(pk=unit_of(me.user.username))[0]
    assert client.get(f"/dashboard/units/{other.pk}/").status_code == 404
    assert client.get("/dashboard/units/999999/").status_code == 404


def test_the_pages_speak_english_with_english_numbers(client: Client) -> None:
    login(client, "bcd1")
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    page = client.get("/dashboard/")
    html = body(page)
    assert "Province overview" in html and "Done on time" in html
    assert page.context["charts"]["levels"]["figure"]["layout"]["separators"] == ".,"
    client.post("/i18n/setlang/", {"language": "vi", "next": "/"})
    page = client.get("/dashboard/")
    assert page.context["charts"]["levels"]["figure"]["layout"]["separators"] == ",."
    assert re.search(r"\d+,\d%", body(page)), "percentages with a decimal comma"


def add_units_and_tasks(plan: Plan, units: int, tasks: int) -> None:
    """More communes leading more tasks, with measurements and a fresh roll-up."""
    made = Unit.objects.bulk_create(
        Unit(code=f"more-{n}", name=f"Xã thêm {n}", level=Level.COMMUNE) for n in range(units)
    )
    areas = list(plan.areas.all())
    done_at = dt.datetime(2026, 5, 2, 9, tzinfo=HCM)
    Task.objects.bulk_create(
        Task(
            plan=plan,
            area=areas[n % len(areas)],
            lead_unit=made[n % units],
            title=f"Việc thêm {n}",
            due_date=dt.date(2026, 3 + n % 9, 10),
            original_due_date=dt.date(2026, 3 + n % 9, 10),
            status=Status.DONE if n % 3 == 0 else Status.IN_PROGRESS,
            completed_at=done_at if n % 3 == 0 else None,
            completed_on=completion_day(done_at) if n % 3 == 0 else None,
        )
        for n in range(tasks)
    )
    for indicator in Indicator.objects.filter(plan=plan):
        Measurement.objects.bulk_create(
            Measurement(
                indicator=indicator,
                unit=unit,
                period_start=dt.date(2026, 1, 1),
                period_end=dt.date(2026, 9, 30),
                numerator=n % 50,
                denominator=50,
            )
            for n, unit in enumerate(made)
        )
    rollup(plan, TODAY)


def test_each_page_runs_the_same_queries_at_two_sizes(
    client: Client, plan: Plan, django_assert_num_queries: Any
) -> None:
    unit = Unit.objects.get(code="snv")
    login(client, "bcd1")
    pages = ["/dashboard/", "/dashboard/?area=2", "/dashboard/?level=commune"]
    pages.append(f"/dashboard/units/{unit.pk}/")
    small = {}
    for url in pages:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        small[url] = len(captured)
    add_units_and_tasks(plan, units=60, tasks=3000)
    for url in pages:
        with django_assert_num_queries(small[url]):
            assert client.get(url).status_code == 200


def test_a_page_carries_only_what_it_draws(client: Client, plan: Plan) -> None:
    add_units_and_tasks(plan, units=60, tasks=600)
    login(client, "bcd1")
    page = client.get("/dashboard/")
    ranking = {item["r"].level: item for item in page.context["ranking"]}
    communes = ranking[Level.COMMUNE]
    assert communes["r"].units > 60 and communes["r"].hidden == communes["r"].units - 20
    assert len(communes["chart"]["figure"]["data"][0]["y"]) == 20
    for chart in [*page.context["charts"].values()]:
        if isinstance(chart, dict):
            assert "template" not in chart["figure"]["layout"]
    assert len(page.content) < 150_000
    assert not re.search(r'<script[^>]+src="(https?:)?//', body(page))


def test_plotly_is_served_from_this_machine_compressed_and_cached(client: Client) -> None:
    login(client, "bcd1")
    html = body(client.get("/dashboard/"))
    url = static(BASIC_JS)
    assert f'<script src="{url}" defer>' in html
    packed = client.get(url, HTTP_ACCEPT_ENCODING="gzip, br")
    assert packed.status_code == 200
    assert packed["Content-Encoding"] == "gzip"
    assert "immutable" in packed["Cache-Control"] and "max-age=315360000" in packed["Cache-Control"]
    plain = client.get(url)
    assert "Content-Encoding" not in plain
    assert gzip.decompress(streamed(packed)) == streamed(plain)
    again = client.get(url, HTTP_IF_NONE_MATCH=plain["ETag"])
    assert again.status_code == 304


def test_a_first_visit_loads_under_600_kb_of_javascript_and_not_the_full_plotly(
    client: Client,
) -> None:
    """The committee's first visit: every script of the overview, as sent compressed."""
    login(client, "bcd1")
    html = body(client.get("/dashboard/"))
    scripts = re.findall(r'<script src="([^"]+)"', html)
    assert static(BASIC_JS) in scripts and assets.FULL_JS not in html
    sent = 0
    for url in scripts:
        answer = client.get(url, HTTP_ACCEPT_ENCODING="gzip")
        assert answer.status_code == 200, url
        content = streamed(answer)
        sent += len(content if answer.get("Content-Encoding") == "gzip" else gzip.compress(content))
    assert 100_000 < sent < 600_000


def test_without_the_registry_the_pages_fall_back_to_the_full_plotly(
    client: Client, settings: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A machine cut off from the npm registry still draws its charts."""
    settings.DATA_DIR = tmp_path
    monkeypatch.setenv("NPM_REGISTRY", "https://127.0.0.1:9")  # nothing listens there
    found = dict(VendorFinder().list([]))
    assert assets.FULL_JS in found and assets.BASIC_JS not in found
    login(client, "bcd1")
    html = body(client.get("/dashboard/"))
    assert f'<script src="{static(assets.FULL_JS)}" defer>' in html


@pytest.mark.parametrize(
    ("dist", "why"),
    [
        ({"integrity": "sha512-AAAA", "tarball": "https://registry.example/x.tgz"}, "sha512"),
        ({"tarball": "http://registry.example/x.tgz"}, "only https"),
        ({"tarball": "file:///etc/passwd"}, "only https"),
    ],
)
def test_a_bundle_that_is_not_the_pinned_one_is_refused(
    monkeypatch: pytest.MonkeyPatch, dist: dict[str, str], why: str
) -> None:
    """The registry is outside: its answers are stood in for; the checks are ours."""
    real_get = assets._get

    def registry(url: str) -> bytes:
        if url.endswith(assets.plotly_js_version()):
            return json.dumps({"dist": dist}).encode()
        if urlsplit(url).scheme == "https":
            return b"not the bundle"
        return real_get(url)

    monkeypatch.setattr(assets, "_get", registry)
    with pytest.raises(ImproperlyConfigured, match=why):
        assets.download(assets.plotly_js_version())


def test_markup_in_a_units_name_is_shown_as_text_in_the_charts(client: Client, plan: Plan) -> None:
    """plotly draws links and styles found in labels: a name's markup must stay text."""
    unit = Unit.objects.get(code="snv")
    unit.name = 'Sở <a href="/x">NV</a> <span style="c">1</span>'  # short enough to be whole
    unit.save(update_fields=["name"])
    login(client, "bcd1")
    # The departments' progress (a bar per unit) and their ranking.
    html = body(client.get("/dashboard/?level=department"))
    figures = [
        json.loads(found)
        for found in re.findall(
            r'<script id="figure-[^"]+" type="application/json">(.*?)</script>', html
        )
    ]
    assert figures
    drawn = "\n".join(strings([trace for f in figures for trace in f["data"]]))
    assert 'Sở &lt;a href="/x"&gt;NV&lt;/a&gt; &lt;span style="c"&gt;1&lt;/span&gt;' in drawn
    assert "<a href" not in drawn and "<span" not in drawn


def strings(value: Any) -> Iterable[str]:
    """Every string inside a JSON value."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from strings(item)
