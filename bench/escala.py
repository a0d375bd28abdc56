"""Benchmark at the scale of a national network (issue 10, "Scale"): a year of 3.000 centres and
300.000 beneficiaries against the 2023 data as it is, page by page, in time and queries.

    .venv/bin/python bench/escala.py                      # PostgreSQL, 3.000 / 300.000 (~4-7 min)
    .venv/bin/python bench/escala.py --centros 300 --beneficiarios 30000 --repeticiones 5
    .venv/bin/python bench/escala.py --sqlite
    .venv/bin/python bench/escala.py --sqlite --solo-matriz --beneficiarios 1000  # the matrix
    .venv/bin/python bench/escala.py --sin-analyze        # the planner without statistics

Each scale runs in a process of its own on a fresh database: the PostgreSQL database
`casmul_escala_1x` or `casmul_escala_<centros>` on 127.0.0.1 (dropped and created; left there
afterwards, to look into), or a temporary SQLite file. It holds the 2023 data; at full scale
the year multiplied (`bench.sintetico.anio_multiplicar_en_bloque`: the same copies as
`anio_multiplicar`, numbered so that they fit the centre number's smallint; factor = centres /
centres of 2023, rounded up) and the beneficiaries written with a plain `bulk_create` (a person
and one enrolment of 2023 in a centre each, round robin, valid cédulas, names without digits,
no change history: no page measured reads it). At 1× there are 120 beneficiaries (three pages
of the list). Then ANALYZE, as autovacuum would leave the tables (`--sin-analyze` skips it).

Measured, as the web sees it (test Client, logged in), each `--repeticiones` times after a
warm-up (median): the completeness matrix (coordination; a hundred centres a page, with the
totals of all) unfiltered, filtered by área and by state, its first page asked for by number
(`matriz_pagina_1`) and the page in the middle (`matriz_pagina_media`, of `paginas_matriz`);
the 2023 report page; the beneficiaries' list (administration, 50 a page) first page, second
page, filtered by centre and by name. Then one publication of 2023 through the worker: the
publish form posted (the view enqueues the task on the database queue), then `manage.py
trabajador --batch` in another process until the queue is empty; `s` is from the post to the
task done (with the worker's start-up), `worker_s` the worker's own time, `worker_partes` where
it goes (HTML documents, WeasyPrint, workbook, snapshot). The publication runs once (a second
one would be an erratum) and at most `--limite-publicar` seconds. `--solo-matriz` measures the
matrix's pages alone: no report, no list, no publication. Queries are counted with a wrapper on
the connection (in the worker too), with their own time (`sql_s`); `plantilla_s` is the page's
template rendering; the rest of `s` is the view's Python (selectors).

Prints one JSON object: per page {"1x": {"s", "consultas", "sql_s", "plantilla_s", "bytes"},
"escala": {...}}, then centros, beneficiarios, paginas_matriz, database, the build times and,
in `crecen`, for each page whose query count differs between the scales, the normalized
queries (literals and IN lists folded) whose count changed, as {query: [1x, escala]}.
"""

import argparse
import collections
import datetime
import json
import math
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

RAIZ = Path(__file__).resolve().parent.parent
LOTE = 5000
USUARIOS_1X = 120
BASE_DE_DATOS_TAREAS = {
    "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}
}


# --- Database --------------------------------------------------------------------------------


def _entorno(*, nombre: str, postgres: bool) -> dict:
    """DATABASE_URL and MEDIA_ROOT of a fresh database (created here, dropped first)."""
    sys.path.insert(0, str(RAIZ))
    from bench.comun import _postgres_nueva

    carpeta = Path(tempfile.mkdtemp(prefix=f"bench-{nombre}-"))
    return {
        "DATABASE_URL": _postgres_nueva(nombre)
        if postgres
        else f"sqlite:///{carpeta / 'bench.sqlite3'}",
        "MEDIA_ROOT": str(carpeta / "media"),
        "DJANGO_SETTINGS_MODULE": "casmul.settings.test",
    }


def _django(entorno: dict) -> None:
    os.environ.update(entorno)
    sys.path.insert(0, str(RAIZ))
    import django

    django.setup()


