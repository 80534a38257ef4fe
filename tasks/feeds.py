"""A person's task deadlines as an iCalendar feed, at a private address.

The address is `/calendar/<official id>-<key>.ics`. The key is an HMAC of the
official and their `calendar_generation`, so nothing secret is stored: a
reset (plans.accounts.reset_calendar) moves the generation on, and every
address given before answers 404. Calendar programs fetch it without signing
in, so the address is the only credential: it shows open tasks' titles,
deadlines and plans, nothing else.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from icalendar import Calendar, Event

from plans.models import Official
from tasks.models import Task

SALT = "tasks.feeds.calendar"


def feed_key(official: Official) -> str:
    return salted_hmac(SALT, f"{official.pk}:{official.calendar_generation}").hexdigest()[:32]


def feed_path(official: Official) -> str:
    return reverse("tasks:calendar_feed", args=[f"{official.pk}-{feed_key(official)}"])


def feed_url(official: Official) -> str:
    return settings.SITE_URL.rstrip("/") + feed_path(official)


def official_for(token: str) -> Official | None:
    """The official whose current address this is, or None."""
    number, _sep, key = token.partition("-")
    if not number.isdigit() or len(number) > 12:
        return None
    official = Official.objects.filter(pk=int(number), user__is_active=True).first()
    if official is None or not constant_time_compare(key, feed_key(official)):
        return None
    return official


def calendar_for(official: Official, now: dt.datetime | None = None) -> bytes:
    """One all-day event per open task assigned to the person, on its deadline."""
    now = now or timezone.now()
    cal = Calendar()
    cal.add("prodid", "-//CCHC tracker//vi")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", f"CCHC · {official.full_name}")
    cal.add("x-wr-timezone", settings.TIME_ZONE)
    site = settings.SITE_URL.rstrip("/")
    tasks = (
        Task.objects.open()
        .filter(assignees=official)
        .select_related("plan", "lead_unit")
        .order_by("due_date", "id")
    )
    host = site.split("//", 1)[-1].split("/", 1)[0] or "localhost"
    for task in tasks:
        event = Event()
        event.add("uid", f"task-{task.pk}@{host}")
        event.add("dtstamp", now)
        event.add("dtstart", task.due_date)
        event.add("dtend", task.due_date + dt.timedelta(days=1))
        event.add("summary", task.title)
        event.add(
            "description",
            f"{task.plan.document_number} · {task.lead_unit.name} · {task.deliverable}",
        )
        event.add("url", site + reverse("tasks:task_detail", args=[task.pk]))
        cal.add_component(event)
    return bytes(cal.to_ical())


def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    """The feed at its private address; any other address is 404, however near."""
    official = official_for(token)
    if official is None:
        raise Http404
    response = HttpResponse(calendar_for(official), content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "private, max-age=900"
    return response
