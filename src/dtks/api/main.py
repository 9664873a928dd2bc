"""API v1: one versioned NinjaAPI; its OpenAPI schema and docs are served by the app itself."""

from __future__ import annotations

from ninja import NinjaAPI

from .auth import API_AUTH
from .errors import install_error_handlers
from .registry import router as registry_router

api = NinjaAPI(
    title="DTKS API",
    version="1",
    description="Read access to the DTKS registry, limited to the caller's area.",
    urls_namespace="api-v1",
    auth=API_AUTH,
)
install_error_handlers(api)
api.add_router("/", registry_router)
