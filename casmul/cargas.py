"""The size limit of a request, enforced before its body is read."""

from django.conf import settings
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.urls import Resolver404, resolve

from casmul.formato import numero


def _mb(tamano: int) -> str:
    return numero(tamano / 1024 / 1024, 1)


class LimiteDeSolicitud:
    """Answers 413, with a page in Spanish, a request whose `Content-Length` passes
    `SOLICITUD_TAMANO_MAXIMO` (or its view's own limit in `SOLICITUD_TAMANO_MAXIMO_POR_VISTA`).

    Django's own limits apply while the body is parsed, after it has been received; this one
    looks only at the header, so a 50 MB upload is refused before a byte of it is read. A
    request without `Content-Length` is let through: Django then reads no body at all."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        tamano = self._tamano(request)
        if tamano is not None:
            maximo = self._maximo(request, tamano)
            if tamano > maximo:
                return self._rechazo(tamano, maximo)
        return self.get_response(request)

    @staticmethod
    def _tamano(request) -> int | None:
        try:
            return int(request.META.get("CONTENT_LENGTH") or "")
        except ValueError:
            return None

    @staticmethod
    def _maximo(request, tamano: int) -> int:
        maximo = settings.SOLICITUD_TAMANO_MAXIMO
        por_vista = getattr(settings, "SOLICITUD_TAMANO_MAXIMO_POR_VISTA", {})
        # Resolved only for a request over the general limit: most never pay for it.
        if tamano > maximo and por_vista:
            try:
                vista = resolve(request.path_info).view_name
            except Resolver404:
                return maximo
            maximo = por_vista.get(vista, maximo)
        return maximo

    @staticmethod
    def _rechazo(tamano: int, maximo: int) -> HttpResponse:
        # Rendered without the request: this may run before the session and the user exist.
        mensaje = (
            f"Lo que intentó enviar pesa {_mb(tamano)} MB y el máximo es "
            f"{_mb(maximo).removesuffix(',0')} MB. Si es una hoja de cálculo, quite las hojas "
            "y filas que no sean datos o divídala en varios archivos; si es un documento "
            "escaneado, escanéelo con menos resolución."
        )
        contenido = render_to_string(
            "413.html",
            {"mensaje": mensaje, "institucion_siglas": settings.INSTITUCION_SIGLAS},
        )
        return HttpResponse(contenido, status=413)
