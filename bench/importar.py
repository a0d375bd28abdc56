"""Benchmark of the monthly-figure import (the admin's resource): preview and import of N rows,
with the queries per row.

    .venv/bin/python bench/importar.py                       # SQLite, 1.000 rows
    .venv/bin/python bench/importar.py --filas 10000 --factor 14 --postgres
    .venv/bin/python bench/importar.py --perfil      # also the most frequent queries

Runs on a fresh database (a temporary SQLite file, or the PostgreSQL database
`casmul_bench_importar` on 127.0.0.1, dropped and created) with the 2023 data; the rows are
figures of 2024 and 2025 for every centre and indicator it reports (with `--factor N`, the 2023
centres multiplied N times first), as a clerk's file would hold them.
"""

import argparse
import collections
import json
import re
import sys
import time
from pathlib import Path

RAIZ = Path(__file__).resolve().parent.parent


def medir(*, filas: int, postgres: bool, factor: int, perfil: bool = False) -> dict:
    sys.path.insert(0, str(RAIZ))
    from bench.comun import base_nueva_2023

    base_nueva_2023(prefijo="importar", escala=factor, postgres=postgres)

    import tablib
    from django.db import connection

    from casmul.roles import Rol
    from casmul.services import usuario_con_rol_guardar
    from centros.models import Centro, CifraMensual, ReporteMensual
    from centros.resources import COLUMNAS, CifraMensualResource
    from centros.services import operaciones_continuar

    # Months of 2024 and 2025 only: both years are over, nothing in them is still to come.
    operaciones_continuar(desde_anio=2023, hasta_anio=2025)
    usuario = usuario_con_rol_guardar(
        username="bench", password="bench-clave-1", rol=Rol.ADMINISTRACION
    )

    datos = tablib.Dataset(headers=COLUMNAS)
    pares = [
        (centro.numero, ic.indicador.codigo)
        for centro in Centro.objects.en_operacion(2024)
        .order_by("numero")
        .prefetch_related("indicadores_centro__indicador")
        for ic in centro.indicadores_centro.all()
    ]
    for indice in range(min(filas, len(pares) * 24)):
        numero, codigo = pares[indice % len(pares)]
        mes = indice // len(pares)
        datos.append((numero, 2024 + mes // 12, mes % 12 + 1, codigo, 10 + indice % 7))
    filas = len(datos)

    tipos = collections.Counter()

    def importar(dry_run: bool) -> tuple[float, int]:
        consultas = 0

        def contar(execute, sql, params, many, context):
            nonlocal consultas
            consultas += 1
            if perfil:
                tipos[re.sub(r"\d+", "N", sql[:90])] += 1
            return execute(sql, params, many, context)

        # A counter, not the query log: the log keeps 9.000 entries and slows every query.
        with connection.execute_wrapper(contar):
            inicio = time.perf_counter()
            resultado = CifraMensualResource().import_data(
                datos, dry_run=dry_run, user=usuario, file_name="bench.csv"
            )
            segundos = time.perf_counter() - inicio
        assert not resultado.has_errors() and not resultado.has_validation_errors()
        return segundos, consultas

    preview_s, preview_q = importar(True)
    if perfil:
        for sql, veces in tipos.most_common(25):
            print(veces, sql, file=sys.stderr)
    import_s, import_q = importar(False)
    assert CifraMensual.objects.filter(reporte__anio__in=[2024, 2025]).count() == filas
    return {
        "base": connection.vendor,
        "filas": filas,
        "centros": len({numero for numero, _ in pares}),
        # Months the file touches: the write is per month, so this is what it scales with.
        "meses": ReporteMensual.objects.filter(anio__in=[2024, 2025]).count(),
        "preview_s": round(preview_s, 2),
        "preview_ms_fila": round(1000 * preview_s / filas, 2),
        "import_s": round(import_s, 2),
        "import_ms_fila": round(1000 * import_s / filas, 2),
        "consultas": import_q,
        "consultas_por_fila": round(import_q / filas, 2),
        "consultas_preview_por_fila": round(preview_q / filas, 2),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--filas", type=int, default=1000)
    parser.add_argument("--postgres", action="store_true")
    parser.add_argument(
        "--factor", type=int, default=1, help="centres multiplied (bench.sintetico) for more rows"
    )
    parser.add_argument(
        "--perfil", action="store_true", help="the 25 most frequent queries of the preview"
    )
    argumentos = parser.parse_args()
    resultado = medir(
        filas=argumentos.filas,
        postgres=argumentos.postgres,
        factor=argumentos.factor,
        perfil=argumentos.perfil,
    )
    print(json.dumps(resultado, indent=2))


if __name__ == "__main__":
    main()
