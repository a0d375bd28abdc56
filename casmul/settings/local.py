"""Development on a workstation: `make run`. The portal answers as in production, with its
Spanish error pages (a demo's visitor must not see Django's URL list or settings); Django's
debug pages only when a developer asks for them with DEBUG=1."""

import os

# These settings never run in production (casmul.settings.production does, and has no
# default key): a fixed key lets `make run` start with nothing in the environment.
os.environ.setdefault("SECRET_KEY", "solo-desarrollo-local-no-usar-en-produccion")

from .base import *  # noqa: E402, F403

STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# WhiteNoise serves the static files from the apps' folders, without collectstatic: runserver
# would serve them only with DEBUG on (whitenoise.runserver_nostatic turns that off anyway).
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True
# There is no nginx in front to serve the centres' photos (docs/deploy.md): casmul/urls.py
# serves them as nginx does, and only them.
SERVIR_FOTOS_DE_CENTROS = True
# The demo's notices are printed by the worker (`make run`'s console), not sent.
EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
