"""Long lists a page at a time, keeping the page's other parameters in the pager's links."""

from __future__ import annotations

from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest

PAGE_SIZE = 50


def paged(request: HttpRequest, items: QuerySet[Any], param: str = "page") -> tuple[Page, str]:
    """One page of a long list (PAGE_SIZE), and the query that keeps the page's other
    parameters (its filters, another list's page) in the pager's links."""
    page = Paginator(items, PAGE_SIZE).get_page(request.GET.get(param))
    query = request.GET.copy()
    query.pop(param, None)
    return page, query.urlencode()
