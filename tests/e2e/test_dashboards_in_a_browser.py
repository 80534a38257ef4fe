"""The dashboards in Chromium: charts drawn, no console errors, a click on a bar drills down."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from plans.models import Unit
from tests.e2e.test_pages_in_a_browser import sign_in

pytestmark = pytest.mark.usefixtures("demo_live")

# docs/overview.png is this picture, taken by hand with OVERVIEW_PICTURE=docs/overview.png;
# a run of the suite writes it in its own temporary folder, never over a tracked file.
PICTURE = os.environ.get("OVERVIEW_PICTURE", "")


def charts_drawn(page: Page) -> int:
    """Wait until every chart of the page holds plotly's svg; return how many there are."""
    page.wait_for_function(
        "() => { const boxes = [...document.querySelectorAll('.chart')];"
        " return boxes.length > 0 && boxes.every(b => b.querySelector('svg.main-svg')); }"
    )
    return page.locator(".chart").count()


def click_bar(page: Page, chart: str, index: int = 0) -> None:
    """Click the middle of a chart's index-th visible bar, as a person would."""
    page.locator(f"[data-figure^='{chart}']").first.scroll_into_view_if_needed()
    box = page.evaluate(
        """([chart, index]) => {
            const box = document.querySelector(`[data-figure^='${chart}']`);
            const bars = [...box.querySelectorAll('.points path')]
                .map(p => p.getBoundingClientRect())
                .filter(r => r.width > 4 && r.height > 4)
                .sort((a, b) => a.top - b.top || a.left - b.left);
            const r = bars[index];
            return {x: r.left + r.width / 2, y: r.top + r.height / 2};
        }""",
        [chart, index],
    )
    page.mouse.click(box["x"], box["y"])


def test_the_committee_reads_the_overview_and_drills_down(
    page: Page, live_server: object, tmp_path: Path
) -> None:
    page.set_viewport_size({"width": 1280, "height": 1300})
    errors = sign_in(page, str(live_server), "bcd1")
    expect(page.get_by_role("heading", name="Tổng quan tỉnh")).to_be_visible()
    drawn = charts_drawn(page)
    assert drawn >= 6  # levels, areas, three levels' rankings, indicators, trend
    # Every chart has its table, readable without the chart.
    expect(page.locator("table.progress").first).to_contain_text("Hoàn thành đúng hạn")
    picture = Path(PICTURE) if PICTURE else tmp_path / "overview.png"
    page.screenshot(path=str(picture))
    assert picture.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"

    # A unit's bar in the ranking opens that unit's page.
    first = page.locator("table.ranking tbody tr th a").first.inner_text()
    click_bar(page, "figure-ranking-")
    expect(page).to_have_url(re.compile(r"/dashboard/units/\d+/\?plan=\d+"))
    expect(page.get_by_role("heading", level=1)).to_have_text(first)
    expect(
        page.get_by_role("heading", name="Lĩnh vực 1 — Công tác chỉ đạo, điều hành CCHC")
    ).to_be_visible()
    charts_drawn(page)
    page.go_back()
    expect(page.get_by_role("heading", name="Tổng quan tỉnh")).to_be_visible()

    # An area's bar narrows the overview to that area, with its lead units.
    charts_drawn(page)
    click_bar(page, "figure-areas")
    expect(page).to_have_url(re.compile(r"area=\d+"))
    expect(
        page.get_by_role("heading", name=re.compile("Đơn vị chủ trì trong lĩnh vực"))
    ).to_be_visible()
    charts_drawn(page)
    # And a unit's name in a table leads there too.
    page.locator("table.progress tbody th a").last.click()
    expect(page).to_have_url(re.compile(r"/dashboard/units/\d+/"))
    assert errors == []


