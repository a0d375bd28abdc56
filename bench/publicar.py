"""Benchmark of publishing a year: the whole `informe_publicar` (PDF, HTML, workbook, snapshot,
hashes) for 2023 on a fresh SQLite database, at scale 1 and the year multiplied N times.

    .venv/bin/python bench/publicar.py                  # {"1": {...}}
    .venv/bin/python bench/publicar.py --escalas 1 10
"""

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

RAIZ = Path(__file__).resolve().parent.parent


def medir(escala: int) -> dict:
    sys.path.insert(0, str(RAIZ))
    from bench.comun import base_nueva_2023

    base_nueva_2023(prefijo="publicar", escala=escala)

    from django.db import connection

    from casmul.roles import Rol
    from casmul.services import usuario_con_rol_guardar
    from rendicion.services import informe_publicar

    usuario = usuario_con_rol_guardar(
        username="bench", password="bench-clave-1", rol=Rol.COORDINACION
    )
    consultas = 0

    def contar(execute, sql, params, many, context):
        nonlocal consultas
        consultas += 1
        return execute(sql, params, many, context)

    with connection.execute_wrapper(contar):
        inicio = time.perf_counter()
        publicacion = informe_publicar(anio=2023, usuario=usuario)
        segundos = time.perf_counter() - inicio
    return {
        "publicar_s": round(segundos, 2),
        "consultas": consultas,
        "pdf_bytes": publicacion.pdf.size,
        "libro_bytes": publicacion.libro.size,
        "cifras_bytes": publicacion.cifras.size,
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--escalas", type=int, nargs="+", default=[1])
    parser.add_argument("--una", type=int, help=argparse.SUPPRESS)
    argumentos = parser.parse_args()
    if argumentos.una:
        print(json.dumps(medir(argumentos.una)))
        return
    resultados = {}
    for escala in argumentos.escalas:
        salida = subprocess.run(
            [sys.executable, __file__, "--una", str(escala)],
            capture_output=True,
            text=True,
            check=False,
            cwd=RAIZ,
        )
        if salida.returncode:
            sys.exit(salida.stderr)  # the measure's traceback, not only its exit status
        resultados[str(escala)] = json.loads(salida.stdout.strip().splitlines()[-1])
    print(json.dumps(resultados, indent=2))


if __name__ == "__main__":
    main()