def _construir(*, centros: int, beneficiarios: int, escala: bool, analizar: bool) -> dict:
    from django.core.management import call_command
    from django.test.utils import setup_test_environment

    from bench.comun import estadisticas_actualizar
    from bench.sintetico import anio_multiplicar_en_bloque
    from centros.management.commands.demo import FIXTURES_2023
    from centros.models import Centro

    setup_test_environment()
    inicio = time.perf_counter()
    call_command("migrate", verbosity=0)
    call_command("loaddata", *FIXTURES_2023, verbosity=0)
    base_s = time.perf_counter() - inicio
    factor = 1
    if escala:
        factor = math.ceil(centros / Centro.objects.en_operacion(2023).count())
    inicio = time.perf_counter()
    if factor > 1:
        anio_multiplicar_en_bloque(anio=2023, factor=factor)
    multiplicar_s = time.perf_counter() - inicio
    inicio = time.perf_counter()
    beneficiarios_crear(beneficiarios if escala else USUARIOS_1X)
    beneficiarios_s = time.perf_counter() - inicio
    inicio = time.perf_counter()
    if analizar:
        estadisticas_actualizar()
    analyze_s = time.perf_counter() - inicio
    return {
        "factor": factor,
        "migrar_y_cargar_s": round(base_s, 1),
        "multiplicar_s": round(multiplicar_s, 1),
        "beneficiarios_s": round(beneficiarios_s, 1),
        "analyze_s": round(analyze_s, 1) if analizar else None,
    }


def letras(n: int) -> str:
    """n in base 26 with the letters a-z: names without digits, as the list's filter wants."""
    salida = ""
    while True:
        n, resto = divmod(n, 26)
        salida = "abcdefghijklmnopqrstuvwxyz"[resto] + salida
        if not n:
            return salida


def beneficiarios_crear(cantidad: int) -> None:
    """`cantidad` people with one enrolment of 2023 each, over the centres operating in 2023
    (round robin), a fifth of them finished at the end of the year. Plain `bulk_create` in
    batches: no validation, no change history."""
    from django.db import transaction

    from bench.imports import _cedula
    from centros.models import Beneficiario, Centro, Inscripcion

    grupos = [valor for valor, _ in Beneficiario.GrupoPrioritario.choices]
    centro_ids = list(
        Centro.objects.en_operacion(2023).order_by("numero").values_list("pk", flat=True)
    )
    for desde_n in range(0, cantidad, LOTE):
        numeros = range(desde_n, min(desde_n + LOTE, cantidad))
        with transaction.atomic():
            personas = Beneficiario.objects.bulk_create(
                Beneficiario(
                    cedula=_cedula(n),
                    apellidos=f"Apellido {letras(n)}",
                    nombres=f"Nombre {letras(n // 7)}",
                    fecha_nacimiento=datetime.date(1950 + n % 70, n % 12 + 1, n % 28 + 1),
                    sexo="F" if n % 2 else "M",
                    tiene_discapacidad=n % 10 == 0,
                    porcentaje_discapacidad=30 + n % 50 if n % 10 == 0 else None,
                    grupo_prioritario=grupos[n % len(grupos)],
                )
                for n in numeros
            )
            if personas and personas[0].pk is None:  # SQLite before 3.35 returns no ids
                personas = list(
                    Beneficiario.objects.filter(
                        cedula__in=[persona.cedula for persona in personas]
                    ).order_by("pk")
                )
            Inscripcion.objects.bulk_create(
                Inscripcion(
                    beneficiario_id=persona.pk,
                    centro_id=centro_ids[n % len(centro_ids)],
                    desde=datetime.date(2023, n % 12 + 1, n % 28 + 1),
                    hasta=datetime.date(2023, 12, 31) if n % 5 == 0 else None,
                )
                for n, persona in zip(numeros, personas, strict=True)
            )


# --- Counting and timing ---------------------------------------------------------------------


def _normalizada(sql: str) -> str:
    """A query's shape: literals, numbers and lists of placeholders folded."""
    sql = re.sub(r"'(?:[^']|'')*'", "'?'", sql)
    sql = re.sub(r"\b\d+\b", "N", sql)
    sql = re.sub(r"(%s|\?|N)(\s*,\s*(%s|\?|N))+", "…", sql)
    sql = re.sub(r"IN \((%s|\?|N)\)", "IN (…)", sql)
    return " ".join(sql.split())


class Contador:
    """Every query run on the connection while active: count, time, shapes."""

    def __init__(self):
        self.consultas = 0
        self.segundos = 0.0
        self.formas = collections.Counter()

    def __call__(self, execute, sql, params, many, context):
        inicio = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.segundos += time.perf_counter() - inicio
            self.consultas += 1
            self.formas[_normalizada(sql)] += 1


