"""Who is logging in, and how hard a password is to guess: the client's address that django-axes
counts failures against (settings.PROXIES_DE_CONFIANZA), the cap on one account's failures from
every address together (settings.CASMUL_FALLOS_POR_CUENTA), and the password hasher."""

import ipaddress

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username, get_failure_limit
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth.hashers import Argon2PasswordHasher
from django.db.models import Sum

# In PROXIES_DE_CONFIANZA, a connection through a Unix socket: gunicorn then sets REMOTE_ADDR
# to an empty string, which a comma-separated list cannot name.
SOCKET_UNIX = "unix"


def _direccion(texto: str) -> str | None:
    try:
        return str(ipaddress.ip_address(texto.strip()))
    except ValueError:
        return None


def direccion_del_cliente(request) -> str | None:
    """AXES_CLIENT_IP_CALLABLE: the address a login comes from.

    `X-Forwarded-For` is anyone's to write: it is believed only when the connection itself
    comes from a proxy listed in PROXIES_DE_CONFIANZA (nginx), and then only its right-most
    entry, the one that proxy wrote. Otherwise the socket's address: a client talking to
    gunicorn directly cannot pose as a new address on every attempt. None when there is no
    address at all (a Unix socket not trusted), which axes stores and counts as one."""
    remota = request.META.get("REMOTE_ADDR") or ""
    if (remota or SOCKET_UNIX) in settings.PROXIES_DE_CONFIANZA:
        reenviada = request.META.get("HTTP_X_FORWARDED_FOR", "").rsplit(",", 1)[-1]
        if direccion := _direccion(reenviada):
            return direccion
    return _direccion(remota)


class ManejadorDeAccesos(AxesDatabaseHandler):
    """axes' database handler with a second limit: besides AXES_FAILURE_LIMIT failures of one
    account from one address, CASMUL_FALLOS_POR_CUENTA failures of the account from all
    addresses together, within the same cool-off, lock it from every address.

    axes takes one limit for all its lockout parameters (with ["username", "ip_address"] and
    ["username"] listed together, five typos would lock the account everywhere), so the
    account's own count is added here, where axes asks for the failures of a request: both
    the check before a password is compared and the lockout after a failure go through
    `get_failures`."""

    def get_failures(self, request, credentials=None) -> int:
        fallos = super().get_failures(request, credentials)
        usuario = get_client_username(request, credentials)
        if usuario is None:
            return fallos
        de_la_cuenta = (
            AccessAttempt.objects.filter(
                username=usuario, attempt_time__gte=get_cool_off_threshold(request)
            ).aggregate(total=Sum("failures_since_start"))["total"]
            or 0
        )
        if de_la_cuenta >= settings.CASMUL_FALLOS_POR_CUENTA:
            return max(fallos, get_failure_limit(request, credentials))
        return fallos


class Argon2Portal(Argon2PasswordHasher):
    """Argon2id at OWASP's Password Storage Cheat Sheet minimum: m=19 MiB (19456 KiB), t=2,
    p=1. Memory-hard, so a guess costs an attacker's GPU as much memory as it costs the
    server, and cheap in CPU: one check took about 20 ms where PBKDF2 (Django's default,
    1.000.000 iterations) took 180 ms, and the last of 60 logins at once was answered after 1 to
    2 s instead of 12 to 14 on 2 cores (bench/ingresos.py). Django's own Argon2 parameters
    (100 MiB, p=8) took 155 ms, nearly PBKDF2's cost again. The hash records its parameters:
    raising them later rehashes each password at its owner's next login."""

    time_cost = 2
    memory_cost = 19456
    parallelism = 1
