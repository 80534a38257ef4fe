"""How the installation is doing: the health page, and the warning of a filling disk.

`GET /health/` answers JSON for a monitor or a load balancer, without signing
in and without touching anything but one query:

- `database`: "ok" or "down" (then the answer is 503);
- `disk`: the free space of DATA_DIR against `DISK_FREE_FLOOR_MB` (1 GB);
- `components`: what tracker/supervise.py wrote of the web server and the
  worker, where it runs them (running or not, when started, restarts, the
  last exit; pids for a signed-in superuser);
- `status`: "ok", or "degraded" when the disk is under its floor or a
  component is waiting to be started again.

`warn_low_disk(now)`, every 15 minutes, mails the administrators once a day
while the free space is under the floor.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import logging
import os
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.mail import mail_admins, send_mail
from django.db import DatabaseError, connection
from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from kit.filestore import free_bytes
from plans.access import Action, may_anywhere
from plans.models import Official, Role
from plans.services import official_for

log = logging.getLogger(__name__)


def disk() -> dict[str, Any]:
    free = free_bytes(settings.DATA_DIR)
    floor = settings.DISK_FREE_FLOOR_BYTES
    return {"free_bytes": free, "floor_bytes": floor, "ok": free >= floor}


def components() -> dict[str, Any]:
    """The supervisor's state file, when the start command's supervisor runs the product."""
    try:
        state = json.loads((Path(settings.DATA_DIR) / "supervisor.json").read_text("utf-8"))
    except (OSError, ValueError):
        return {}
    return dict(state.get("components", {}))


def database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return True
    except DatabaseError:
        return False


def shows_details(official: Official | None) -> bool:
    """Whether /health/ shows this caller every process's details (WHO_MAY, READ_HEALTH)."""
    return official is not None and may_anywhere(official, Action.READ_HEALTH)


@never_cache
def health(request: HttpRequest) -> JsonResponse:
    space = disk()
    parts = components()
    database = database_ok()
    waiting = any(part.get("pid") is None for part in parts.values())
    status = "ok" if database and space["ok"] and not waiting else "degraded"
    if not shows_details(official_for(request.user)):
        # For everyone: whether each part runs and how often it was restarted.
        parts = {
            name: {k: part.get(k) for k in ("started_at", "restarts", "last_exit_at")}
            | {"running": part.get("pid") is not None}
            for name, part in parts.items()
        }
    body = {
        "status": status,
        "database": "ok" if database else "down",
        "disk": space,
        "components": parts,
    }
    return JsonResponse(body, status=200 if database else 503)


def warn_low_disk(now: dt.datetime | None = None) -> bool:
    """Mail the administrators when DATA_DIR's free space is under the floor, once a day.

    Answers whether a warning went. The day it went is kept in DATA_DIR, so a
    second run, or a second worker, the same day sends nothing.
    """
    today = timezone.localdate(now or timezone.now())
    space = disk()
    if space["ok"]:
        return False
    # The day's warning is claimed before it is sent: a file made once (O_EXCL), so
    # that a second run or a second worker the same day sends nothing. A disk too full
    # for an empty file: the warning goes, and again next time.
    marker = Path(settings.DATA_DIR) / f"disk-warning-{today.isoformat()}"
    try:
        os.close(os.open(marker, os.O_CREAT | os.O_EXCL | os.O_WRONLY))
    except FileExistsError:
        return False
    except OSError:
        pass
    subject = _("The server's disk is nearly full")
    message = _(
        "The data folder of the CCHC tracker has %(free)s MB free, under the floor of "
        "%(floor)s MB. When it is full, uploads and changes are refused (507). Free space "
        "on the server (old backups, logs) or give it a larger disk."
    ) % {"free": space["free_bytes"] // 2**20, "floor": space["floor_bytes"] // 2**20}
    recipients = list(
        Official.objects.filter(role=Role.ADMIN, user__is_active=True)
        .exclude(user__email="")
        .values_list("user__email", flat=True)
    )
    if recipients:
        send_mail(subject, message, None, recipients)
    if settings.ADMINS:
        mail_admins(subject, message)
    log.warning("%s", message)
    for old in Path(settings.DATA_DIR).glob("disk-warning-*"):
        if old != marker:
            with contextlib.suppress(OSError):
                old.unlink()
    return True
