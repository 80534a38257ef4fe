"""The inbox's pages: one's messages, newest first; a message opened; marked read."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kit.paging import paged
from plans.decorators import OfficialRequest, official_required
from tasks.access import get_notification_for, inbox
from tasks.inbox import services


@official_required
def inbox_page(request: OfficialRequest) -> HttpResponse:
    """The official's messages, newest first, unread ones marked; 50 a page."""
    messages_ = inbox(request.official).select_related("task")
    show = request.GET.get("show", "")
    if show == "unread":
        messages_ = messages_.filter(read_at__isnull=True)
    page, query = paged(request, messages_)
    unread = inbox(request.official).filter(read_at__isnull=True).count()
    return render(
        request,
        "tasks/inbox.html",
        {"page": page, "query": query, "show": show, "unread_count": unread},
    )


@official_required
def notification_open(request: OfficialRequest, pk: int) -> HttpResponse:
    """A message's link: it is read once opened; on to its task (or back to the inbox).

    A GET that marks read: its only effect is on the reader's own message, and
    the same again changes nothing (as opening a mail marks it read).
    """
    note = get_notification_for(request.official, pk)
    services.mark_read(request.official, note)
    if note.task_id:
        return redirect("tasks:task_detail", pk=note.task_id)
    target = str(note.data.get("url") or "")
    if target.startswith("/") and not target.startswith("//"):
        return redirect(target)  # a page of this site the message is about
    return redirect("tasks:inbox")


@require_POST
@official_required
def notification_read(request: OfficialRequest, pk: int) -> HttpResponse:
    """Mark a message read and go back to the inbox page it was on."""
    note = get_notification_for(request.official, pk)
    services.mark_read(request.official, note)
    return redirect(reverse("tasks:inbox") + _keep_query(request))


@require_POST
@official_required
def inbox_read_all(request: OfficialRequest) -> HttpResponse:
    count = services.mark_all_read(request.official)
    messages.success(request, _("%(count)d messages marked as read.") % {"count": count})
    return redirect("tasks:inbox")


def _keep_query(request: OfficialRequest) -> str:
    """Back to the inbox page and filter the form was posted from."""
    query = {k: request.POST[k] for k in ("show", "page") if request.POST.get(k)}
    return "?" + urlencode(query) if query else ""
