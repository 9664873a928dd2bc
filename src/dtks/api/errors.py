"""Errors as JSON `{"detail": ...}` with Indonesian messages, whatever went wrong."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja.errors import AuthenticationError, HttpError, ValidationError

if TYPE_CHECKING:
    from ninja import NinjaAPI


def _message_for(status: int) -> str:
    messages = {
        401: _("Authentication required: log in or send an API token"),
        403: _("You do not have permission to access this data"),
        404: _("Data not found"),
        405: _("Method not allowed"),
        429: _("Too many requests; try again later"),
    }
    return messages.get(status, _("The request could not be processed"))


def _validation_errors(exc: ValidationError) -> list[dict[str, object]]:
    """Pydantic's English messages replaced by one Indonesian message per invalid field."""
    return [
        {"field": str(err["loc"][-1]) if err.get("loc") else "", "message": _("Invalid value")}
        for err in exc.errors
    ]


def install_error_handlers(api: NinjaAPI) -> None:
    """Replace django-ninja's English defaults."""

    @api.exception_handler(AuthenticationError)
    def unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        return api.create_response(request, {"detail": _message_for(401)}, status=401)

    @api.exception_handler(Http404)
    def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        return api.create_response(request, {"detail": _message_for(404)}, status=404)

    @api.exception_handler(HttpError)
    def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        if "CSRF" in exc.message:
            detail = _("CSRF check failed: send the X-CSRFToken header or use an API token")
        else:
            detail = _message_for(exc.status_code)
        return api.create_response(request, {"detail": detail}, status=exc.status_code)

    @api.exception_handler(ValidationError)
    def invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        body = {"detail": _("Invalid input"), "errors": _validation_errors(exc)}
        return api.create_response(request, body, status=422)
