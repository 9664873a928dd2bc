"""The OpenAPI schema and the interactive docs are served by the app, with no CDN."""

from __future__ import annotations

import re

from django.test import Client


def test_openapi_schema_lists_the_registry_routes(db):
    schema = Client().get("/api/v1/openapi.json").json()
    assert schema["info"]["version"] == "1"
    assert set(schema["paths"]) >= {
        "/api/v1/families",
        "/api/v1/families/search",
        "/api/v1/families/{family_id}",
        "/api/v1/persons",
        "/api/v1/persons/search",
        "/api/v1/persons/{person_id}",
    }


def test_search_is_post_only_so_identifiers_stay_out_of_urls(db):
    paths = Client().get("/api/v1/openapi.json").json()["paths"]
    assert set(paths["/api/v1/families/search"]) == {"post"}
    assert set(paths["/api/v1/persons/search"]) == {"post"}


def test_docs_page_loads_no_external_asset(db):
    html = Client().get("/api/v1/docs").content.decode()
    assert "swagger-ui-bundle.js" in html
    assert re.findall(r"""(?:src|href)=["'](https?:)?//""", html) == []
    assert "cdn" not in html.lower()
