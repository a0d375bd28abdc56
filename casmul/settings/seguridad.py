"""Authentication: who may log in, how often they may fail, how long a session lasts."""

import os
from datetime import timedelta

# django-axes, under its Spanish name in the admin.
APPS_SEGURIDAD: list[str] = ["casmul.apps.AccesosConfig"]
MIDDLEWARE_SEGURIDAD: list[str] = [
    # After the authentication and message middleware (base.py appends these last): it reads
    # the session's user and leaves a message on the login page.
    "casmul.sesiones.SesionConLimites",
    # Last of all, as axes requires: it turns a lockout raised during authentication into the
    # lockout page.
    "axes.middleware.AxesMiddleware",
]

# Axes' backend first: it refuses a locked-out client before any password is checked, on every
# door that calls authenticate() (the portal's /ingresar/ and the admin's login alike).
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

# --- Failed logins (django-axes) ------------------------------------------------------------
# Five wrong passwords for one account from one address lock that account for that address
# during 15 minutes. Both together, not each alone: by the account alone, anyone on the
# Internet could lock a colleague out by typing her username five times; by the address alone,
# one office behind the municipality's NAT would be locked out by one person's typos. An
# attacker keeps 5 guesses per account per address every 15 minutes, too few for a password
# that passes the validators.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
# An attacker with many addresses (a botnet, a cloud's) would get 5 guesses from each: 30
# failures of one account from all addresses together within the cool-off lock it from every
# address (casmul.accesos.ManejadorDeAccesos). Far above what typos reach, so that it takes an
# attack to lock a colleague out this way, and then only for 15 minutes.
AXES_HANDLER = "casmul.accesos.ManejadorDeAccesos"
CASMUL_FALLOS_POR_CUENTA = 30
# A successful login forgets that account's earlier typos from that address.
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/bloqueado.html"
AXES_HTTP_RESPONSE_CODE = 429
# The address a failure counts against: X-Forwarded-For only from a proxy listed here, the
# socket's address otherwise (casmul.accesos.direccion_del_cliente): believed from anyone, the
# header let a client that reaches gunicorn directly pose as a new address on every attempt,
# and so guess without limit.
# Comma-separated addresses of the proxies in front (nginx), `unix` for a connection through
# gunicorn's Unix socket; empty (development, tests: no proxy) trusts no header.
# production.py trusts the socket by default, as docs/deploy.md installs it.
AXES_CLIENT_IP_CALLABLE = "casmul.accesos.direccion_del_cliente"
PROXIES_DE_CONFIANZA = [
    proxy.strip()
    for proxy in os.environ.get("PROXIES_DE_CONFIANZA", "").split(",")
    if proxy.strip()
]
# axes' records name accounts and addresses (personal data, LOPDP): logins, failures and the
# failed attempts behind a lockout are kept this many days, then `manage.py accesos_depurar`
# (daily, docs/deploy.md) deletes them, but never a lockout still in force.
CASMUL_RETENCION_ACCESOS_DIAS = int(os.environ.get("CASMUL_RETENCION_ACCESOS_DIAS", "180"))

# --- Sessions -------------------------------------------------------------------------------
# A shared office computer left open: 30 minutes without a request end the session; a session
# never outlives a working day (10 hours), whatever the activity. casmul.sesiones applies both.
SESSION_INACTIVIDAD_SEGUNDOS = int(os.environ.get("SESSION_INACTIVIDAD_SEGUNDOS", "1800"))
SESSION_DURACION_MAXIMA_SEGUNDOS = int(
    os.environ.get("SESSION_DURACION_MAXIMA_SEGUNDOS", str(10 * 60 * 60))
)
# The cookie (and the stored session) lasts no longer than the longest session allowed, instead
# of Django's two weeks.
SESSION_COOKIE_AGE = SESSION_DURACION_MAXIMA_SEGUNDOS
