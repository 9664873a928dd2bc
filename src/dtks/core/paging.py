"""Pages of search results."""

from __future__ import annotations

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet


def search_page(queryset: QuerySet, number: int | str | None, per_page: int) -> Page:
    """One page of a search, counted from a single query of the matching primary keys.

    A plain Paginator runs the search twice (COUNT, then the page with LIMIT), and for the
    page PostgreSQL may walk the whole list order testing each row against the search, which
    for a name shared by thousands of persons costs far more than listing the matches once.
    Here the ordered ids are read once (count = their number) and only the page's rows are
    fetched, with the queryset's annotations, by primary key.
    """
    return ids_page(list(queryset.values_list("pk", flat=True)), queryset, number, per_page)


def ids_page(ids: list, queryset: QuerySet, number: int | str | None, per_page: int) -> Page:
    """One page of `ids` (already in list order; count = their number), its rows read from
    `queryset` by primary key, with the queryset's annotations, in the order of `ids`."""
    page = Paginator(ids, per_page).get_page(number)
    rows = {obj.pk: obj for obj in queryset.filter(pk__in=page.object_list)}
    page.object_list = [rows[pk] for pk in page.object_list if pk in rows]
    return page
