"""A page of a list whose filter is costly (a policy's visibility query).

Django's Paginator over a queryset runs the filter twice: once to count,
once for the page. Here it runs once, for the ordered ids, which give both
the count and the page; the page's rows are then read by primary key, which
costs the same whatever the size of the list.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from django.core.paginator import Page, Paginator


def page_by_ids(ordered, page_number, page_size: int,
                load: Callable[[list], Iterable]) -> Page:
    """Page `page_number` of `ordered` (a filtered and ordered queryset, or
    the list of its ids, read already), its rows read by `load(ids)` (the
    related rows and annotations the list shows), in that order. A row gone
    between the two reads is left out."""
    ids = ordered if isinstance(ordered, list) else list(ordered.values_list("pk", flat=True))
    page = Paginator(ids, page_size).get_page(page_number)
    found = {row.pk: row for row in load(page.object_list)} if page.object_list else {}
    page.object_list = [found[pk] for pk in page.object_list if pk in found]
    return page
