"""The one pager under every list: links keep the query string, POST lists get buttons."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.utils import translation


def pager(number: int, url: str = "/x/?wilayah=17.09&program=pkh&page=2", **context) -> str:
    page = Paginator(list(range(30)), 10).get_page(number)
    with translation.override("en"):
        return render_to_string(
            "_pager.html", {"page": page, **context}, request=RequestFactory().get(url)
        )


def test_links_keep_the_query_string_and_change_only_the_page() -> None:
    html = pager(2)
    assert 'href="?wilayah=17.09&amp;program=pkh&amp;page=1">‹ Previous</a>' in html
    assert 'href="?wilayah=17.09&amp;program=pkh&amp;page=3">Next ›</a>' in html
    assert "Page 2 of 3" in html


def test_the_first_page_has_no_previous_and_the_last_no_next() -> None:
    assert "Previous" not in pager(1, url="/x/") and 'href="?page=2"' in pager(1, url="/x/")
    assert "Next" not in pager(3)


def test_a_single_page_shows_no_pager() -> None:
    page = Paginator([1, 2], 10).get_page(1)
    html = render_to_string("_pager.html", {"page": page}, request=RequestFactory().get("/x/"))
    assert "pager" not in html


def test_a_post_list_gets_buttons_that_submit_its_search_form() -> None:
    html = pager(2, pager_form="search")
    assert '<button form="search" name="page" value="3">Next ›</button>' in html
    assert "href" not in html and "hx-post" not in html
    htmx = pager(2, pager_form="search", pager_hx_post="/keluarga/", pager_hx_target="#results")
    assert (
        '<button form="search" name="page" value="1" hx-post="/keluarga/" hx-include="#search" '
        'hx-target="#results" hx-swap="outerHTML">‹ Previous</button>'
    ) in htmx