PARTES: collections.Counter = collections.Counter()


def _cronometrar(duenio, nombre: str, clave: str) -> None:
    """Wraps `duenio.nombre` so that its time adds up in PARTES[clave] (outermost call only)."""
    original = getattr(duenio, nombre)
    dentro = set()

    def envuelta(*args, **kwargs):
        if clave in dentro:
            return original(*args, **kwargs)
        dentro.add(clave)
        inicio = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            PARTES[clave] += time.perf_counter() - inicio
            dentro.discard(clave)

    setattr(duenio, nombre, envuelta)


def _cronometrar_plantillas() -> None:
    from django.template.backends.django import Template

    _cronometrar(Template, "render", "plantilla_s")


def _medir(funcion, repeticiones: int) -> dict:
    from django.db import connection

    funcion()  # warm-up: templates, caches
    muestras = []
    contadores = []
    plantillas = []
    for _ in range(repeticiones):
        contador = Contador()
        PARTES.clear()
        with connection.execute_wrapper(contador):
            inicio = time.perf_counter()
            respuesta = funcion()
            muestras.append(time.perf_counter() - inicio)
        assert respuesta.status_code == 200, respuesta.status_code
        contadores.append(contador)
        plantillas.append(PARTES["plantilla_s"])
    ultimo = contadores[-1]
    return {
        "s": round(statistics.median(muestras), 3),
        "consultas": ultimo.consultas,
        "sql_s": round(statistics.median(c.segundos for c in contadores), 3),
        # Rendering the page's template (with any query the template itself runs).
        "plantilla_s": round(statistics.median(plantillas), 3),
        "bytes": len(respuesta.content),
        "formas": dict(ultimo.formas),
    }


# --- One scale -------------------------------------------------------------------------------


def medir_escala(
    *,
    escala: bool,
    centros: int,
    beneficiarios: int,
    postgres: bool,
    repeticiones: int,
    limite_publicar: int,
    analizar: bool = True,
    solo_matriz: bool = False,
) -> dict:
    nombre = f"casmul_escala_{centros}" if escala else "casmul_escala_1x"
    entorno = _entorno(nombre=nombre, postgres=postgres)
    _django(entorno)
    construccion = _construir(
        centros=centros, beneficiarios=beneficiarios, escala=escala, analizar=analizar
    )

    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.urls import reverse

    from casmul import sesiones
    from casmul.roles import Rol
    from casmul.services import usuario_con_rol_guardar
    from centros.models import Area, Beneficiario, Centro, Inscripcion
    from centros.views.completitud import CENTROS_POR_PAGINA

    _cronometrar_plantillas()
    # A session's activity mark is written again at most once a minute (casmul.sesiones): one
    # UPDATE that depends on the clock, not on the data, in whichever sample crosses the minute.
    # Half the idle limit instead: longer than the pages take, and the session stays alive.
    sesiones.PRECISION_SEGUNDOS = settings.SESSION_INACTIVIDAD_SEGUNDOS // 2
    coordinacion, administracion = Client(), Client()
    for cliente, rol in ((coordinacion, Rol.COORDINACION), (administracion, Rol.ADMINISTRACION)):
        cliente.force_login(
            usuario_con_rol_guardar(
                username=f"bench-{rol.name.lower()}", password="bench-clave-1", rol=rol
            )
        )

    operando = Centro.objects.en_operacion(2023)
    area = Area.objects.filter(centros__in=operando).order_by("orden", "nombre").first()
    primero = operando.order_by("numero").first()
    matriz = reverse("centros:completitud", args=[2023])
    lista = reverse("centros:beneficiarios")
    paginas_matriz = max(1, math.ceil(operando.count() / CENTROS_POR_PAGINA))
    paginas = {
        "matriz": (coordinacion, matriz),
        "matriz_area": (coordinacion, f"{matriz}?area={area.pk}"),
        "matriz_enviados": (coordinacion, f"{matriz}?estado=enviado"),
        # The first page by its number, and one from the middle: neither its centres nor its
        # rows are the first ones.
        "matriz_pagina_1": (coordinacion, f"{matriz}?pagina=1"),
        "matriz_pagina_media": (coordinacion, f"{matriz}?pagina={(paginas_matriz + 1) // 2}"),
        "informe": (coordinacion, reverse("rendicion:informe", args=[2023])),
        "lista": (administracion, lista),
        "lista_pagina_2": (administracion, f"{lista}?pagina=2"),
        "lista_centro": (administracion, f"{lista}?centro={primero.pk}"),
        "lista_nombre": (administracion, f"{lista}?nombre={letras(USUARIOS_1X - 7)}"),
    }
    if solo_matriz:
        paginas = {nombre: pagina for nombre, pagina in paginas.items() if "matriz" in nombre}
    resultados = {
        nombre: _medir(lambda c=cliente, u=url: c.get(u), repeticiones)
        for nombre, (cliente, url) in paginas.items()
    }
    if not solo_matriz:
        resultados["publicar"] = _publicar(coordinacion, entorno, limite_publicar)
    return {
        "paginas": resultados,
        "centros": operando.count(),
        "paginas_matriz": paginas_matriz,
        "beneficiarios": Beneficiario.objects.count(),
        "inscripciones": Inscripcion.objects.count(),
        "filas_matriz_area": operando.filter(area=area).count(),
        "database": connection.vendor,
        "construccion": construccion,
    }


