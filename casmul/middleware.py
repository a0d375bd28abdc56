"""Middleware of the whole portal: the security headers on every answer, and the answer when the
database cannot be reached (a Spanish 503 page, not a 500)."""

import logging
import sys

from csp.middleware import CSPMiddleware
from django.core.signals import got_request_exception
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.middleware.clickjacking import XFrameOptionsMiddleware
from django.middleware.security import SecurityMiddleware
from django.template.loader import render_to_string
from django.utils.cache import add_never_cache_headers

logger = logging.getLogger(__name__)

ERRORES_DE_CONEXION = (OperationalError, InterfaceError)
# Seconds a browser or a script is asked to wait before trying again.
REINTENTAR_EN = 60
# Set on a request whose database error another middleware raised (see `_anotar_caida`).
_MARCA = "_casmul_base_de_datos_no_disponible"
# Headers of the discarded 500 that must not describe the 503's own body.
_CABECERAS_DEL_CUERPO = {"content-type", "content-length"}


def _anotar_caida(sender, request=None, **kwargs):
    """Django turns an exception raised *inside a middleware* (the session saved on the way
    out, the user read by the session limits) into a 500 response at that middleware's
    boundary, so the outermost one never sees it; this signal, sent while it is being
    handled, is the only place that still knows which exception it was."""
    if request is not None and isinstance(sys.exc_info()[1], ERRORES_DE_CONEXION):
        setattr(request, _MARCA, True)


got_request_exception.connect(_anotar_caida, dispatch_uid="casmul.base_de_datos_no_disponible")


def respuesta_no_disponible() -> HttpResponse:
    """The 503 page. Rendered without a request, so no context processor (which would read
    the user, and so the database) runs."""
    respuesta = HttpResponse(render_to_string("503.html"), status=503)
    respuesta["Retry-After"] = str(REINTENTAR_EN)
    # Neither nginx nor the browser may keep the outage page once the database is back.
    add_never_cache_headers(respuesta)
    return respuesta


class BaseDeDatosNoDisponible:
    """First in MIDDLEWARE: a database that is down, restarting or refusing connections
    answers 503 with `Retry-After` and the Spanish page, wherever the error was raised.

    A write that failed half-way has already been rolled back by its service's
    `transaction.atomic`; nothing here needs to undo it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        respuesta = self.get_response(request)
        if getattr(request, _MARCA, False):
            # Django has already logged it as an unhandled error (with its traceback).
            nueva = respuesta_no_disponible()
            # Keep what the middleware put on the 500 (HSTS, CSP, X-Frame-Options, …).
            for cabecera, valor in respuesta.headers.items():
                if cabecera.lower() not in _CABECERAS_DEL_CUERPO and cabecera not in nueva:
                    nueva[cabecera] = valor
            return nueva
        return respuesta

    def process_exception(self, request, exception):
        """Raised by a view, or while rendering its template."""
        if not isinstance(exception, ERRORES_DE_CONEXION):
            return None
        # Only the path: the query string may hold a person's data.
        logger.error(
            "Base de datos no disponible: %s %s", request.method, request.path, exc_info=exception
        )
        return respuesta_no_disponible()


class CabecerasDeSeguridad:
    """Outermost of all: every response leaves with the security headers (HSTS, nosniff,
    Referrer-Policy, Cross-Origin-Opener-Policy, X-Frame-Options, Content-Security-Policy),
    also one answered before the middleware that sets them had its turn: the 413 of
    `LimiteDeSolicitud`, the 503 of `BaseDeDatosNoDisponible`, CommonMiddleware's 400 for an
    unknown host.

    Those answer early on purpose (before the body is read, around the session), so moving the
    header middleware outside them would not do; instead the same classes' `process_response`
    run once more here, with the same settings. Each sets only a header the response lacks
    and respects the exemptions (`csp_exempt`, `xframe_options_exempt`), so a response that
    went through them leaves unchanged."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.pasos = [
            SecurityMiddleware(get_response).process_response,
            XFrameOptionsMiddleware(get_response).process_response,
            CSPMiddleware(get_response).process_response,
        ]

    def __call__(self, request):
        respuesta = self.get_response(request)
        for paso in self.pasos:
            respuesta = paso(request, respuesta)
        return respuesta
