"""The reminder policy as pure functions, and the one mail a recipient gets per run.

`steps_due` says which step of each series is due for a task on a day; the
job (tasks.jobs.send_reminders) finds the recipients, claims each (task,
step, deadline, recipient) in the sent-log and sends what it claimed.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from tasks.messages import BEFORE, ESCALATE_COMMITTEE, ESCALATE_HEAD, OVERDUE, REVIEW, describe
from tasks.models import ReminderPolicy, Status

# Who a step goes to.
WORKERS = "workers"  # the assignees, or the lead unit's head where no one is assigned
HEAD = "head"  # the lead unit's head
COMMITTEE = "committee"  # every official of the steering committee

OPEN_WORK = (Status.TODO, Status.IN_PROGRESS)


@dataclass(frozen=True)
class Step:
    kind: str
    audience: str
    cycle: dt.date  # the deadline; for review reminders, the day of submission
    days: int  # days left, days overdue or days waiting, as the message says


def _latest(first: int, every: int, elapsed: int) -> int:
    """The latest of first, first + every, first + 2·every … that elapsed has reached."""
    return first + (elapsed - first) // every * every


def steps_due(
    policy: ReminderPolicy,
    *,
    status: str,
    due_date: dt.date,
    submitted_on: dt.date | None,
    today: dt.date,
) -> list[Step]:
    """The step of each series due today for a task (the latest, after a gap).

    - before the deadline: the nearest of the policy's days not yet passed, to
      the workers; only while the work is to do or in progress (a submitted
      task waits for its head, not its official);
    - overdue: on the first day and every few days after, to the workers;
    - escalations: once each, to the head and to the committee, while the task
      is not done, submitted or not;
    - review: days after the submission, to the head.
    Nothing for a done or cancelled task.
    """
    if status not in (*OPEN_WORK, Status.SUBMITTED):
        return []
    steps = []
    left = (due_date - today).days
    if status in OPEN_WORK and left >= 0:
        ahead = [n for n in policy.before if n >= left]
        if ahead:
            steps.append(Step(f"{BEFORE}{min(ahead)}", WORKERS, due_date, left))
    late = -left
    if status in OPEN_WORK and late >= policy.overdue_first:
        step = _latest(policy.overdue_first, policy.overdue_every, late)
        steps.append(Step(f"{OVERDUE}{step}", WORKERS, due_date, late))
    if late >= policy.escalate_head_after:
        steps.append(Step(ESCALATE_HEAD, HEAD, due_date, late))
    if late >= policy.escalate_committee_after:
        steps.append(Step(ESCALATE_COMMITTEE, COMMITTEE, due_date, late))
    if status == Status.SUBMITTED and submitted_on is not None:
        waited = (today - submitted_on).days
        if waited >= policy.review_first:
            step = _latest(policy.review_first, policy.review_every, waited)
            steps.append(Step(f"{REVIEW}{step}", HEAD, submitted_on, waited))
    return steps


def task_link(task_id: int) -> str:
    return settings.SITE_URL.rstrip("/") + reverse("task_detail", args=[task_id])


def compose(
    address: str, name: str, items: list[dict[str, Any]], today: dt.date
) -> EmailMultiAlternatives:
    """Everything due for one recipient in one run, as one mail in the site's language.

    Each item: kind, data (as stored in the inbox), plan, task_id.
    """
    with translation.override(settings.LANGUAGE_CODE):
        lines = [
            {
                "text": describe(item["kind"], item["data"]),
                "title": item["data"]["title"],
                "plan": item["plan"],
                "due": dt.date.fromisoformat(item["data"]["due"]).strftime("%d/%m/%Y"),
                "state": _state(item["data"]["due"], today),
                "link": task_link(item["task_id"]),
            }
            for item in items
        ]
        context = {"name": name, "lines": lines, "today": today.strftime("%d/%m/%Y")}
        subject = ngettext(
            "[CCHC] %(count)d task needs your attention",
            "[CCHC] %(count)d tasks need your attention",
            len(lines),
        ) % {"count": len(lines)}
        text = render_to_string("tasks/email/reminders.txt", context)
        html = render_to_string("tasks/email/reminders.html", context)
    mail = EmailMultiAlternatives(subject, text, to=[address])
    mail.attach_alternative(html, "text/html")
    return mail


def _state(due: str, today: dt.date) -> str:
    """Days left or overdue, as a mail's table cell says it."""
    left = (dt.date.fromisoformat(due) - today).days
    if left > 0:
        return ngettext("%(n)d day left", "%(n)d days left", left) % {"n": left}
    if left == 0:
        return _("due today")
    return ngettext("%(n)d day overdue", "%(n)d days overdue", -left) % {"n": -left}