def test_a_head_reads_their_unit_and_opens_an_areas_tasks(page: Page, live_server: object) -> None:
    base = str(live_server)
    errors = sign_in(page, base, "snv.head")
    unit = Unit.objects.get(code="snv")
    page.locator("header").get_by_role("link", name="Bảng theo dõi").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(unit.name)
    assert charts_drawn(page) >= 2  # progress by area, the trend
    click_bar(page, "figure-areas")
    expect(page).to_have_url(re.compile(rf"/plans/\d+/\?lead_unit={unit.pk}&area=\d+"))
    rows = page.locator("table.tasks tbody tr")
    expect(rows.first).to_be_visible()
    page.go_back()
    expect(page.get_by_role("heading", level=1)).to_have_text(unit.name)
    # The province overview is not theirs: they land on their own unit.
    page.goto(f"{base}/dashboard/")
    expect(page).to_have_url(re.compile(rf"/dashboard/units/{unit.pk}/"))
    assert errors == []


# Every chart's labels, measured where plotly drew them: for each chart, the
# tick labels outside the picture, tick labels without a digit, axis titles
# that overlap their axis's tick labels, bar labels cut at the edge, and
# whether the stacked charts' percent axis reaches 100%.
MEASURE = """() => {
  const inside = (r, box) => r.left >= box.left - 1 && r.right <= box.right + 1
    && r.top >= box.top - 1 && r.bottom <= box.bottom + 1;
  const meets = (a, b) => a.left < b.right && b.left < a.right
    && a.top < b.bottom && b.top < a.bottom;
  return [...document.querySelectorAll('.chart')].map(chart => {
    const box = chart.querySelector('svg.main-svg').getBoundingClientRect();
    const texts = sel => [...chart.querySelectorAll(sel)].filter(t => t.textContent.trim());
    const ticks = {x: texts('.xtick text'), y: texts('.ytick text'), y2: texts('.y2tick text')};
    const problems = [];
    for (const [axis, labels] of Object.entries(ticks)) {
      for (const t of labels) {
        const r = t.getBoundingClientRect();
        if (!inside(r, box)) problems.push(`${axis} tick "${t.textContent}" cut`);
      }
      const title = chart.querySelector(`.g-${axis}title text`);
      if (title && title.textContent.trim()) {
        const r = title.getBoundingClientRect();
        if (!inside(r, box)) problems.push(`${axis} title cut`);
        if (labels.some(t => meets(t.getBoundingClientRect(), r)))
          problems.push(`${axis} title over its ticks`);
      }
    }
    for (const t of texts('.bartext')) {
      if (!inside(t.getBoundingClientRect(), box))
        problems.push(`bar label "${t.textContent}" cut`);
    }
    const numeric = chart.dataset.figure.startsWith('figure-indicator')
      || chart.dataset.figure === 'figure-trend' ? ticks.y.concat(ticks.y2) : [];
    for (const t of numeric) {
      if (!/\\d/.test(t.textContent)) problems.push(`y tick "${t.textContent}" has no number`);
    }
    return {name: chart.dataset.figure, problems,
            xticks: ticks.x.map(t => t.textContent)};
  });
}"""


@pytest.mark.parametrize("width", [1280, 390])
def test_every_charts_numbers_and_titles_are_whole(
    page: Page, live_server: object, width: int
) -> None:
    page.set_viewport_size({"width": width, "height": 900})
    errors = sign_in(page, str(live_server), "bcd1")
    charts_drawn(page)
    measured = page.evaluate(MEASURE)
    names = {m["name"] for m in measured}
    assert {"figure-levels", "figure-areas", "figure-trend"} <= names
    assert any(n.startswith("figure-indicator") for n in names)
    problems = {m["name"]: m["problems"] for m in measured if m["problems"]}
    assert not problems, json.dumps([problems, [m["xticks"] for m in measured]], ensure_ascii=False)
    for m in measured:
        if m["name"] in {"figure-levels", "figure-areas", "figure-units"}:
            assert "100%" in m["xticks"], m
    assert errors == []
