"""The audit trail: who changed what, when; the histories read it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from plans.models.organisation import Official

# What each audit action reads as in a history (the API's action names, docs/api.md).
ACTION_LABELS = {
    "created": _("created"),
    "edited": _("edited"),
    "assigned": _("assigned"),
    "started": _("started the work"),
    "evidence_added": _("added evidence"),
    "evidence_removed": _("removed evidence"),
    "submitted": _("submitted it as done"),
    "accepted": _("accepted it"),
    "returned": _("returned it"),
    "cancelled": _("cancelled it"),
    "extension_requested": _("asked for an extension"),
    "extension_decided": _("decided an extension request"),
    "scored": _("entered a score"),
    "scores_recomputed": _("recomputed the scores"),
    "marked_objective": _("marked an objective cause"),
    "unmarked_objective": _("withdrew an objective cause"),
    "general_points": _("entered the general criteria points"),
    "results_frozen": _("froze the task results"),
    "results_recomputed": _("recomputed the task results"),
    "deleted": _("deleted"),
}


# Field names in edit events, as people read them.
FIELD_LABELS = {
    "title": _("title"),
    "description": _("description"),
    "area": _("area"),
    "subcriterion": _("sub-criterion"),
    "deliverable": _("expected deliverable"),
    "weight": _("weight"),
    "lead_unit_id": _("lead unit"),
    "partner_unit_ids": _("cooperating units"),
    "assignee_ids": _("assignees"),
    "role": _("role"),
    "code": _("code"),
    "name": _("name"),
    "level": _("level"),
    "parent_id": _("parent unit"),
}


class AuditEventQuerySet(models.QuerySet["AuditEvent"]):
    def history_of(self, obj: models.Model) -> AuditEventQuerySet:
        """Every event of one object, oldest first (a task's history, page and API)."""
        return self.filter(
            content_type=ContentType.objects.get_for_model(obj), object_id=obj.pk
        ).order_by("at", "id")


class AuditEvent(models.Model):
    """One change to one object: who, when, what (the task history reads these)."""

    at = models.DateTimeField(_("at"), default=timezone.now)
    actor = models.ForeignKey(
        Official,
        verbose_name=_("actor"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    action = models.CharField(_("action"), max_length=40)
    content_type = models.ForeignKey(
        ContentType, verbose_name=_("object type"), on_delete=models.PROTECT
    )
    object_id = models.PositiveBigIntegerField(_("object id"))
    target = GenericForeignKey("content_type", "object_id")
    # Dates and decimals are written as text (ISO dates), as the history reads them.
    changes = models.JSONField(_("changes"), default=dict, blank=True, encoder=DjangoJSONEncoder)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["at", "id"]
        indexes = [
            # An object's history, oldest first (task page, /tasks/{id}/history).
            models.Index(fields=["content_type", "object_id", "at"], name="audit_object_history"),
        ]

    def __str__(self) -> str:
        return f"{self.action} {self.content_type.model}#{self.object_id}"

    @property
    def label(self) -> str:
        return str(ACTION_LABELS.get(self.action, self.action))

    @property
    def detail(self) -> str:
        return self.describe({}, {})

    def describe(self, people: Mapping[int, str], units: Mapping[int, str]) -> str:
        """The human part of the changes: a reason, a comment, a file name, a deadline,
        the people and units named (by name where `people` and `units` know them).

        Edits list the fields they changed (their old and new values are in the
        API's history); a request for more time says the deadline asked for.
        """
        changes = self.changes
        parts = [str(changes[k]) for k in ("reason", "comment", "filename") if changes.get(k)]
        if changes.get("imported_from"):
            parts.append(_("imported from %(file)s") % {"file": changes["imported_from"]})
        due = changes.get("due_date")
        if self.action == "extension_requested":
            asked = due[1] if isinstance(due, list) and len(due) == 2 else ""
            if asked:
                parts.insert(0, _("requested %(date)s") % {"date": _day(asked)})
        elif isinstance(due, list) and len(due) == 2 and changes.get("reason"):
            # A moved deadline and why, as one phrase: "hạn 30/10/2026 → 31/12/2026: lý do …".
            parts.remove(str(changes["reason"]))
            parts.append(
                _("deadline %(old)s → %(new)s: reason %(reason)s")
                % {"old": _day(due[0]), "new": _day(due[1]), "reason": changes["reason"]}
            )
        elif isinstance(due, list) and len(due) == 2:
            parts.append(f"{_('deadline')} {_day(due[0])} → {_day(due[1])}")
        if self.action in ("edited", "assigned", "created"):
            for key, value in changes.items():
                if key in NAMED:
                    names = people if key == "assignee_ids" else units
                    parts.append(f"{FIELD_LABELS[key]}: {_named(key, value, names)}")
                elif self.action == "edited" and key not in ("due_date", "reason"):
                    parts.append(str(FIELD_LABELS.get(key, key)))
        return " · ".join(parts)


# Changes that name people or units by id: the history shows their names.
NAMED = ("lead_unit_id", "partner_unit_ids", "assignee_ids")


def named_ids(events: Iterable[AuditEvent]) -> tuple[set[int], set[int]]:
    """The officials and units the events name (for one query each)."""
    people: set[int] = set()
    units: set[int] = set()
    for event in events:
        for key in NAMED:
            (people if key == "assignee_ids" else units).update(_ids(event.changes.get(key)))
    return people, units


def _ids(value: Any) -> list[int]:
    if isinstance(value, int):
        return [value]
    if isinstance(value, list):
        return [i for v in value for i in _ids(v)]
    return []


def _named(key: str, value: Any, names: Mapping[int, str]) -> str:
    """The people or units of a change by name.

    A lead unit is an id, or [old, new] when it changed; the lists are a list
    of ids when made, or [old list, new list] when changed: then the new list,
    and who left it.
    """

    def name(pk: Any) -> str:
        return "—" if pk is None else names.get(pk, f"#{pk}")

    if key == "lead_unit_id":
        if isinstance(value, list) and len(value) == 2:
            return f"{name(value[0])} → {name(value[1])}"
        return name(value)
    if isinstance(value, list) and len(value) == 2 and all(isinstance(v, list) for v in value):
        old, new = value
        shown = ", ".join(name(pk) for pk in new) or "—"
        gone = [name(pk) for pk in old if pk not in new]
        if gone:
            shown += " (" + _("no longer: %(names)s") % {"names": ", ".join(gone)} + ")"
        return shown
    return ", ".join(name(pk) for pk in value or []) or "—"


def _day(iso: str) -> str:
    return dt.date.fromisoformat(str(iso)).strftime("%d/%m/%Y")


def record(actor: Official | None, action: str, obj: models.Model, **changes: Any) -> AuditEvent:
    """Write one audit event for obj; call it inside the write's transaction."""
    return AuditEvent.objects.create(
        actor=actor,
        action=action,
        content_type=ContentType.objects.get_for_model(obj),
        object_id=obj.pk,
        changes=changes,
    )
