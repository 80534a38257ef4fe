"""Language selection: Vietnamese unless the user chose otherwise."""

from django.conf import settings
from django.http import HttpRequest
from django.middleware.locale import LocaleMiddleware as DjangoLocaleMiddleware
from django.utils import translation


class LocaleMiddleware(DjangoLocaleMiddleware):
    """Activate the language in the language cookie, else Vietnamese.

    Django's own middleware follows the browser's Accept-Language, which would
    show English to every official whose browser happens to be in English; the
    product is Vietnamese first, so only an explicit choice (the language
    switcher sets the cookie) changes it.
    """

    def process_request(self, request: HttpRequest) -> None:
        """Pick the cookie's language when it is one we offer."""
        code = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        if code not in dict(settings.LANGUAGES):
            code = settings.LANGUAGE_CODE
        translation.activate(code)
        request.LANGUAGE_CODE = translation.get_language()