def _publicar(cliente, entorno: dict, limite: int) -> dict:
    """Posts the publish form (the view enqueues the task on the database queue), then runs
    the worker in another process until the queue is empty."""
    from django.db import connection
    from django.test import override_settings
    from django.urls import reverse
    from django_tasks import TaskResultStatus, default_task_backend

    from rendicion.models import Publicacion

    with override_settings(TASKS=BASE_DE_DATOS_TAREAS):
        contador = Contador()
        with connection.execute_wrapper(contador):
            inicio = time.perf_counter()
            respuesta = cliente.post(
                reverse("rendicion:publicar", args=[2023]), {"motivo": "", "revisado": "on"}
            )
            encolar_s = time.perf_counter() - inicio
        assert respuesta.status_code == 302, respuesta.status_code
        tarea_id = respuesta.url.rstrip("/").rsplit("/", 1)[-1]
        try:
            proceso = subprocess.run(
                [sys.executable, __file__, "--trabajador"],
                env=os.environ | entorno,
                capture_output=True,
                text=True,
                timeout=limite,
                check=False,
                cwd=RAIZ,
            )
        except subprocess.TimeoutExpired:
            return {
                "s": None,
                "limite_s": limite,
                "terminada": False,
                "consultas_encolar": contador.consultas,
            }
        total_s = time.perf_counter() - inicio
        if proceso.returncode:
            sys.exit(proceso.stderr)
        trabajador = json.loads(proceso.stdout.strip().splitlines()[-1])
        resultado = default_task_backend.get_result(tarea_id)
        assert resultado.status == TaskResultStatus.SUCCESSFUL, resultado.status
    publicacion = Publicacion.objects.get(anio=2023, version=1)
    formas = collections.Counter(contador.formas) + collections.Counter(trabajador["formas"])
    return {
        "s": round(total_s, 2),
        "consultas": contador.consultas + trabajador["consultas"],
        "sql_s": round(contador.segundos + trabajador["sql_s"], 3),
        "encolar_s": round(encolar_s, 3),
        "consultas_encolar": contador.consultas,
        "worker_s": trabajador["s"],
        # Inside the worker: the HTML documents (page and print), WeasyPrint, the workbook,
        # the snapshot; plantilla_s is every template rendered (within the HTML documents).
        "worker_partes": trabajador["partes"],
        "pdf_bytes": publicacion.pdf.size,
        "formas": dict(formas),
    }


def trabajador() -> None:
    """The worker's process: `manage.py trabajador --batch` (the portal's `db_worker`), its
    queries counted; prints them as JSON."""
    sys.path.insert(0, str(RAIZ))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import override_settings

    from rendicion import services

    _cronometrar_plantillas()
    for nombre in ("documento_html", "pdf_de_html", "libro_del_informe", "instantanea"):
        _cronometrar(services, nombre, f"{nombre}_s")
    contador = Contador()
    with override_settings(TASKS=BASE_DE_DATOS_TAREAS), connection.execute_wrapper(contador):
        inicio = time.perf_counter()
        call_command("trabajador", batch=True, verbosity=0)
        segundos = time.perf_counter() - inicio
    print(
        json.dumps(
            {
                "s": round(segundos, 2),
                "consultas": contador.consultas,
                "sql_s": round(contador.segundos, 3),
                "partes": {clave: round(valor, 2) for clave, valor in PARTES.items()},
                "formas": dict(contador.formas),
            }
        )
    )


