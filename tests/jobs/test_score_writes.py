"""The two score writes: recomputing a day, and an appraiser's points; both audited."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import psycopg
import pytest
from django.conf import settings
from django.db import connection
from django.db.models.signals import post_save, pre_delete
from django.http import HttpRequest
from django.test import Client
from django.utils import timezone

from plans.models import AuditEvent, ManualScore, ScoreSnapshot
from tasks.scores import days as scores
from tasks.scores.rollup import rollup
from tests.factories import PASSWORD, make_province

TODAY = dt.date(2026, 11, 22)


@pytest.mark.django_db
def test_recomputing_is_for_the_committee_and_is_in_the_plans_history(client: Client) -> None:
    province = make_province()
    province.task(subcriterion="1.2")
    url = f"/api/v1/plans/{province.plan.pk}/rollup?as_of=2026-11-22"
    assert client.login(
        request=HttpRequest(), username=province.lead_head.user.username, password=PASSWORD
    )
    refused = client.post(url)
    assert refused.status_code == 403
    assert not ScoreSnapshot.objects.filter(plan=province.plan).exists()
    assert not AuditEvent.objects.history_of(province.plan).filter(action="scores_recomputed")
    assert client.login(
        request=HttpRequest(), username=province.committee.user.username, password=PASSWORD
    )
    done = client.post(url)
    assert done.status_code == 200
    # The plan's unit's tree: both departments (the province-level unit has no set).
    assert {u["unit_id"] for u in done.json()["units"]} == {province.lead.pk, province.other.pk}
    event = AuditEvent.objects.history_of(province.plan).get(action="scores_recomputed")
    assert event.actor == province.committee
    assert event.changes == {"as_of": "2026-11-22", "units": 2}


@pytest.mark.django_db
def test_the_page_button_goes_through_the_same_service(client: Client) -> None:
    province = make_province()
    province.task()
    assert client.login(
        request=HttpRequest(), username=province.committee.user.username, password=PASSWORD
    )
    response = client.post(f"/plans/{province.plan.pk}/scores/run/", {"as_of": "22/11/2026"})
    assert response.status_code == 302
    event = AuditEvent.objects.history_of(province.plan).get(action="scores_recomputed")
    assert event.actor == province.committee


def committed_elsewhere(sql: str) -> int:
    """What another connection sees: only what is committed."""
    db = connection.settings_dict
    with psycopg.connect(
        dbname=db["NAME"],
        user=db["USER"],
        host=db["HOST"] or "127.0.0.1",
        port=db["PORT"] or 5432,
        password=db["PASSWORD"] or None,
    ) as other:
        row = other.execute(sql).fetchone()
        return int(row[0]) if row else 0


@pytest.mark.skipif(
    "postgresql" not in settings.DATABASES["default"]["ENGINE"],
    reason="synchronous_commit is PostgreSQL's",
)
@pytest.mark.django_db(transaction=True)
def test_a_manual_score_commits_synchronously_with_its_audit_event() -> None:
    """Only the snapshots, derived data, may be committed without waiting for the disk.

    - while the entry and its audit event are written, synchronous_commit is on;
    - when the roll-up that follows relaxes it (as it replaces the day's
      snapshots), the entry and its event are already committed: another
      connection sees them.
    """
    province = make_province()
    province.task(subcriterion="1.2")
    rollup(province.plan, timezone.localdate())  # a day to replace
    at_write: list[tuple[str, str]] = []
    at_rollup: list[tuple[str, int, int]] = []

    def show() -> str:
        with connection.cursor() as cursor:
            cursor.execute("SHOW synchronous_commit")
            return str(cursor.fetchone()[0])

    def writing(sender: Any, **kwargs: Any) -> None:
        at_write.append((sender.__name__, show()))

    def replacing(sender: Any, **kwargs: Any) -> None:
        plan, unit = province.plan.pk, province.lead.pk
        entries = committed_elsewhere(
            f"SELECT count(*) FROM plans_manualscore WHERE plan_id = {plan} AND unit_id = {unit}"
        )
        events = committed_elsewhere(
            f"SELECT count(*) FROM plans_auditevent WHERE action = 'scored' AND object_id = {plan}"
        )
        at_rollup.append((show(), entries, events))

    post_save.connect(writing, sender=ManualScore)
    post_save.connect(writing, sender=AuditEvent)
    pre_delete.connect(replacing, sender=ScoreSnapshot)
    try:
        scores.enter_manual_score(
            province.committee,
            province.plan,
            unit_id=province.lead.pk,
            code="1.6",
            points=Decimal("0.75"),
            justification="Sáng kiến được công nhận",
        )
    finally:
        post_save.disconnect(writing, sender=ManualScore)
        post_save.disconnect(writing, sender=AuditEvent)
        pre_delete.disconnect(replacing, sender=ScoreSnapshot)
    assert at_write == [("ManualScore", "on"), ("AuditEvent", "on")]
    # One replaced snapshot a unit (both departments of the province), one run.
    assert at_rollup == [("off", 1, 1)] * 2
    snapshot = ScoreSnapshot.objects.get(plan=province.plan, unit=province.lead)
    assert {p["code"]: p["points"] for p in snapshot.parts}["1.6"] == "0.75"
