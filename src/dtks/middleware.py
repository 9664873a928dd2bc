"""Indonesian first: the UI language is the user's explicit choice, else Indonesian.

Django's LocaleMiddleware would follow the browser's Accept-Language, and most office PCs run
an English-language browser; the service's working language is Indonesian, so the header is
ignored and only the language switch (a cookie) changes it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.middleware.locale import LocaleMiddleware
from django.utils import translation

if TYPE_CHECKING:
    from django.http import HttpRequest


class ChosenLanguageMiddleware(LocaleMiddleware):
    def process_request(self, request: HttpRequest) -> None:
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        language = chosen if chosen in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