# --- Both scales -----------------------------------------------------------------------------


def _en_otro_proceso(argumentos, escala: bool) -> dict:
    orden = [
        sys.executable,
        __file__,
        "--una",
        "escala" if escala else "1x",
        "--centros",
        str(argumentos.centros),
        "--beneficiarios",
        str(argumentos.beneficiarios),
        "--repeticiones",
        str(argumentos.repeticiones),
        "--limite-publicar",
        str(argumentos.limite_publicar),
    ]
    orden += [] if argumentos.postgres else ["--sqlite"]
    orden += ["--sin-analyze"] if argumentos.sin_analyze else []
    orden += ["--solo-matriz"] if argumentos.solo_matriz else []
    proceso = subprocess.run(orden, capture_output=True, text=True, check=False, cwd=RAIZ)
    if proceso.returncode:
        sys.exit(proceso.stderr)
    return json.loads(proceso.stdout.strip().splitlines()[-1])


def _crecen(uno: dict, otro: dict) -> dict:
    """The query shapes whose count differs between the scales: {shape: [1x, escala]}."""
    cuentas = collections.defaultdict(lambda: [0, 0])
    for indice, formas in enumerate((uno, otro)):
        for forma, veces in formas.items():
            cuentas[forma][indice] += veces
    return {forma[:400]: veces for forma, veces in sorted(cuentas.items()) if veces[0] != veces[1]}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--centros", type=int, default=3000)
    parser.add_argument("--beneficiarios", type=int, default=300_000)
    parser.add_argument("--repeticiones", type=int, default=3)
    parser.add_argument("--postgres", dest="postgres", action="store_true", default=True)
    parser.add_argument("--sqlite", dest="postgres", action="store_false")
    parser.add_argument(
        "--limite-publicar", type=int, default=3600, help="seconds the worker may take at most"
    )
    parser.add_argument(
        "--sin-analyze",
        action="store_true",
        help="no ANALYZE after building: the planner's statistics of the 2023 data",
    )
    parser.add_argument(
        "--solo-matriz",
        action="store_true",
        help="only the completeness matrix's pages: no report, list or publication",
    )
    parser.add_argument("--una", choices=("1x", "escala"), help=argparse.SUPPRESS)
    parser.add_argument("--trabajador", action="store_true", help=argparse.SUPPRESS)
    argumentos = parser.parse_args()
    if argumentos.trabajador:
        trabajador()
        return
    if argumentos.una:
        resultado = medir_escala(
            escala=argumentos.una == "escala",
            centros=argumentos.centros,
            beneficiarios=argumentos.beneficiarios,
            postgres=argumentos.postgres,
            repeticiones=argumentos.repeticiones,
            limite_publicar=argumentos.limite_publicar,
            analizar=not argumentos.sin_analyze,
            solo_matriz=argumentos.solo_matriz,
        )
        print(json.dumps(resultado))
        return
    uno = _en_otro_proceso(argumentos, escala=False)
    inicio = time.perf_counter()
    grande = _en_otro_proceso(argumentos, escala=True)
    escala_s = time.perf_counter() - inicio
    salida = {}
    crecen = {}
    for pagina, medida in uno["paginas"].items():
        otra = grande["paginas"][pagina]
        salida[pagina] = {
            "1x": {k: v for k, v in medida.items() if k != "formas"},
            "escala": {k: v for k, v in otra.items() if k != "formas"},
        }
        if medida.get("consultas") != otra.get("consultas") and "formas" in otra:
            crecen[pagina] = _crecen(medida["formas"], otra["formas"])
    salida |= {
        "centros": {"1x": uno["centros"], "escala": grande["centros"]},
        "beneficiarios": {"1x": uno["beneficiarios"], "escala": grande["beneficiarios"]},
        "paginas_matriz": {"1x": uno["paginas_matriz"], "escala": grande["paginas_matriz"]},
        "filas_matriz_area": {
            "1x": uno["filas_matriz_area"],
            "escala": grande["filas_matriz_area"],
        },
        "database": grande["database"],
        "construccion": {"1x": uno["construccion"], "escala": grande["construccion"]},
        "escala_total_s": round(escala_s, 1),
        "crecen": crecen,
    }
    print(json.dumps(salida, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
