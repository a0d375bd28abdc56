"""Tests: same database choice as the environment (DATABASE_URL), fast hashing, no manifest."""

import os

os.environ.setdefault("DEBUG", "0")
os.environ.setdefault("SECRET_KEY", "solo-para-pruebas")

from .base import *  # noqa: E402, F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# The manifest storage needs collectstatic first; tests must run without it.
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Serve static files from the apps' folders, as in development: no STATIC_ROOT needed.
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True
# Tasks run inside the request that enqueues them, and their results stay readable by the task
# page (the plain immediate backend keeps none). One test uses the database backend and its
# worker.
TASKS = {"default": {"BACKEND": "casmul.tareas.InmediatoConResultados"}}
# Tests write their data with factories, which no service marks (`casmul.versiones`): pages are
# computed afresh unless a test asks for the cache (`cache_de_paginas`, tests/conftest.py).
CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
