"""Benchmark of the month-end cycle one person of a centre repeats: open this month's page, save
it as a draft (the POST, without following its redirect). Time and queries of each, in-process,
through the whole middleware stack (session, authentication, messages), on a temporary SQLite
database or, with `--postgres`, on PostgreSQL as in production.

    .venv/bin/python bench/mes.py --postgres            # {"abrir": {...}, "guardar": {...}}
    .venv/bin/python bench/mes.py --postgres --escala 100
    .venv/bin/python bench/mes.py --perfil 25           # also the 25 costliest functions
    .venv/bin/python bench/mes.py --consultas           # also each request's SQL, in order

The cost per request is what decides how many people two cores carry at month-end
(`bench/load.py`): it does not grow with the number of centres, so `--escala` shows it stays so.
"""

import argparse
import cProfile
import io
import json
import os
import pstats
import statistics
import sys
import time
from pathlib import Path

RAIZ = Path(__file__).resolve().parent.parent


def _medir(*, escala: int, postgres: bool, repeticiones: int, perfil: int, consultas: bool):
    sys.path.insert(0, str(RAIZ))
    from bench.comun import base_nueva_2023

    base_nueva_2023(prefijo="mes", escala=escala, postgres=postgres)

    import re

    from django.template import Template
    from django.test.utils import _TestState

    # The test environment wraps every template render to record its context, a cost no
    # production request pays: measured without it.
    Template._render = _TestState.saved_data.template_render

    from django.db import connection, reset_queries
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse
    from django.utils import timezone

    from casmul.meses import Mes
    from casmul.roles import Rol
    from casmul.services import usuario_con_rol_guardar
    from centros.models import Centro, LineaServicio
    from centros.services import operaciones_continuar

    hoy = timezone.localdate()
    # As `manage.py demo`: the 2023 centres go on operating, so this year's months are open.
    operaciones_continuar(desde_anio=2023, hasta_anio=hoy.year)
    centro = (
        Centro.objects.en_operacion(hoy.year)
        .exclude(linea_servicio=LineaServicio.SALUD)
        .filter(indicadores_centro__isnull=False)
        .order_by("numero")
        .first()
    )
    usuario = usuario_con_rol_guardar(
        username="bench-personal",
        password="bench-clave-1",
        rol=Rol.PERSONAL_CENTRO,
        centro_ids=[centro.pk],
    )
    cliente = Client()
    # The login is not what is measured, and django-axes' backend wants a request it lacks.
    cliente.force_login(usuario)
    # The months of this year that have come, in turn: each is saved a few times, as each person
    # of `bench/load.py` saves hers in a minute, so the history a page shows stays that long.
    rutas = [
        reverse("centros:mes", args=[centro.pk, mes.anio, mes.numero])
        for mes in Mes.del_anio(hoy.year)
        if mes < Mes.de_fecha(hoy)
    ]
    version_re = re.compile(r'name="version" value="([^"]*)"')
    cifra_re = re.compile(r'name="cifra_([^"]+)"')

    def abrir(ruta: str) -> str:
        respuesta = cliente.get(ruta)
        assert respuesta.status_code == 200, respuesta.status_code
        return respuesta.content.decode()

    vez = 0

    def guardar(ruta: str, html: str):
        nonlocal vez
        vez += 1
        datos = {
            f"cifra_{codigo}": str((vez * 37 + posicion * 11) % 900 + 1)
            for posicion, codigo in enumerate(cifra_re.findall(html))
        }
        datos |= {
            "version": version_re.search(html)[1],
            "comentario": "",
            "accion": "borrador",
        }
        respuesta = cliente.post(ruta, datos)
        # Saved: the portal redirects to the month itself; a 400 or 409 would be timed as
        # a save that wrote nothing.
        assert respuesta.status_code == 302 and respuesta["Location"] == ruta, respuesta.status_code

    # Warm-up: templates compiled, each month's draft created (the cycle measured updates it).
    for ruta in rutas:
        guardar(ruta, abrir(ruta))

    tiempos = {"abrir": [], "guardar": []}
    for vuelta in range(repeticiones):
        ruta = rutas[vuelta % len(rutas)]
        inicio = time.perf_counter()
        html = abrir(ruta)
        tiempos["abrir"].append(time.perf_counter() - inicio)
        inicio = time.perf_counter()
        guardar(ruta, html)
        tiempos["guardar"].append(time.perf_counter() - inicio)

    # The log holds at most 9.000 queries; the capture counts within it.
    reset_queries()
    with CaptureQueriesContext(connection) as de_abrir:
        html = abrir(rutas[0])
    with CaptureQueriesContext(connection) as de_guardar:
        guardar(rutas[0], html)

    resultado = {
        "escala": escala,
        "base": "postgresql" if postgres else "sqlite",
        "repeticiones": repeticiones,
        "centros": Centro.objects.count(),
    }
    for nombre, capturadas in (("abrir", de_abrir), ("guardar", de_guardar)):
        muestras = sorted(tiempos[nombre])
        resultado[nombre] = {
            "mediana_ms": round(statistics.median(muestras) * 1000, 1),
            "p90_ms": round(muestras[int(len(muestras) * 0.9) - 1] * 1000, 1),
            "consultas": len(capturadas),
        }
        if consultas:
            resultado[nombre]["sql"] = [
                f"{q['time']} s  {q['sql'][:200]}" for q in capturadas.captured_queries
            ]

    if perfil:
        perfilador = cProfile.Profile()
        perfilador.enable()
        for vuelta in range(repeticiones):
            ruta = rutas[vuelta % len(rutas)]
            guardar(ruta, abrir(ruta))
        perfilador.disable()
        salida = io.StringIO()
        orden = os.environ.get("PERFIL_ORDEN", "cumulative")
        pstats.Stats(perfilador, stream=salida).sort_stats(orden).print_stats(perfil)
        print(salida.getvalue(), file=sys.stderr)
    return resultado


def main():
    partes = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    partes.add_argument("--escala", type=int, default=1, help="el año 2023 multiplicado N veces")
    partes.add_argument("--postgres", action="store_true", help="PostgreSQL en vez de SQLite")
    partes.add_argument("--repeticiones", type=int, default=40)
    partes.add_argument("--perfil", type=int, default=0, help="las N funciones más costosas")
    partes.add_argument("--consultas", action="store_true", help="el SQL de cada petición")
    argumentos = partes.parse_args()
    resultado = _medir(
        escala=argumentos.escala,
        postgres=argumentos.postgres,
        repeticiones=argumentos.repeticiones,
        perfil=argumentos.perfil,
        consultas=argumentos.consultas,
    )
    print(json.dumps(resultado, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
