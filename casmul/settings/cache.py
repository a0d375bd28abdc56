"""Django's cache, where the pages computed from a year's data are kept until that data
changes (`casmul.versiones`: keyed by the data's marks, so any backend serves the same figures;
the backend only decides who shares what was computed).

By default a folder of files, which every process of one machine shares (gunicorn's workers,
the worker that builds PDFs) and which needs no server. With `CACHE_REDIS_URL` (or
`REDIS_URL`), Django's own Redis backend: what several machines share (docs/deploy.md)."""

import os
from pathlib import Path

_REDIS = os.environ.get("CACHE_REDIS_URL") or os.environ.get("REDIS_URL")
_CARPETA = Path(
    os.environ.get("CACHE_ROOT", Path(__file__).resolve().parent.parent.parent / "var" / "cache")
)

CACHES = {
    "default": (
        {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": _REDIS,
            # Two portals (or the tests) on one Redis never read each other's keys.
            "KEY_PREFIX": os.environ.get("CACHE_PREFIJO", "casmul"),
        }
        if _REDIS
        else {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(_CARPETA),
            # Past this many files a third goes, oldest first: a report of 3.000 centres is 3 MB
            # of HTML, of 30 centres 30 KB.
            "OPTIONS": {"MAX_ENTRIES": 300},
        }
    )
}
