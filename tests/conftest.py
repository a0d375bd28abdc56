import pytest
from django.core.management import call_command

from centros.management.commands.demo import FIXTURES_2023


@pytest.fixture
def datos_2023(db):
    """The 2023 records of the reference report (and the 2022 centres), as in fixtures/."""
    call_command("loaddata", *FIXTURES_2023, verbosity=0)


@pytest.fixture(autouse=True)
def media_temporal(settings, tmp_path):
    """Files a test writes (photos, published reports, imports awaiting confirmation) go to
    its own folders, never to the project's."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.IMPORTACIONES_ROOT = tmp_path / "importaciones"


@pytest.fixture
def cache_de_paginas(settings):
    """The portal's pages kept in a cache, as in production, empty at the start: for the
    tests of what the cache serves after each write (the others compute every page)."""
    from django.core.cache import cache

    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    cache.clear()
    yield cache
    cache.clear()
