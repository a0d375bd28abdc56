"""Every benchmark in bench/ at its smallest scale (issue 15): a benchmark that breaks (a login
that django-axes refuses, a division by a time rounded to zero) fails here, not on the day
someone needs its numbers. Each runs as a person runs it, `python bench/<script>.py` in a
process of its own from the project's folder, and its JSON is checked for what the script's
docstring promises. These are not measurements: only that the numbers are there and plausible.

The scripts choose their database themselves (a temporary SQLite file, or a PostgreSQL database
of their own on 127.0.0.1 with `--postgres`), never pytest's: the environment they get carries
a DATABASE_URL that nothing can reach, so a script that read it would fail here. Their temporary
folders go under the test's own (TMPDIR), which pytest removes in time."""

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from centros.management.commands.demo import FIXTURES_2023

RAIZ = Path(__file__).resolve().parent.parent
# A closed port: a script that connected to the DATABASE_URL it inherits would fail at once.
BASE_AJENA = "postgres://postgres@127.0.0.1:9/no_es_de_los_benchmarks"
BASES = pytest.mark.parametrize("postgres", [False, True], ids=["sqlite", "postgresql"])


def _correr(orden: list[str], tmp_path: Path, *, limite: int = 240, **entorno: str) -> str:
    """Runs `python <orden>` from the project's folder; its standard output, once it ended
    well within `limite` seconds."""
    proceso = subprocess.run(
        [sys.executable, *orden],
        cwd=RAIZ,
        env={**os.environ, "DATABASE_URL": BASE_AJENA, "TMPDIR": str(tmp_path), **entorno},
        capture_output=True,
        text=True,
        timeout=limite,
        check=False,
    )
    assert proceso.returncode == 0, proceso.stderr[-5000:]
    return proceso.stdout


def _json(orden: list[str], tmp_path: Path, **opciones) -> dict:
    # The whole output is the JSON: a log line on stdout would break `… | jq` as well.
    return json.loads(_correr(orden, tmp_path, **opciones))


def test_report(tmp_path):
    salida = _json(["bench/report.py", "--escalas", "1", "--repeticiones", "1"], tmp_path)

    medida = salida["scales"]["1"]
    assert medida["html_s"] > 0 and medida["pdf_s"] > 0 and medida["weasyprint_s"] > 0
    assert medida["pdf_over_weasyprint"] > 0
    assert medida["queries_html"] > 0 and medida["queries_pdf"] > 0
    assert medida["pdf_paginas"] > 0 and medida["pdf_bytes"] > 0
    assert set(medida["paginas"]) == {
        "comparacion",
        "centro",
        "detalle_usuarios",
        "cpccs",
        "cpccs_xlsx",
    }
    for pagina in medida["paginas"].values():
        assert pagina["queries"] > 0 and pagina["s"] > 0
    assert medida["muestras"] == 1
    assert medida["centros"] > 0
    # Served from the cache: the page without computing the year again, the PDF not rendered.
    assert 0 < medida["queries_html_guardada"] < medida["queries_html"] / 2
    assert medida["pdf_guardado_s"] > 0 and medida["queries_pdf_guardado"] == 1


def test_publicar(tmp_path):
    salida = _json(["bench/publicar.py", "--escalas", "1"], tmp_path)

    medida = salida["1"]
    assert medida["publicar_s"] > 0 and medida["consultas"] > 0
    assert medida["pdf_bytes"] > 0 and medida["libro_bytes"] > 0 and medida["cifras_bytes"] > 0


@BASES
def test_importar(tmp_path, postgres):
    orden = ["bench/importar.py", "--filas", "50"] + (["--postgres"] if postgres else [])

    medida = _json(orden, tmp_path)

    assert medida["base"] == ("postgresql" if postgres else "sqlite")
    assert medida["filas"] == 50
    assert medida["centros"] > 0 and 0 < medida["meses"] <= 50
    assert medida["preview_s"] >= 0 and medida["import_s"] >= 0
    assert medida["consultas"] > 0 and medida["consultas_por_fila"] > 0
    assert medida["consultas_preview_por_fila"] > 0


@BASES
def test_imports(tmp_path, postgres):
    orden = ["bench/imports.py", "--filas", "50"] + (["--postgres"] if postgres else [])

    medida = _json(orden, tmp_path)

    assert medida["database"] == ("postgresql" if postgres else "sqlite")
    assert medida["rows"] == 50
    assert medida["import_s"] >= 0 and medida["bulk_create_s"] >= 0 and medida["leer_s"] >= 0
    assert medida["ratio"] > 0
    assert medida["consultas"] > 0


@BASES
def test_escala(tmp_path, postgres):
    # 31 centres: one more than 2023's 30, so the larger scale is the year copied twice.
    orden = ["bench/escala.py", "--centros", "31", "--beneficiarios", "130"]
    orden += ["--repeticiones", "1"] + ([] if postgres else ["--sqlite"])

    salida = _json(orden, tmp_path)

    paginas = {
        "matriz",
        "matriz_area",
        "matriz_enviados",
        "matriz_pagina_1",
        "matriz_pagina_media",
        "informe",
        "lista",
        "lista_pagina_2",
        "lista_centro",
        "lista_nombre",
    }
    for pagina in paginas:
        for escala in ("1x", "escala"):
            medida = salida[pagina][escala]
            assert medida["s"] > 0 and medida["consultas"] > 0 and medida["bytes"] > 0, pagina
    for escala in ("1x", "escala"):
        publicar = salida["publicar"][escala]
        assert publicar["s"] > 0 and publicar["worker_s"] > 0 and publicar["pdf_bytes"] > 0
    assert salida["database"] == ("postgresql" if postgres else "sqlite")
    assert 0 < salida["centros"]["1x"] < salida["centros"]["escala"]
    assert salida["beneficiarios"] == {"1x": 120, "escala": 130}
    # 30 and 60 centres: one page of the matrix at either scale, whose queries do not grow.
    assert salida["paginas_matriz"] == {"1x": 1, "escala": 1}
    for pagina in ("matriz", "matriz_pagina_1", "matriz_pagina_media"):
        assert salida[pagina]["1x"]["consultas"] == salida[pagina]["escala"]["consultas"], pagina
    assert salida["construccion"]["escala"]["factor"] == 2
    assert isinstance(salida["crecen"], dict)


