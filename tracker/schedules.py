"""The background schedules the product needs; `setup_schedules` writes them."""

from __future__ import annotations

from typing import TypedDict

from django_q.models import Schedule


class ScheduleSpec(TypedDict):
    func: str
    args: str
    schedule_type: str
    minutes: int | None


# The local hour a daily job first runs at (then every 24 hours): the night,
# when nobody is working.
FIRST_RUN_HOUR: dict[str, int] = {"score-rollup": 1, "task-results-freeze": 2}


# Schedules of earlier versions, removed at start-up: the assessment's reminders now
# run with every other reminder ("send-reminders").
RETIRED = ("assessment-reminders",)

# name -> what django-q2 runs. Jobs are plain functions taking care of their
# own idempotence; a schedule only says when to call them.
SCHEDULES: dict[str, ScheduleSpec] = {
    "clear-expired-sessions": {
        "func": "django.core.management.call_command",
        "args": "'clearsessions'",
        "schedule_type": Schedule.DAILY,
        "minutes": None,
    },
    # Deadline reminders, overdue notices, escalations, review reminders: each
    # once (the job's sent-log), in the policy's sending hours.
    "send-reminders": {
        "func": "tasks.reminders.engine.send_reminders",
        "args": "",
        "schedule_type": Schedule.MINUTES,
        "minutes": 15,
    },
    # Idempotency-Keys older than 24 hours are forgotten.
    "idempotency-keys": {
        "func": "tracker.idempotency.forget_expired",
        "args": "",
        "schedule_type": Schedule.DAILY,
        "minutes": None,
    },
    # Mail the administrators, once a day, while DATA_DIR's free space is under its floor.
    "disk-space": {
        "func": "tracker.health.warn_low_disk",
        "args": "",
        "schedule_type": Schedule.MINUTES,
        "minutes": 15,
    },
    # Score requests no worker picked up (the worker normally runs each at once).
    "score-requests": {
        "func": "tasks.scores.rescore.run_waiting_score_requests",
        "args": "",
        "schedule_type": Schedule.MINUTES,
        "minutes": 1,
    },
    # Today's leadership-and-direction scores for every issued plan.
    "score-rollup": {
        "func": "tasks.scores.rollup.rollup_issued_plans",
        "args": "",
        "schedule_type": Schedule.DAILY,
        "minutes": None,
    },
    # Each official's task results of the month just closed (and of its quarter)
    # frozen on the 1st; on the other days it finds them frozen.
    "task-results-freeze": {
        "func": "tasks.results.services.freeze_task_results",
        "args": "",
        "schedule_type": Schedule.DAILY,
        "minutes": None,
    },
    # The annual assessments' phases follow their dates; closed windows lock sheets.
    "assessment-phases": {
        "func": "assessments.jobs.advance_assessments",
        "args": "",
        "schedule_type": Schedule.MINUTES,
        "minutes": 15,
    },
}
