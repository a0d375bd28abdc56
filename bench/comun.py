"""What every benchmark starts from: Django on a fresh database (a temporary SQLite file, or a
PostgreSQL database dropped and created on 127.0.0.1) holding the 2023 data, the year
multiplied N times when asked."""

import os
import sys
import tempfile
from pathlib import Path

RAIZ = Path(__file__).resolve().parent.parent


def _postgres_nueva(nombre: str) -> str:
    import psycopg2

    conexion = psycopg2.connect(host="127.0.0.1", user="postgres", dbname="postgres")
    conexion.autocommit = True
    with conexion.cursor() as cursor:
        cursor.execute(f"DROP DATABASE IF EXISTS {nombre}")
        cursor.execute(f"CREATE DATABASE {nombre}")
    conexion.close()
    return f"postgres://postgres@127.0.0.1:5432/{nombre}"


def base_nueva_2023(*, prefijo: str, escala: int = 1, postgres: bool = False) -> Path:
    """Sets Django up on a fresh database with the 2023 data (× `escala`); returns the
    temporary folder that holds the SQLite file and the media. Call before importing models."""
    carpeta = Path(tempfile.mkdtemp(prefix=f"bench-{prefijo}-{escala}-"))
    os.environ["DATABASE_URL"] = (
        _postgres_nueva(f"casmul_bench_{prefijo}")
        if postgres
        else f"sqlite:///{carpeta / 'bench.sqlite3'}"
    )
    os.environ["MEDIA_ROOT"] = str(carpeta / "media")
    os.environ["DJANGO_SETTINGS_MODULE"] = "casmul.settings.test"
    sys.path.insert(0, str(RAIZ))

    import django

    django.setup()

    from django.core.management import call_command
    from django.test.utils import setup_test_environment

    from bench.sintetico import anio_multiplicar
    from centros.management.commands.demo import FIXTURES_2023

    setup_test_environment()
    call_command("migrate", verbosity=0)
    call_command("loaddata", *FIXTURES_2023, verbosity=0)
    if escala > 1:
        anio_multiplicar(anio=2023, factor=escala)
        estadisticas_actualizar()
    return carpeta


def estadisticas_actualizar() -> None:
    """The planner's statistics of the tables just filled: what autovacuum would leave after a
    while (it is off on some servers, this one included). Without them PostgreSQL plans for
    the 2023 row counts: a sequential scan of every figure where an index finds a centre's."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
