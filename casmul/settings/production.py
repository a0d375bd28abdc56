"""Production behind nginx, which terminates TLS: every secret comes from the environment, nothing
has a default. `manage.py check --deploy --fail-level WARNING` passes clean with this module."""

import os

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import env_bool, env_int

# Whatever the environment says: a DEBUG=1 left in a unit file would show any visitor the
# settings, the SQL and people's data in a traceback.
DEBUG = False
# base.py accepts a missing SECRET_KEY when DEBUG=1 (development); here it never is.
if not os.environ.get("SECRET_KEY"):
    raise ImproperlyConfigured("Defina SECRET_KEY en el entorno: producción no tiene una clave.")

# nginx speaks HTTPS to browsers and plain HTTP to gunicorn through its Unix socket; it sets
# X-Forwarded-Proto (and overwrites one a client sent, docs/deploy.md), which is how Django
# knows the request was secure.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Only nginx can open gunicorn's socket (its systemd socket unit, docs/deploy.md, makes it
# nginx's alone): what comes through it carries nginx's X-Forwarded-For. A gunicorn bound to a
# TCP port believes the header only from the addresses PROXIES_DE_CONFIANZA names.
if "PROXIES_DE_CONFIANZA" not in os.environ:
    PROXIES_DE_CONFIANZA = ["unix"]
# nginx may already redirect port 80; the portal redirects as well unless told not to.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=True)

# HSTS: once a browser has seen the portal over HTTPS it refuses plain HTTP for a year.
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 365 * 24 * 60 * 60)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
# The preload list is hard to leave and binds the whole domain: the municipality's decision.
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", default=False)

SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_CONTENT_TYPE_NOSNIFF = True

# Checks that only ask about a choice the environment made on purpose: not preloading HSTS,
# and leaving the HTTPS redirect to nginx.
SILENCED_SYSTEM_CHECKS = [
    *([] if SECURE_HSTS_PRELOAD else ["security.W021"]),
    *([] if SECURE_SSL_REDIRECT else ["security.W008"]),
]
