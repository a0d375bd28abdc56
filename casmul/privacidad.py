"""Personal data (LOPDP) in the browser: what it may keep."""

from django.conf import settings
from django.utils.cache import add_never_cache_headers


class SinCacheParaUsuarios:
    """Every response to a logged-in user is `Cache-Control: no-store` (plus the rest of
    Django's never-cache headers): month pages, the report, its PDF, exports and people's
    records hold personal or unpublished data that must not stay in a shared computer's cache
    or in a proxy. A response that already chose its Cache-Control keeps it (a published
    document is public and immutable whoever downloads it); anonymous pages, such as the public
    archive `/publicaciones/`, may be cached."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        respuesta = self.get_response(request)
        if not respuesta.has_header("Cache-Control") and self._con_sesion_iniciada(request):
            add_never_cache_headers(respuesta)
        return respuesta

    @staticmethod
    def _con_sesion_iniciada(request) -> bool:
        # Without a session cookie nobody is logged in: asking `request.user` would load the
        # session and add `Vary: Cookie` to the anonymous public pages for nothing.
        if settings.SESSION_COOKIE_NAME not in request.COOKIES:
            return False
        usuario = getattr(request, "user", None)
        return usuario is not None and usuario.is_authenticated
