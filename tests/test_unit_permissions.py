"""Every action on a plan or a unit's work × every role, through the real services and getters.

The counterpart of tests/tasks/test_permission_matrix.py for the rows of WHO_MAY
that are not a task's: the organisation, plans, scores and figures; dashboards,
reports, task results, the review queue, the annual assessment, a unit's own
plan. Each role's relations to what is acted on are written here by hand; a
role succeeds exactly when the table gives one of them the action, and a
refusal changes nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from functools import cached_property

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.test import Client
from django.urls import reverse

from assessments import services as assessment_services
from assessments.models import Assessment, Sheet
from assessments.sheets import get_sheet_for, require_council
from kit.errors import Invalid, NotAllowed
from plans import planning
from plans.access import PLAN_ACTIONS, UNIT_ACTIONS, WHO_MAY, Action, Rel, score_reach
from plans.accounts import lift_locks
from plans.models import AuditEvent, Indicator, Level, LoginLock, Official, Plan, Unit
from plans.services import create_unit
from tasks.access import TASK_ACTIONS, review_queue_for
from tasks.results.periods import parse_period
from tasks.results.services import results_unit_for, set_general_points
from tasks.scores.days import recompute_scores
from tasks.services import create_task
from tests.conftest import TODAY
from tests.factories import Province, make_province, sign_in
from tracker.health import shows_details
from tracker.reports.figures import report_scope

pytestmark = pytest.mark.django_db

ROLES = ("admin", "committee", "plan_head", "lead_head", "assignee", "other_head", "outsider")

NONE: frozenset[Rel] = frozenset()
# How each role stands to `lead`, the unit acted on.
TO_LEAD: dict[str, frozenset[Rel]] = {
    "admin": frozenset({Rel.ADMIN}),
    "committee": frozenset({Rel.COMMITTEE}),
    "plan_head": NONE,
    "lead_head": frozenset({Rel.UNIT_HEAD, Rel.MEMBER}),
    "assignee": frozenset({Rel.MEMBER}),
    "other_head": NONE,
    "outsider": NONE,
}
# How each role stands to their own unit (the review queue).
TO_OWN: dict[str, frozenset[Rel]] = {
    **TO_LEAD,
    "plan_head": TO_LEAD["lead_head"],
    "other_head": TO_LEAD["lead_head"],
    "outsider": TO_LEAD["assignee"],
}
# Allowed by the table, refused for the value (422): the province plan's own unit is
# scored by that plan, and records no plan of its own under it.
REFUSED_FOR_ITS_VALUE = {(Action.RECORD_UNIT_PLAN, "plan_head")}
# How each role stands to the province plan (issued by the province's People's Committee).
TO_PLAN: dict[str, frozenset[Rel]] = {
    **TO_LEAD,
    "plan_head": frozenset({Rel.PLAN_HEAD, Rel.PROVINCE_HEAD}),
    "lead_head": NONE,
    "assignee": NONE,
}
REFUSED = (NotAllowed, PermissionDenied, Http404)


class World:
    def __init__(self, province: Province, client: Client) -> None:
        self.p = province
        self.client = client
        self._assessment: Assessment | None = None

    def person(self, role: str) -> Official:
        return getattr(self.p, role)

    @property
    def sheet(self) -> Sheet:
        if self._assessment is None:
            self._assessment = assessment_services.open_assessment(
                self.p.committee,
                self.p.plan,
                self_closes_on=TODAY + dt.timedelta(days=10),
                appraisal_closes_on=TODAY + dt.timedelta(days=20),
            )
        return self._assessment.sheets.get(unit=self.p.lead)

    @cached_property
    def indicator(self) -> Indicator:
        return planning.create_indicator(
            self.p.admin,
            self.p.plan,
            code="hscv-mang",
            name="Hồ sơ công việc xử lý trên mạng",
            targets=[{"level": Level.DEPARTMENT, "target_pct": 70}],
        )

    def page(self, person: Official, url: str) -> None:
        self.client.logout()
        sign_in(self.client, person)
        status = self.client.get(url).status_code
        if status in (302, 403, 404):  # a head asking for the overview is taken to their unit's
            raise PermissionDenied(status)
        assert status == 200, (url, status)


Try = Callable[[World, Official], object]


def refused_unless(allowed: bool) -> None:
    if not allowed:
        raise NotAllowed("refused")


CASES: dict[Action, tuple[dict[str, frozenset[Rel]], Try]] = {
    Action.MANAGE_ORGANISATION: (
        TO_PLAN,
        lambda w, o: create_unit(
            o, code="so-moi", name="Sở mới", level=Level.DEPARTMENT, parent_id=w.p.province.pk
        ),
    ),
    Action.LIFT_LOCK: (TO_PLAN, lambda w, o: lift_locks(o, LoginLock.objects.all())),
    Action.READ_HEALTH: (TO_PLAN, lambda w, o: refused_unless(shows_details(o))),
    Action.MANAGE_PLAN: (
        TO_PLAN,
        lambda w, o: planning.update_plan(o, w.p.plan, title="Kế hoạch CCHC năm 2026 (sửa)"),
    ),
    Action.ISSUE_PROVINCE_PLAN: (
        TO_PLAN,
        lambda w, o: planning.create_plan(
            o, unit_id=w.p.province.pk, year=2027, title="Kế hoạch CCHC năm 2027"
        ),
    ),
    Action.CREATE_TASK: (
        TO_PLAN,
        lambda w, o: create_task(
            o,
            w.p.plan,
            title="Rà soát thủ tục",
            area=1,
            lead_unit_id=w.p.lead.pk,
            due_date=TODAY + dt.timedelta(days=30),
        ),
    ),
    Action.SCORE: (TO_PLAN, lambda w, o: recompute_scores(o, w.p.plan, TODAY)),
    Action.READ_SCORES: (
        TO_PLAN,
        lambda w, o: refused_unless(score_reach(o, w.p.plan).every_unit),
    ),
    Action.READ_UNIT_SCORE: (
        TO_LEAD,
        lambda w, o: refused_unless(score_reach(o, w.p.plan).detailed(w.p.lead.pk)),
    ),
    Action.PUBLISH_RANKING: (TO_PLAN, lambda w, o: planning.set_ranking_public(o, w.p.plan, True)),
    Action.REPORT_FIGURE: (
        TO_LEAD,
        lambda w, o: planning.report_measurement(
            o,
            w.indicator,
            unit_id=w.p.lead.pk,
            period_start=dt.date(2026, 7, 1),
            period_end=dt.date(2026, 9, 30),
            numerator=7,
            denominator=10,
        ),
    ),
    Action.READ_OVERVIEW: (TO_LEAD, lambda w, o: w.page(o, reverse("overview") + "?full=1")),
    Action.READ_UNIT_DASHBOARD: (
        TO_LEAD,
        lambda w, o: w.page(o, reverse("unit_dashboard", args=[w.p.lead.pk])),
    ),
    Action.READ_REPORT: (TO_LEAD, lambda w, o: report_scope(o, w.p.plan, None)),
    Action.READ_UNIT_REPORT: (TO_LEAD, lambda w, o: report_scope(o, w.p.plan, w.p.lead.pk)),
    Action.READ_RESULTS: (TO_LEAD, lambda w, o: results_unit_for(o, w.p.lead.pk)),
    Action.ASSESS_RESULTS: (
        TO_LEAD,
        lambda w, o: set_general_points(o, w.p.colleague, parse_period("2026-10", TODAY), 25),
    ),
    Action.REVIEW_QUEUE: (TO_OWN, lambda w, o: review_queue_for(o)),
    Action.READ_SHEET: (TO_LEAD, lambda w, o: get_sheet_for(o, w.sheet.assessment, w.p.lead.pk)),
    Action.EDIT_SHEET: (
        TO_LEAD,
        lambda w, o: assessment_services.edit_line(o, w.sheet, "1.2", explanation="Đã rà soát."),
    ),
    Action.SUBMIT_SHEET: (TO_LEAD, lambda w, o: assessment_services.submit_sheet(o, w.sheet)),
    Action.APPRAISE: (TO_LEAD, lambda w, o: require_council(o)),
    Action.RECORD_UNIT_PLAN: (
        TO_OWN,
        lambda w, o: planning.record_unit_plan(
            o,
            w.p.plan,
            title="Kế hoạch CCHC của đơn vị",
            document_number="12/KH-SNV",
            issued_on=dt.date(2026, 1, 20),
        ),
    ),
}


def test_every_row_of_the_table_is_tried_somewhere() -> None:
    """A plan's and a unit's rows here, a task's in the task matrix."""
    assert set(CASES) == UNIT_ACTIONS | PLAN_ACTIONS
    assert set(WHO_MAY) == set(TASK_ACTIONS) | PLAN_ACTIONS | UNIT_ACTIONS
    assert not (UNIT_ACTIONS & PLAN_ACTIONS) and not (UNIT_ACTIONS & set(TASK_ACTIONS))


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", sorted(CASES), ids=str)
def test_unit_matrix(client: Client, action: Action, role: str) -> None:
    world = World(make_province(), client)
    relations, attempt = CASES[action]
    allowed = bool(WHO_MAY[action] & relations[role])
    person = world.person(role)
    if action in (Action.READ_SHEET, Action.EDIT_SHEET, Action.SUBMIT_SHEET):
        assert world.sheet.pk  # opened by the committee before the role tries
    if action == Action.REPORT_FIGURE:
        assert world.indicator.pk  # added by the administrator before the role tries
    before = (AuditEvent.objects.count(), Plan.objects.count(), Unit.objects.count())
    if (action, role) in REFUSED_FOR_ITS_VALUE:
        assert allowed
        with pytest.raises(Invalid):
            attempt(world, person)
    elif allowed:
        attempt(world, person)
    else:
        with pytest.raises(REFUSED):
            attempt(world, person)
        assert (AuditEvent.objects.count(), Plan.objects.count(), Unit.objects.count()) == before
