"""Who may see which task: every read of a task goes through here."""

from __future__ import annotations

from django.db.models import Q
from django.http import Http404

from plans.models import Official
from tasks.models import Task, TaskQuerySet


def visible_tasks(official: Official) -> TaskQuerySet:
    """The tasks an official may see.

    - administrators and the steering committee: all of them;
    - everyone else: tasks their unit leads, cooperates on or issued the plan
      of, and tasks they are assigned to.
    Subqueries rather than joins, so that no row repeats and counts stay exact.
    """
    tasks: TaskQuerySet = Task.objects.all()
    if official.sees_everything:
        return tasks
    partner = Task.partner_units.through.objects.filter(unit_id=official.unit_id)
    assigned = Task.assignees.through.objects.filter(official_id=official.pk)
    return tasks.filter(
        Q(lead_unit_id=official.unit_id)
        | Q(plan__unit_id=official.unit_id)
        | Q(pk__in=partner.values("task_id"))
        | Q(pk__in=assigned.values("task_id"))
    )


def get_task_for(official: Official, task_id: int) -> Task:
    """The task with this id if the official may see it; 404 otherwise (never 403)."""
    task = (
        visible_tasks(official)
        .select_related("plan__unit", "area", "lead_unit", "parent", "created_by")
        .filter(pk=task_id)
        .first()
    )
    if task is None:
        raise Http404("No such task.")
    return task
