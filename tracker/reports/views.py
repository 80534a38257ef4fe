"""The periodic report's pages and API: the print-styled page, its PDF and its .docx.

`?unit=` narrows a province plan's report to the tasks one unit leads; a
unit's own plan reports that unit. The steering committee and administrators
see every report, a head their own unit's (tracker.reports.figures.report_scope).
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Router

from kit.errors import DomainError, Invalid, NotFound
from kit.schemas import ERRORS, PathId, file_answer
from kit.workbooks import attachment
from plans.apikit import caller
from plans.decorators import OfficialRequest, official_required
from plans.models import Official, Plan
from tracker.errors import answer
from tracker.reports.docx import report_docx
from tracker.reports.figures import Report, build_report, parse_period, report_links, report_scope
from tracker.reports.text import blocks, letterhead
from tracker.routers import replica_reads

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PDF = "application/pdf"

router = Router(tags=["reports"])


def report_for(official: Official, plan_id: int, period: str, unit_id: int | None) -> Report:
    """The report asked for, if the caller may read it; DomainError otherwise."""
    plan = Plan.objects.select_related("unit").filter(pk=plan_id).first()
    if plan is None:
        raise NotFound(_("No such plan."))
    counted, unit = report_scope(official, plan, unit_id)
    today = timezone.localdate()
    return build_report(counted, parse_period(period, counted, today), today, unit=unit)


def unit_param(request: HttpRequest) -> int | None:
    """?unit= as a unit's id; anything else than ASCII digits is refused (422)."""
    value = request.GET.get("unit", "")
    if not value:
        return None
    if not (value.isascii() and value.isdigit()) or len(value) > 12:
        raise Invalid(_("The unit is given by its number."), {"unit": _("A unit's number.")})
    return int(value)


def document_context(report: Report) -> dict[str, Any]:
    return {"report": report, "head": letterhead(report), "blocks": blocks(report)}


def report_pdf(report: Report) -> bytes:
    """The report's page typeset as PDF (WeasyPrint); the images travel inside the HTML."""
    from weasyprint import HTML  # a heavy import, paid only by who asks for a PDF

    html = render_to_string("tracker/report_pdf.html", document_context(report))
    pdf: bytes = HTML(string=html).write_pdf()
    return pdf


def links(report: Report) -> dict[str, str]:
    query = f"?unit={report.unit.pk}" if report.unit is not None else ""
    pk, slug = report.plan.pk, report.period.slug
    return {
        "docx": reverse("plan_report_docx", args=[pk, slug]) + query,
        "pdf": reverse("plan_report_pdf", args=[pk, slug]) + query,
    }


@official_required
@replica_reads
def report_page(request: OfficialRequest, pk: int, period: str) -> HttpResponse:
    """The report as a page laid out for printing, with its downloads and the other periods."""
    try:
        report = report_for(request.official, pk, period, unit_param(request))
    except DomainError as exc:
        return answer(request, exc.status, _("No report"), exc.message)
    others = report_links(report.plan, timezone.localdate(), report.unit)
    return render(
        request,
        "tracker/report.html",
        {**document_context(report), "downloads": links(report), "periods": others},
    )


def report_file(request: OfficialRequest, pk: int, period: str, kind: str) -> HttpResponse:
    try:
        report = report_for(request.official, pk, period, unit_param(request))
    except DomainError as exc:
        return answer(request, exc.status, _("No report"), exc.message)
    if kind == "pdf":
        return attachment(report_pdf(report), PDF, f"{report.file_stem}.pdf")
    return attachment(report_docx(report), DOCX, f"{report.file_stem}.docx")


@official_required
@replica_reads
def report_docx_view(request: OfficialRequest, pk: int, period: str) -> HttpResponse:
    return report_file(request, pk, period, "docx")


@official_required
@replica_reads
def report_pdf_view(request: OfficialRequest, pk: int, period: str) -> HttpResponse:
    return report_file(request, pk, period, "pdf")


def api_report(request: HttpRequest, plan_id: int, period: str, unit: int | None) -> Report:
    return report_for(caller(request), plan_id, period, unit)


@router.get(
    "/plans/{plan_id}/reports/{period}.docx",
    response=ERRORS,
    summary="The periodic CCHC report as a Word document (period: 2026-q1, -h1, -q3, -year)",
    openapi_extra=file_answer(DOCX, "A Word document"),
)
def report_docx_api(
    request: HttpRequest, plan_id: PathId, period: str, unit: int | None = None
) -> HttpResponse:
    report = api_report(request, plan_id, period, unit)
    return attachment(report_docx(report), DOCX, f"{report.file_stem}.docx")


@router.get(
    "/plans/{plan_id}/reports/{period}.pdf",
    response=ERRORS,
    summary="The periodic CCHC report as PDF (period: 2026-q1, -h1, -q3, -year)",
    openapi_extra=file_answer(PDF, "A PDF document"),
)
def report_pdf_api(
    request: HttpRequest, plan_id: PathId, period: str, unit: int | None = None
) -> HttpResponse:
    report = api_report(request, plan_id, period, unit)
    return attachment(report_pdf(report), PDF, f"{report.file_stem}.pdf")
