"""Sessions with two limits: idle time and total length (settings.SESSION_INACTIVIDAD_SEGUNDOS,
settings.SESSION_DURACION_MAXIMA_SEGUNDOS)."""

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import SESSION_KEY, logout

# Seconds since the epoch: a session stores JSON, not datetimes.
INGRESO = "casmul_ingreso"
ULTIMA_ACTIVIDAD = "casmul_ultima_actividad"
# Last activity is written at most once a minute: saving the session on every request would
# cost a database write per page for one minute's precision on a 30-minute limit.
PRECISION_SEGUNDOS = 60


def sesion_marcar_ingreso(sender, request, user, **kwargs):
    """Receiver of `user_logged_in`: the session's clocks start at the login."""
    ahora = int(time.time())
    request.session[INGRESO] = ahora
    request.session[ULTIMA_ACTIVIDAD] = ahora


class SesionConLimites:
    """Logs out, with a message, a session idle for too long or older than allowed."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # The session, not request.user: an anonymous request then costs no user query.
        if SESSION_KEY in request.session:
            self._vigilar(request)
        return self.get_response(request)

    def _vigilar(self, request):
        sesion = request.session
        ahora = int(time.time())
        ingreso = sesion.get(INGRESO)
        ultima = sesion.get(ULTIMA_ACTIVIDAD)
        if ingreso is None or ultima is None:
            # A session opened before these limits existed: its clocks start now.
            sesion[INGRESO] = ingreso or ahora
            sesion[ULTIMA_ACTIVIDAD] = ahora
            return
        if ahora - ingreso > settings.SESSION_DURACION_MAXIMA_SEGUNDOS:
            horas = settings.SESSION_DURACION_MAXIMA_SEGUNDOS // 3600
            self._cerrar(
                request,
                f"Su sesión se cerró porque duró más de {horas} horas. Ingrese de nuevo.",
            )
        elif ahora - ultima > settings.SESSION_INACTIVIDAD_SEGUNDOS:
            minutos = settings.SESSION_INACTIVIDAD_SEGUNDOS // 60
            self._cerrar(
                request,
                f"Su sesión se cerró tras {minutos} minutos sin actividad. Ingrese de nuevo.",
            )
        elif ahora - ultima >= PRECISION_SEGUNDOS:
            sesion[ULTIMA_ACTIVIDAD] = ahora

    def _cerrar(self, request, mensaje):
        # The request goes on as anonymous: a page that needs a login sends the user to the
        # login page, where the message says why.
        logout(request)
        messages.warning(request, mensaje)
