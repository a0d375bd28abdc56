"""Benchmark of the nominal registry's import (issue 9): N people with an enrolment each,
imported through the resource, against a plain `bulk_create` of the same rows.

    .venv/bin/python bench/imports.py                    # SQLite, 100.000 rows
    .venv/bin/python bench/imports.py --postgres
    .venv/bin/python bench/imports.py --filas 10000

Each measure runs in a process of its own on a fresh database (`bench.comun`: a temporary SQLite
file, or the PostgreSQL database `casmul_bench_imports` on 127.0.0.1, dropped and created) with
the 2023 centres. The import reads a CSV as a clerk would write it (not timed: `leer_s`) and
imports it, confirmed, as the administration (`import_s`: `import_data`, with the change
history); the plain `bulk_create` writes the same people and enrolments, without validation or
history (`bulk_create_s`). Prints one JSON object: rows, import_s, bulk_create_s, ratio
(import_s / bulk_create_s) and what else was measured.
"""

import argparse
import csv
import datetime
import io
import json
import subprocess
import sys
import time
from pathlib import Path

RAIZ = Path(__file__).resolve().parent.parent
LOTE = 1000
ENCABEZADOS = (
    "Cédula",
    "Apellidos",
    "Nombres",
    "Fecha de nacimiento",
    "Sexo",
    "Discapacidad",
    "Porcentaje de discapacidad",
    "Grupo prioritario",
    "Centro",
    "Desde",
    "Hasta",
)


def _cedula(n: int) -> str:
    # As tests.factories.cedula_valida, without importing the tests: province 01–24, third digit
    # 0–5, six digits of n and the modulo-10 check digit, which is Luhn's (python-stdnum).
    from stdnum import luhn

    nueve = f"{n % 24 + 1:02d}{n % 6}{n:06d}"
    return nueve + luhn.calc_check_digit(nueve)


def filas_generar(cantidad: int, centros: list[int]) -> list[tuple]:
    """`cantidad` people, one enrolment each, as model values: cédula, apellidos, nombres,
    birth date, sex, disability, percentage, group, centre number, from, to."""
    grupos = ("ninez", "adulto_mayor", "discapacidad", "mujeres", "pobreza", "ninguno")
    filas = []
    for n in range(cantidad):
        nacimiento = datetime.date(1950 + n % 70, n % 12 + 1, n % 28 + 1)
        discapacidad = n % 10 == 0
        desde = datetime.date(2024, n % 12 + 1, n % 28 + 1)
        filas.append(
            (
                _cedula(n),
                f"Apellido{n}",
                f"Nombre{n}",
                nacimiento,
                "F" if n % 2 else "M",
                discapacidad,
                30 + n % 50 if discapacidad else None,
                grupos[n % len(grupos)],
                centros[n % len(centros)],
                desde,
                datetime.date(2024, 12, 31) if n % 5 == 0 else None,
            )
        )
    return filas


def _csv(filas: list[tuple]) -> bytes:
    from centros.models import Beneficiario

    grupos = dict(Beneficiario.GrupoPrioritario.choices)
    salida = io.StringIO()
    escritor = csv.writer(salida, delimiter=";")
    escritor.writerow(ENCABEZADOS)
    for (
        cedula,
        apellidos,
        nombres,
        nacimiento,
        sexo,
        disc,
        porc,
        grupo,
        centro,
        desde,
        hasta,
    ) in filas:
        escritor.writerow(
            (
                cedula,
                apellidos,
                nombres,
                f"{nacimiento:%d/%m/%Y}",
                sexo,
                "Sí" if disc else "No",
                porc or "",
                grupos[grupo],
                centro,
                f"{desde:%d/%m/%Y}",
                f"{hasta:%d/%m/%Y}" if hasta else "",
            )
        )
    return salida.getvalue().encode("utf-8")


def _preparar(postgres: bool) -> list[int]:
    sys.path.insert(0, str(RAIZ))
    from bench.comun import base_nueva_2023

    base_nueva_2023(prefijo="imports", postgres=postgres)
    from centros.models import Centro

    return list(Centro.objects.order_by("numero").values_list("numero", flat=True))