@BASES
def test_mes(tmp_path, postgres):
    orden = ["bench/mes.py", "--repeticiones", "3", "--consultas"]
    orden += ["--postgres"] if postgres else []

    medida = _json(orden, tmp_path)

    assert medida["base"] == ("postgresql" if postgres else "sqlite")
    assert medida["centros"] == 30
    for peticion in ("abrir", "guardar"):
        assert medida[peticion]["mediana_ms"] > 0 and medida[peticion]["p90_ms"] > 0
        assert medida[peticion]["consultas"] == len(medida[peticion]["sql"]) > 0
    # The save writes: the month's new version is in its statements.
    assert any(sql.split("  ", 1)[1].startswith("UPDATE") for sql in medida["guardar"]["sql"])


def test_load(tmp_path):
    # --ritmo 0.2: pauses five times shorter, so that staff save within the 5 seconds; a
    # population other than the default (50 + 5), as the national scale asks for.
    orden = ["bench/load.py", "--segundos", "5", "--ramp", "2", "--ritmo", "0.2"]
    orden += ["--personal", "40", "--coordinacion", "3"]

    salida = _json(orden, tmp_path, limite=300)

    assert salida["errors"] == 0, salida["error_details"]
    assert salida["lost"] == 0 and salida["duplicated"] == 0
    assert salida["poblacion"] == {"personal": 40, "coordinacion": 3}
    # 40 staff, 3 coordinators, one who builds the PDF and one who imports.
    assert salida["logins"]["users_logged_in"] == salida["usuarios"] == 45
    assert salida["acknowledged"] > 0 and salida["kinds"]["mes (guardar)"]["count"] > 0
    # Whether the import (or the PDF) ends within 5 seconds depends on the machine; that it
    # did not fail does not.
    assert salida["import_error"] is None and salida["import_rows"] > 0
    assert salida["database"] == "casmul_load (dropped)"
    # The worker runs below the web service, as docs/deploy.md sets it up.
    assert salida["trabajador_nice"] == 10


def test_sintetico_multiplies_a_year_with_centre_numbers_that_fit_a_smallint(tmp_path):
    # The module's own command works on the database the environment names, as manage.py does.
    base = tmp_path / "sintetico.sqlite3"
    entorno = {
        "DJANGO_SETTINGS_MODULE": "casmul.settings.local",
        "DATABASE_URL": f"sqlite:///{base}",
        "MEDIA_ROOT": str(tmp_path / "media"),
    }
    _correr(["manage.py", "migrate", "-v0"], tmp_path, **entorno)
    _correr(["manage.py", "loaddata", *FIXTURES_2023, "-v0"], tmp_path, **entorno)
    with sqlite3.connect(base) as conexion:
        (centros,) = conexion.execute("SELECT count(*) FROM centros_centro").fetchone()

    # 34: centre number + 1000 × copy would pass 32.767 from the 33rd copy on.
    salida = _correr(["-m", "bench.sintetico", "2023", "--factor", "34"], tmp_path, **entorno)

    assert "multiplicados por 34" in salida
    with sqlite3.connect(base) as conexion:
        cuenta, mayor = conexion.execute(
            "SELECT count(*), max(numero) FROM centros_centro"
        ).fetchone()
    # 33 copies of each centre operating in 2023.
    assert cuenta > centros and (cuenta - centros) % 33 == 0
    # SQLite stores a larger number anyway; PostgreSQL refuses it (DataError).
    assert mayor <= 32767


def test_sqlite(tmp_path):
    """Also the embedded default under ordinary work: two staff saving, a coordinator reading,
    an import and the task worker on the demo's file-based SQLite. Before writing transactions
    began IMMEDIATE (and WAL), 10 s of this gave 34 errors, 29 of them saves answered 503."""
    salida = _json(["bench/sqlite.py", "--personal", "2", "--segundos", "10"], tmp_path)

    assert salida["errors"] == 0, salida["primeros_errores"]
    assert salida["database_locked_en_registro"] == 0
    assert salida["personal"] == 2
    assert salida["requests"] > 0 and salida["por_tipo"].get("mes (guardar)", 0) > 0
    assert salida["p95_ms"] >= salida["p50_ms"] > 0


def test_ingresos(tmp_path):
    salida = _json(["bench/ingresos.py", "--ingresos", "2"], tmp_path)

    assert salida["ingresos"] == 2 and salida["procesos"] > 0 and salida["nucleos"] > 0
    for nombre, algoritmo in (("pbkdf2", "pbkdf2_"), ("argon2", "argon2$argon2id$")):
        medida = salida[nombre]
        assert medida["segundos_hasta_el_ultimo"] >= 0 and medida["cpu_ms_por_ingreso"] > 0
        assert medida["parametros"].startswith(algoritmo)
