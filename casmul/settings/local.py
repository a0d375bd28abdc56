"""Development on a workstation: `make run`."""

import os

os.environ.setdefault("DEBUG", "1")

from .base import *  # noqa: E402, F403

STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
