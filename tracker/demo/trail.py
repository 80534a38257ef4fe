"""The demo's trail: the history, evidence and inbox a task's state implies.

seed_demo gives each task a state spread around a day; these write what the
workflow would have left behind it, dated accordingly: the audit events, a
one-page PDF as evidence where work was handed in, the inbox messages.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import random
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.utils import timezone

from plans.models import AuditEvent, Official, Plan
from tasks.inbox.notify import Message, post
from tasks.models import Evidence, Status, Task

TZ = timezone.get_default_timezone()


def at(date: dt.date, rng: random.Random) -> dt.datetime:
    """A moment in office hours on that date, Asia/Ho_Chi_Minh."""
    return dt.datetime(
        date.year, date.month, date.day, rng.randint(8, 16), rng.randint(0, 59), tzinfo=TZ
    )


def tiny_pdf(text: str) -> bytes:
    """A valid one-page PDF that names the document (the demo's evidence file)."""
    ascii_text = text.encode("ascii", "replace").decode().replace("(", "[").replace(")", "]")
    stream = f"BT /F1 12 Tf 72 720 Td ({ascii_text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def write_history(
    task: Task,
    plan: Plan,
    creator: Official,
    head: Official,
    assignees: list[Official],
    rng: random.Random,
    today: dt.date,
) -> None:
    """The audit trail the task's state implies, with evidence where work was handed in.

    Written as the workflow would have written it, dated around `today`.
    """
    issued = at(plan.issued_on or today, rng)
    events: list[tuple[str, Official, dt.datetime, dict[str, Any]]] = [
        ("created", creator, issued, {"title": task.title})
    ]
    if assignees:
        events.append(
            (
                "assigned",
                head,
                issued + dt.timedelta(days=2),
                {"assignee_ids": [a.pk for a in assignees]},
            )
        )
    worker = assignees[0] if assignees else head
    # The last step happened by the deadline (or today, if later), never in the future.
    end = task.completed_at or min(at(min(task.due_date, today), rng), timezone.now())
    started = issued + (end - issued) / 3
    if task.status != Status.TODO and task.status != Status.CANCELLED:
        events.append(("started", worker, started, {"status": ["todo", "in_progress"]}))
    if task.status in (Status.SUBMITTED, Status.DONE):
        handed_in = end - dt.timedelta(days=1 if task.status == Status.DONE else 0, minutes=10)
        evidence = add_evidence(task, worker, handed_in, rng)
        events.append(
            (
                "evidence_added",
                worker,
                handed_in,
                {"evidence_id": evidence.pk, "filename": evidence.filename},
            )
        )
        events.append(
            (
                "submitted",
                worker,
                handed_in + dt.timedelta(minutes=5),
                {"status": ["in_progress", "submitted"]},
            )
        )
        if task.status == Status.SUBMITTED:
            task.submitted_at = handed_in + dt.timedelta(minutes=5)
            Task.objects.filter(pk=task.pk).update(submitted_at=task.submitted_at)
    if task.status == Status.DONE:
        events.append(("accepted", head, end, {"status": ["submitted", "done"]}))
    if task.status == Status.CANCELLED:
        events.append(
            (
                "cancelled",
                creator,
                end,
                {"reason": "Nhiệm vụ được điều chỉnh theo chỉ đạo của UBND tỉnh."},
            )
        )
    content_type = ContentType.objects.get_for_model(Task)
    AuditEvent.objects.bulk_create(
        AuditEvent(
            at=when,
            actor=actor,
            action=action,
            content_type=content_type,
            object_id=task.pk,
            changes=changes,
        )
        for action, actor, when, changes in events
    )
    tell(task, head, assignees, events)


def tell(
    task: Task,
    head: Official,
    assignees: list[Official],
    events: list[tuple[str, Official, dt.datetime, dict[str, Any]]],
) -> None:
    """The inbox messages the workflow would have left.

    Those older than 3 days have been read, except work still waiting for
    its head's review.
    """
    to = {"assigned": assignees, "submitted": [head], "accepted": assignees}
    base = {"title": task.title, "due": task.due_date.isoformat()}
    read_before = timezone.now() - dt.timedelta(days=3)
    post(
        Message(
            person,
            action,
            {**base, "actor": actor.full_name},
            task.pk,
            at=when,
            read_at=None
            if when >= read_before or (action == "submitted" and task.status == Status.SUBMITTED)
            else when + dt.timedelta(hours=2),
        )
        for action, actor, when, _changes in events
        for person in to.get(action, [])
        if person.pk != actor.pk
    )


def add_evidence(task: Task, worker: Official, when: dt.datetime, rng: random.Random) -> Evidence:
    kind = "KH" if task.deliverable.startswith("Kế hoạch") else rng.choice(["BC", "QĐ", "TB"])
    number = f"{rng.randint(10, 450)}/{kind}-{task.lead_unit.code.upper()}"
    data = tiny_pdf(f"{number} {task.deliverable}")
    evidence = Evidence(
        task=task,
        filename=f"{task.lead_unit.code}-{task.pk}.pdf",
        size=len(data),
        content_type="application/pdf",
        sha256=hashlib.sha256(data).hexdigest(),
        document_number=number,
        issued_on=timezone.localdate(when),
        issuer=task.lead_unit.name,
        note=f"{task.deliverable}, trang 1",
        uploaded_by=worker,
        uploaded_at=when,
    )
    evidence.file.save(evidence.filename, ContentFile(data), save=True)
    return evidence