def medir_import(*, filas: int, postgres: bool) -> dict:
    centros = _preparar(postgres)

    from django.db import connection

    from casmul.roles import Rol
    from casmul.services import usuario_con_rol_guardar
    from centros.models import Beneficiario, Inscripcion
    from centros.resources_beneficiarios import BeneficiarioResource, HojaDeBeneficiarios

    usuario = usuario_con_rol_guardar(
        username="bench", password="bench-clave-1", rol=Rol.ADMINISTRACION
    )
    contenido = _csv(filas_generar(filas, centros))
    inicio = time.perf_counter()
    dataset = HojaDeBeneficiarios().create_dataset(contenido)
    leer_s = time.perf_counter() - inicio

    consultas = 0

    def contar(execute, sql, params, many, context):
        nonlocal consultas
        consultas += 1
        return execute(sql, params, many, context)

    # A counter, not the query log: the log would keep every query and slow each one.
    with connection.execute_wrapper(contar):
        inicio = time.perf_counter()
        resultado = BeneficiarioResource().import_data(
            dataset, dry_run=False, user=usuario, file_name="bench.csv"
        )
        import_s = time.perf_counter() - inicio
    assert not resultado.has_errors() and not resultado.has_validation_errors()
    assert Beneficiario.objects.count() == Inscripcion.objects.count() == filas
    historia = (Beneficiario.history.count(), Inscripcion.history.count())
    assert historia == (filas, filas), historia
    assert not Inscripcion.history.exclude(history_user=usuario).exists()
    # Unrounded: a small run's bulk_create rounds to 0.0, and the ratio divides by it.
    return {
        "import_s": import_s,
        "leer_s": leer_s,
        "consultas": consultas,
        "database": connection.vendor,
    }


def medir_bulk_create(*, filas: int, postgres: bool) -> dict:
    centros = _preparar(postgres)

    from django.db import transaction

    from centros.models import Beneficiario, Centro, Inscripcion

    por_numero = {centro.numero: centro for centro in Centro.objects.all()}
    valores = filas_generar(filas, centros)
    inicio = time.perf_counter()
    with transaction.atomic():
        personas = [
            Beneficiario(
                cedula=cedula,
                apellidos=apellidos,
                nombres=nombres,
                fecha_nacimiento=nacimiento,
                sexo=sexo,
                tiene_discapacidad=disc,
                porcentaje_discapacidad=porc,
                grupo_prioritario=grupo,
            )
            for cedula, apellidos, nombres, nacimiento, sexo, disc, porc, grupo, *_ in valores
        ]
        Beneficiario.objects.bulk_create(personas, batch_size=LOTE)
        Inscripcion.objects.bulk_create(
            [
                Inscripcion(
                    beneficiario=persona, centro=por_numero[centro], desde=desde, hasta=hasta
                )
                for persona, (*_, centro, desde, hasta) in zip(personas, valores, strict=True)
            ],
            batch_size=LOTE,
        )
    bulk_create_s = time.perf_counter() - inicio
    assert Inscripcion.objects.count() == filas
    return {"bulk_create_s": bulk_create_s}


def _en_otro_proceso(medida: str, filas: int, postgres: bool) -> dict:
    orden = [sys.executable, __file__, "--medida", medida, "--filas", str(filas)]
    proceso = subprocess.run(
        orden + (["--postgres"] if postgres else []), capture_output=True, text=True, check=False
    )
    if proceso.returncode:
        sys.exit(proceso.stderr)
    return json.loads(proceso.stdout)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--filas", type=int, default=100_000)
    parser.add_argument("--postgres", action="store_true")
    # One measure alone, in this process (the benchmark runs each so, on its fresh database).
    parser.add_argument("--medida", choices=("import", "bulk_create"), help=argparse.SUPPRESS)
    argumentos = parser.parse_args()
    filas, postgres = argumentos.filas, argumentos.postgres
    if argumentos.medida == "import":
        print(json.dumps(medir_import(filas=filas, postgres=postgres)))
    elif argumentos.medida == "bulk_create":
        print(json.dumps(medir_bulk_create(filas=filas, postgres=postgres)))
    else:
        importacion = _en_otro_proceso("import", filas, postgres)
        plano = _en_otro_proceso("bulk_create", filas, postgres)
        print(
            json.dumps(
                {
                    "rows": filas,
                    "import_s": round(importacion["import_s"], 2),
                    "bulk_create_s": round(plano["bulk_create_s"], 2),
                    "ratio": round(importacion["import_s"] / plano["bulk_create_s"], 2),
                    "database": importacion["database"],
                    "leer_s": round(importacion["leer_s"], 2),
                    "consultas": importacion["consultas"],
                }
            )
        )


if __name__ == "__main__":
    main()
