"""Load benchmark (issue 10): the portal as deployed — gunicorn on PostgreSQL with the tasks'
worker — while 50 centre staff save monthly figures (`--personal`), 5 coordinators
(`--coordinacion`) open the completeness
matrix and the 2023 report, one administrator imports a CSV of monthly figures and one
coordinator has the 2023 PDF built in the background. Prints one JSON object.

    .venv/bin/python bench/load.py --segundos 60
    .venv/bin/python bench/load.py --segundos 20 --ramp 5 --puerto 8611 --conservar

How it runs, all on 127.0.0.1 and bounded in time:

- A fresh PostgreSQL database `casmul_load` with the 2023 data: `bench.comun` creates it and
  the steps are `base_nueva_2023`'s (migrate, the 2023 fixtures, the year × `--escala`), which
  itself cannot be called, as it names its databases `casmul_bench_*`. Then, as `manage.py
  demo` does, the centres go on operating until this year; and 57 users, one password. Each
  staff user writes one month nobody else writes: its own centre, and when there are fewer
  centres than staff, a second user of a centre takes the month before (so no conflict is
  legitimate, and a 409 counts as an error). The import writes older months of all centres.
- `gunicorn` (gunicorn.conf.py, 4 workers) and `manage.py trabajador` (at `nice 10`, as
  docs/deploy.md runs it), both with `casmul.settings.production`: DEBUG off, secure cookies,
  static files collected into a temporary folder. The clients speak plain HTTP but send what
  nginx adds in production (`X-Forwarded-Proto: https`, docs/deploy.md), and send the secure
  cookies back as a browser on HTTPS does; the CSRF checks run as they do behind nginx.
- Locust, headless and in this process (gevent patches the standard library first), for
  `--ramp` seconds of logins, measured apart, then `--segundos` measured. A staff user opens
  its month, types for 5–15 s, saves, and reopens it 2–5 s later (a deadline day: about four
  saves a second from 50 people); a coordinator reads each page 5–15 s. `--ritmo 0.2` makes
  every pause five times shorter, to find where the machine saturates. Locust shares the
  machine's cores with the portal, so the JSON gives the load average before and after.
- After the load, gunicorn and the worker are stopped (always, also on error), and the
  database is read with the ORM: `lost` counts months whose stored figures are not the last
  save the portal acknowledged (a redirect after the POST), `duplicated` any month or
  figure stored twice. The database and the temporary folder are dropped unless
  `--conservar`.

Targets (issue 10, 2-core machine): p95 < 300 ms for saves and the matrix, 0 errors, 0 lost,
0 duplicated.
"""

import argparse
import json
import os
import random
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

RAIZ = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
# The bound: database names of this benchmark start with it, ports are 8600–8699.
BASE = "casmul_load"
PUERTOS = range(8600, 8700)

CLAVE = "carga-clave-2026"
# The population by default (--personal, --coordinacion).
PERSONAL, COORDINADORES = 50, 5
ANIO_INFORME = 2023
# About a few hundred rows, as a centre's year typed in a spreadsheet would be.
FILAS_IMPORTAR = 300

# Seconds people pause (× --ritmo): typing a month's figures, after a save, reading a page.
ESCRIBIR, TRAS_GUARDAR, LEER = (5, 15), (2, 5), (5, 15)
# The worker's `Nice=` in docs/deploy.md.
NICE_TRABAJADOR = 10

# The request kinds the targets name.
GUARDAR, MATRIZ = "mes (guardar)", "matriz"


# --- Plan: who writes what -----------------------------------------------------------------


@dataclass(frozen=True)
class MesAsignado:
    usuario: str
    centro_id: int
    anio: int
    mes: int

    @property
    def url(self) -> str:
        return f"/centros/{self.centro_id}/{self.anio}/{self.mes}/"


@dataclass
class Plan:
    """What the simulated users do, prepared before the load; what they saw, after it."""

    origen: str = ""
    personal: list[MesAsignado] = field(default_factory=list)
    coordinadores: list[str] = field(default_factory=list)
    pdf: str = ""
    importador: str = ""
    anio_matriz: int = 0
    csv: bytes = b""
    filas_csv: list[tuple[int, int, int, str, int]] = field(default_factory=list)
    # Logins done; set when the measured load begins (a gevent Event, made by the runner).
    ingresados: int = 0
    medir: object = None
    # Every save attempted, in order per month: (values, acknowledged).
    guardados: dict[str, list[tuple[dict[str, str], bool]]] = field(default_factory=dict)
    tareas: dict = field(default_factory=dict)

    def rutas(self) -> dict[str, list[str]]:
        """Each user kind's paths (for tests/test_bench_load.py: they resolve to real views)."""
        return {
            "personal": [m.url for m in self.personal[:1]],
            "coordinacion": [
                f"/centros/completitud/{self.anio_matriz}/",
                f"/rendicion/{ANIO_INFORME}/",
                f"/rendicion/{ANIO_INFORME}/pdf/",
            ],
            "administracion": ["/importar/cifras/", "/importar/cifras/confirmar/"],
            "todos": ["/ingresar/"],
        }


def meses_asignar(*, centros: list[int], usuarios: int, hasta) -> list[tuple[int, object]]:
    """(centre, month) for each staff user: each user its own centre while there are centres,
    then a second round on the month before, and so on: no two users share a month."""
    return [(centros[i % len(centros)], hasta.mas(-(i // len(centros)))) for i in range(usuarios)]


def csv_de_excel(titulo: str, encabezados: list[str], filas) -> bytes:
    """What Excel in Spanish saves as «CSV (delimitado por comas)», as tests/factories.py
    writes it: `;`, Windows-1252, a title above the header."""
    vacia = ";" * (len(encabezados) - 1)
    lineas = [titulo + vacia, ";".join(encabezados)]
    lineas += [";".join(str(celda) for celda in fila) for fila in filas]
    return "\r\n".join(lineas).encode("cp1252") + b"\r\n"


# --- Database, server, worker --------------------------------------------------------------


def entorno_preparar(*, carpeta: Path, puerto: int, redis: str = "") -> dict[str, str]:
    """The environment of this process, gunicorn and the worker: the same database (created
    afresh here), media and settings, as /etc/casmul/casmul.env gives them in production; the
    pages kept in a folder of the run, or in `redis` when given."""
    sys.path.insert(0, str(RAIZ))
    from bench.comun import _postgres_nueva

    entorno = {
        "DJANGO_SETTINGS_MODULE": "casmul.settings.production",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "DATABASE_URL": _postgres_nueva(BASE),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "MEDIA_ROOT": str(carpeta / "media"),
        "STATIC_ROOT": str(carpeta / "static"),
        "IMPORTACIONES_ROOT": str(carpeta / "importaciones"),
        "GUNICORN_BIND": f"127.0.0.1:{puerto}",
        "GUNICORN_WORKERS": "4",
        "DEBUG": "0",
        "CACHE_ROOT": str(carpeta / "cache"),
        "CACHE_REDIS_URL": redis,
        # Keys of this run only, on a Redis that may hold others.
        "CACHE_PREFIJO": carpeta.name,
    }
    os.environ.update(entorno)
    return {**os.environ, **entorno}


def base_preparar(
    *, escala: int, origen: str, personal: int = PERSONAL, coordinacion: int = COORDINADORES
) -> Plan:
    """The 2023 data (× escala), this year's operation, the users and what each one does."""
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password
    from django.core.management import call_command
    from django.test.utils import override_settings
    from django.utils import timezone

    from bench.comun import estadisticas_actualizar
    from bench.sintetico import anio_multiplicar
    from casmul.meses import Mes
    from casmul.roles import Rol
    from casmul.services import usuario_con_rol_guardar
    from centros.management.commands.demo import FIXTURES_2023
    from centros.models import Centro, IndicadorCentro, LineaServicio
    from centros.services import operaciones_continuar

    call_command("migrate", verbosity=0)
    call_command("loaddata", *FIXTURES_2023, verbosity=0)
    if escala > 1:
        anio_multiplicar(anio=ANIO_INFORME, factor=escala)
    hoy = timezone.localdate()
    # As `manage.py demo`: the 2023 centres go on operating, so this year's months are open.
    operaciones_continuar(desde_anio=ANIO_INFORME, hasta_anio=hoy.year)

    # The clinic enters patients by service on another page (salud), not figures.
    centros = list(
        Centro.objects.en_operacion(hoy.year)
        .exclude(linea_servicio=LineaServicio.SALUD)
        .filter(indicadores_centro__isnull=False)
        .distinct()
        .order_by("numero")
        .values_list("pk", "numero")
    )
    plan = Plan(origen=origen, anio_matriz=hoy.year)
    este_mes = Mes.de_fecha(hoy)
    # Production's hasher costs half a second of CPU per password on these machines: users are
    # created with a cheap one, then all given one production hash of the same password.
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        asignados = meses_asignar(
            centros=[pk for pk, _ in centros], usuarios=personal, hasta=este_mes
        )
        for numero, (centro_id, mes) in enumerate(asignados, start=1):
            nombre = f"carga-personal-{numero:02d}"
            usuario_con_rol_guardar(
                username=nombre, password=CLAVE, rol=Rol.PERSONAL_CENTRO, centro_ids=[centro_id]
            )
            plan.personal.append(MesAsignado(nombre, centro_id, mes.anio, mes.numero))
        for numero in range(1, coordinacion + 2):
            nombre = f"carga-coordinacion-{numero}"
            usuario_con_rol_guardar(username=nombre, password=CLAVE, rol=Rol.COORDINACION)
            plan.coordinadores.append(nombre)
        plan.pdf = plan.coordinadores.pop()
        plan.importador = "carga-administracion"
        usuario_con_rol_guardar(username=plan.importador, password=CLAVE, rol=Rol.ADMINISTRACION)
    get_user_model().objects.filter(username__startswith="carga-").update(
        password=make_password(CLAVE)
    )
    # The planner's statistics of all the rows written above (the multiplied year, the years
    # after it, the users), as a database in use has them.
    estadisticas_actualizar()

    # The import writes months before every staff user's month: it never meets their saves.
    vueltas = -(-personal // len(centros))
    indicadores: dict[int, list[str]] = {}
    for centro_id, codigo in IndicadorCentro.objects.filter(
        centro_id__in=[pk for pk, _ in centros]
    ).values_list("centro_id", "indicador__codigo"):
        indicadores.setdefault(centro_id, []).append(codigo)
    mes = este_mes.mas(-vueltas)
    while len(plan.filas_csv) < FILAS_IMPORTAR:
        for centro_id, numero in centros:
            for codigo in sorted(indicadores[centro_id]):
                plan.filas_csv.append(
                    (numero, mes.anio, mes.numero, codigo, random.randint(1, 400))
                )
        mes = mes.anterior
    plan.csv = csv_de_excel(
        f"Cifras mensuales {hoy.year}",
        ["Centro", "Año", "Mes", "Indicador", "Valor"],
        plan.filas_csv,
    )
    return plan


def puerto_libre(pedido: int | None) -> int:
    for puerto in [pedido] if pedido else PUERTOS:
        with socket.socket() as prueba:
            # As gunicorn binds: the connections of an earlier run waiting to close don't count.
            prueba.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                prueba.bind(("127.0.0.1", puerto))
            except OSError:
                continue
            return puerto
    if pedido:
        raise SystemExit(f"El puerto {pedido} está ocupado.")
    raise SystemExit(f"No hay un puerto libre entre {PUERTOS.start} y {PUERTOS.stop - 1}.")


def proceso_iniciar(orden: list[str], *, entorno: dict, registro: Path) -> subprocess.Popen:
    # Its own process group: gunicorn's workers stop with their master, whatever happens here.
    return subprocess.Popen(
        orden,
        cwd=RAIZ,
        env=entorno,
        stdout=registro.open("wb"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def proceso_detener(proceso: subprocess.Popen) -> None:
    """SIGTERM (gunicorn finishes the requests under way), SIGKILL after 30 s."""
    if proceso.poll() is not None:
        return
    for senal, espera in ((signal.SIGTERM, 30), (signal.SIGKILL, 5)):
        try:
            os.killpg(proceso.pid, senal)
        except ProcessLookupError:
            return
        try:
            proceso.wait(espera)
            return
        except subprocess.TimeoutExpired:
            continue


def servidor_esperar(origen: str, proceso: subprocess.Popen, segundos: float = 60) -> None:
    limite = time.monotonic() + segundos
    while time.monotonic() < limite:
        if proceso.poll() is not None:
            raise RuntimeError("gunicorn terminó al arrancar: vea su registro.")
        pedido = urllib.request.Request(
            origen + "/ingresar/", headers={"X-Forwarded-Proto": "https"}
        )
        try:
            with urllib.request.urlopen(pedido, timeout=5) as respuesta:
                if respuesta.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.5)
    raise RuntimeError("gunicorn no respondió a tiempo.")


# --- The simulated users ---------------------------------------------------------------------


_TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
_VERSION = re.compile(r'name="version" value="(\d+)"')
_CIFRA = re.compile(r'name="cifra_([\w-]+)"')
_CONFIRMACION = re.compile(r'name="token" value="([^"]+)"')


def errores_de_pagina(html: str) -> list[str]:
    """What a page shows as errors (class "error") and its first rejected rows, as text."""
    partes = re.findall(r'<p class="error"[^>]*>(.*?)</p>', html, re.S)
    if tabla := re.search(r'class="tabla filas-rechazadas">(.*?)</table>', html, re.S):
        partes += re.findall(r"<tr>(.*?)</tr>", tabla[1], re.S)[1:6]
    return [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", parte)).strip() for parte in partes]


def usuarios_de_locust(plan: Plan, *, ritmo: float = 1.0) -> list[type]:
    """The Locust user classes, on `plan` (imported here: locust patches the standard library
    with gevent, which only the benchmark's own process must have)."""
    import gevent
    from locust import HttpUser, between, task
    from requests.cookies import RequestsCookieJar

    def pausa(desde_hasta: tuple[int, int]):
        return between(desde_hasta[0] * ritmo, desde_hasta[1] * ritmo)

    def escribir():
        gevent.sleep(random.uniform(*ESCRIBIR) * ritmo)

    class GalletasTrasNginx(RequestsCookieJar):
        """The browser talks HTTPS to nginx, so it sends the secure cookies (session, CSRF)
        back; here the hop is plain HTTP on the loopback, where requests would not send them.
        Every cookie the portal sets is stored without its secure flag, so it goes back."""

        def set_cookie(self, cookie, *args, **kwargs):
            cookie.secure = False
            return super().set_cookie(cookie, *args, **kwargs)

    # Each simulated person takes the next account.
    pendientes, coordinadores = list(plan.personal), list(plan.coordinadores)

    def referente(ruta: str) -> str:
        # The page the form was on, as the browser saw it: over HTTPS (Django's CSRF check
        # of a secure request compares it with the host).
        return "https://" + plan.origen.removeprefix("http://") + ruta

    class Navegador(HttpUser):
        abstract = True
        host = plan.origen
        usuario = ""

        def on_start(self):
            self.client.cookies = GalletasTrasNginx()
            # What nginx adds to every request it passes on (docs/deploy.md).
            self.client.headers["X-Forwarded-Proto"] = "https"
            self.ingresar()

        def abrir(self, ruta: str, *, nombre: str, exige: re.Pattern | None = None):
            """A page, which must answer itself: a redirect (to the login page) is a failure,
            and so is a page without what `exige` looks for (a month's form)."""
            with self.client.get(ruta, name=nombre, catch_response=True) as respuesta:
                if respuesta.history or respuesta.status_code != 200:
                    respuesta.failure(f"no abrió: HTTP {respuesta.status_code}, {respuesta.url}")
                elif exige and not exige.search(respuesta.text):
                    respuesta.failure("la página no tiene el formulario")
                return respuesta

        def token(self, html: str | None = None) -> str:
            encontrado = _TOKEN.search(html or "")
            return encontrado[1] if encontrado else self.client.cookies.get("csrftoken", "")

        def enviar(self, ruta: str, datos: dict, *, nombre: str, html: str | None, **kwargs):
            """A form's POST as a browser sends it: its CSRF token and the page as referrer,
            without following the redirect (the answer to a POST is what is measured)."""
            return self.client.post(
                ruta,
                data={"csrfmiddlewaretoken": self.token(html), **datos},
                headers={"Referer": referente(ruta)},
                allow_redirects=False,
                name=nombre,
                **kwargs,
            )

        def ingresar(self):
            pagina = self.client.get("/ingresar/", name="ingresar (formulario)")
            with self.enviar(
                "/ingresar/",
                {"username": self.usuario, "password": CLAVE},
                nombre="ingresar",
                html=pagina.text,
                catch_response=True,
            ) as respuesta:
                if respuesta.status_code != 302:
                    respuesta.failure(f"no ingresó: HTTP {respuesta.status_code}")
            plan.ingresados += 1

    class Personal(Navegador):
        fixed_count = len(plan.personal)
        wait_time = pausa(TRAS_GUARDAR)

        def on_start(self):
            self.asignado = pendientes.pop(0)
            self.usuario = self.asignado.usuario
            self.vez = 0
            super().on_start()

        @task
        def guardar(self):
            ruta = self.asignado.url
            pagina = self.abrir(ruta, nombre="mes (abrir)", exige=_VERSION)
            version, codigos = _VERSION.search(pagina.text), _CIFRA.findall(pagina.text)
            if pagina.status_code != 200 or not version or not codigos:
                return
            self.vez += 1
            # New values each time, so every acknowledged save must change what is stored.
            valores = {
                codigo: str((self.vez * 37 + posicion * 11) % 900 + 1)
                for posicion, codigo in enumerate(codigos)
            }
            escribir()
            datos = {f"cifra_{c}": v for c, v in valores.items()}
            datos |= {"version": version[1], "comentario": "", "accion": "borrador"}
            intentos = plan.guardados.setdefault(ruta, [])
            intentos.append((valores, False))
            with self.enviar(
                ruta, datos, nombre=GUARDAR, html=pagina.text, catch_response=True
            ) as respuesta:
                # Saved: the portal redirects to the month itself. A redirect elsewhere (the
                # login page) or a 409 (someone else saved this month) is a failure here.
                if respuesta.status_code == 302 and respuesta.headers.get("Location") == ruta:
                    intentos[-1] = (valores, True)
                else:
                    respuesta.failure(f"no guardó: HTTP {respuesta.status_code}")

    class Coordinacion(Navegador):
        fixed_count = len(plan.coordinadores)
        wait_time = pausa(LEER)

        def on_start(self):
            self.usuario = coordinadores.pop(0)
            super().on_start()

        @task(2)
        def matriz(self):
            # As the page offers it: the whole year, or only the centres with drafts.
            filtro = random.choice(["", "?estado=borrador"])
            self.abrir(f"/centros/completitud/{plan.anio_matriz}/{filtro}", nombre=MATRIZ)

        @task(1)
        def informe(self):
            self.abrir(f"/rendicion/{ANIO_INFORME}/", nombre=f"informe {ANIO_INFORME}")

    class UnaVez(Navegador):
        """Does its job once, then stays idle (its session open) until the end."""

        abstract = True
        fixed_count = 1
        wait_time = between(1, 1)
        hecho = False

        @task
        def una_vez(self):
            # Started with the measured load, not among the logins.
            plan.medir.wait()
            if not self.hecho:
                self.hecho = True
                self.trabajo()

        def tarea_seguir(self, destino: str) -> str:
            """As tarea.js does: the task's state every two seconds until it ends; its state."""
            while True:
                gevent.sleep(2)
                estado = self.client.get(destino.rstrip("/") + ".json", name="tarea (estado)")
                if estado.status_code == 200 and estado.json()["terminada"]:
                    return estado.json()["estado"]

    class Importador(UnaVez):
        usuario = plan.importador

        def trabajo(self):
            inicio = time.monotonic()
            ruta = "/importar/cifras/"
            pagina = self.abrir(ruta, nombre="importar (página)")
            vista = self.client.post(
                ruta,
                data={"csrfmiddlewaretoken": self.token(pagina.text)},
                files={"archivo": ("cifras.csv", plan.csv, "text/csv")},
                headers={"Referer": referente(ruta)},
                name="importar (vista previa)",
            )
            token = _CONFIRMACION.search(vista.text)
            if not token:
                plan.tareas["import_error"] = errores_de_pagina(vista.text) or "sin confirmar"
                return
            with self.enviar(
                f"{ruta}confirmar/",
                {"token": token[1]},
                nombre="importar (confirmar)",
                html=vista.text,
                catch_response=True,
            ) as respuesta:
                destino = respuesta.headers.get("Location", "")
                if respuesta.status_code != 302:
                    respuesta.failure(f"no importó: HTTP {respuesta.status_code}")
                    plan.tareas["import_error"] = errores_de_pagina(respuesta.text)
                    return
            # Past FILAS_EN_SEGUNDO_PLANO rows the worker imports it, followed on its page.
            if destino.startswith("/tareas/") and self.tarea_seguir(destino) != "terminado":
                plan.tareas["import_error"] = "la tarea de importación falló"
                return
            plan.tareas["import_http_ok"] = True
            plan.tareas["import_s"] = round(time.monotonic() - inicio, 2)

    class Pdf(UnaVez):
        usuario = plan.pdf

        def trabajo(self):
            ruta = f"/rendicion/{ANIO_INFORME}/"
            pagina = self.abrir(ruta, nombre=f"informe {ANIO_INFORME}")
            inicio = time.monotonic()
            with self.enviar(
                f"{ruta}pdf/", {}, nombre="pdf (encolar)", html=pagina.text, catch_response=True
            ) as respuesta:
                destino = respuesta.headers.get("Location", "")
                if respuesta.status_code != 302 or not destino.startswith("/tareas/"):
                    respuesta.failure(f"no encoló: HTTP {respuesta.status_code}")
                    return
            plan.tareas["pdf_estado"] = "en cola"
            plan.tareas["pdf_estado"] = self.tarea_seguir(destino)
            plan.tareas["pdf_s"] = round(time.monotonic() - inicio, 2)
            archivo = self.client.get(destino + "archivo/", name="tarea (archivo)")
            plan.tareas["pdf_ok"] = archivo.status_code == 200 and archivo.content[:5] == b"%PDF-"

    return [Personal, Coordinacion, Importador, Pdf]


def carga_ejecutar(plan: Plan, *, segundos: int, ramp: int, ritmo: float):
    """Everyone logs in over `ramp` seconds (and while they do, staff and coordinators start
    working); once all are in, the statistics start afresh, the import and the PDF begin, and
    `segundos` are measured. The logins are measured apart: 57 password checks of half a
    second of CPU each would otherwise weigh on most of what a short run measures."""
    import gevent
    from gevent.event import Event
    from locust.env import Environment

    clases = usuarios_de_locust(plan, ritmo=ritmo)
    plan.medir = Event()
    entorno = Environment(user_classes=clases, host=plan.origen)
    corredor = entorno.create_local_runner()
    usuarios = sum(clase.fixed_count for clase in clases)
    inicio = time.monotonic()
    corredor.start(usuarios, spawn_rate=usuarios / max(ramp, 1))
    # Bounded: past this the run goes on with whoever got in, and says so.
    limite = inicio + ramp + 120
    while plan.ingresados < usuarios and time.monotonic() < limite:
        gevent.sleep(0.2)
    ingreso = {
        "users_logged_in": plan.ingresados,
        "all_logged_in_s": round(time.monotonic() - inicio, 1),
        **_medidas(entorno.stats.get("ingresar", "POST")),
    }
    entorno.stats.reset_all()
    plan.medir.set()
    medido = time.monotonic()
    gevent.sleep(segundos)
    corredor.quit()
    return entorno.stats, usuarios, ingreso, time.monotonic() - medido


# --- Results -------------------------------------------------------------------------------


def _medidas(entrada) -> dict:
    return {
        "count": entrada.num_requests,
        "failures": entrada.num_failures,
        "p50_ms": entrada.get_response_time_percentile(0.5),
        "p95_ms": entrada.get_response_time_percentile(0.95),
        "p99_ms": entrada.get_response_time_percentile(0.99),
        "rps": round(entrada.total_rps, 2),
    }


def base_comprobar(plan: Plan) -> dict:
    """Read after the load, with gunicorn stopped: what the portal acknowledged against what
    PostgreSQL holds."""
    from django.db.models import Count

    from centros.models import CifraMensual, ReporteMensual

    perdidos = 0
    for ruta, intentos in plan.guardados.items():
        ultimo = max((i for i, (_, ok) in enumerate(intentos) if ok), default=None)
        if ultimo is None:
            continue
        asignado = next(m for m in plan.personal if m.url == ruta)
        guardado = dict(
            CifraMensual.objects.filter(
                reporte__centro_id=asignado.centro_id,
                reporte__anio=asignado.anio,
                reporte__mes=asignado.mes,
            ).values_list("indicador__codigo", "valor")
        )
        # The last acknowledged save, or a later one that committed but whose answer the
        # end of the run cut off: anything else lost an acknowledged save.
        if not any(
            all(guardado.get(c) == Decimal(v) for c, v in valores.items())
            for valores, _ in intentos[ultimo:]
        ):
            perdidos += 1
    duplicados = (
        CifraMensual.objects.values("reporte_id", "indicador_id")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
        .count()
        + ReporteMensual.objects.values("centro_id", "anio", "mes")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
        .count()
    )
    importado = {
        (numero, anio, mes, codigo): valor
        for numero, anio, mes, codigo, valor in CifraMensual.objects.filter(
            reporte__anio__in={fila[1] for fila in plan.filas_csv}
        ).values_list(
            "reporte__centro__numero",
            "reporte__anio",
            "reporte__mes",
            "indicador__codigo",
            "valor",
        )
    }
    import_ok = bool(plan.tareas.get("import_http_ok")) and all(
        importado.get(fila[:4]) == Decimal(fila[4]) for fila in plan.filas_csv
    )
    return {
        "acknowledged": sum(ok for i in plan.guardados.values() for _, ok in i),
        "lost": perdidos,
        "duplicated": duplicados,
        "import_ok": import_ok,
    }


def base_borrar() -> None:
    import psycopg2
    from django.db import connections

    connections.close_all()
    conexion = psycopg2.connect(host="127.0.0.1", user="postgres", dbname="postgres")
    conexion.autocommit = True
    with conexion.cursor() as cursor:
        cursor.execute(f"DROP DATABASE IF EXISTS {BASE} WITH (FORCE)")
    conexion.close()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--segundos", type=int, default=60, help="duración de la carga")
    parser.add_argument("--ramp", type=int, default=10, help="segundos hasta tener a todos")
    parser.add_argument(
        "--ritmo", type=float, default=1.0, help="las pausas de la gente, multiplicadas"
    )
    parser.add_argument("--escala", type=int, default=1, help="el año 2023 multiplicado")
    parser.add_argument(
        "--personal", type=int, default=PERSONAL, help="personas de los centros guardando meses"
    )
    parser.add_argument(
        "--coordinacion", type=int, default=COORDINADORES, help="personas leyendo matriz e informe"
    )
    parser.add_argument("--puerto", type=int, help="entre 8600 y 8699 (por defecto, uno libre)")
    parser.add_argument(
        "--redis",
        default="",
        help="las páginas guardadas en este Redis (redis://127.0.0.1:6379/0), no en archivos",
    )
    parser.add_argument(
        "--conservar", action="store_true", help="no borrar la base ni la carpeta temporal"
    )
    argumentos = parser.parse_args()
    if argumentos.puerto and argumentos.puerto not in PUERTOS:
        parser.error("--puerto debe estar entre 8600 y 8699")

    # Before anything imports socket, ssl or threading: Locust's users are gevent greenlets.
    from gevent import monkey

    monkey.patch_all()

    puerto = puerto_libre(argumentos.puerto)
    carpeta = Path(tempfile.mkdtemp(prefix="bench-load-"))
    origen = f"http://127.0.0.1:{puerto}"
    procesos: list[subprocess.Popen] = []
    resultado: dict = {}
    try:
        entorno = entorno_preparar(carpeta=carpeta, puerto=puerto, redis=argumentos.redis)
        plan = base_preparar(
            escala=argumentos.escala,
            origen=origen,
            personal=argumentos.personal,
            coordinacion=argumentos.coordinacion,
        )
        from django.db import connections

        connections.close_all()  # nothing of this process holds a connection during the load
        # The manifest storage of production needs the collected files.
        subprocess.run(
            [PYTHON, "manage.py", "collectstatic", "--noinput", "-v0"],
            cwd=RAIZ,
            env=entorno,
            check=True,
        )
        procesos.append(
            proceso_iniciar(
                [str(Path(PYTHON).parent / "gunicorn")],
                entorno=entorno,
                registro=carpeta / "gunicorn.log",
            )
        )
        procesos.append(
            proceso_iniciar(
                # At the priority docs/deploy.md gives it: a PDF or an import yields the cores
                # to the people's requests.
                [
                    "nice",
                    "-n",
                    str(NICE_TRABAJADOR),
                    PYTHON,
                    "manage.py",
                    "trabajador",
                    "--no-reload",
                ],
                entorno=entorno,
                registro=carpeta / "trabajador.log",
            )
        )
        servidor_esperar(origen, procesos[0])
        # The machine is shared: what else ran says how far the times can be trusted.
        carga_antes = os.getloadavg()[0]
        estadisticas, usuarios, ingreso, duracion = carga_ejecutar(
            plan, segundos=argumentos.segundos, ramp=argumentos.ramp, ritmo=argumentos.ritmo
        )
        carga_despues = os.getloadavg()[0]
        for proceso in procesos:
            proceso_detener(proceso)
        comprobado = base_comprobar(plan)
        clases = {
            nombre: _medidas(entrada)
            for (nombre, _metodo), entrada in sorted(estadisticas.entries.items())
            if entrada.num_requests
        }
        errores = {
            f"{e.method} {e.name}: {e.error}": e.occurrences for e in estadisticas.errors.values()
        }
        resultado = {
            "kinds": clases,
            "overall": _medidas(estadisticas.total),
            "rps": round(estadisticas.total.total_rps, 2),
            "errors": estadisticas.total.num_failures,
            "error_details": errores,
            **comprobado,
            "logins": ingreso,
            "import_rows": len(plan.filas_csv),
            "import_s": plan.tareas.get("import_s"),
            "import_error": plan.tareas.get("import_error"),
            "pdf_ok": bool(plan.tareas.get("pdf_ok")),
            "pdf_s": plan.tareas.get("pdf_s"),
            "pdf_state": plan.tareas.get("pdf_estado"),
            "targets_met": {
                "p95_save_lt_300ms": clases.get(GUARDAR, {}).get("p95_ms", 1e9) < 300,
                "p95_matrix_lt_300ms": clases.get(MATRIZ, {}).get("p95_ms", 1e9) < 300,
                "no_errors": estadisticas.total.num_failures == 0,
                "none_lost_or_duplicated": comprobado["lost"] == comprobado["duplicated"] == 0,
            },
            "database": BASE if argumentos.conservar else f"{BASE} (dropped)",
            "usuarios": usuarios,
            "poblacion": {"personal": len(plan.personal), "coordinacion": len(plan.coordinadores)},
            "cache": "redis" if argumentos.redis else "archivos",
            "ritmo": argumentos.ritmo,
            "segundos": round(duracion, 1),
            "gunicorn_workers": int(entorno["GUNICORN_WORKERS"]),
            "trabajador_nice": NICE_TRABAJADOR,
            "cpus": os.cpu_count(),
            "loadavg_1min_before_after": [round(carga_antes, 2), round(carga_despues, 2)],
        }
    finally:
        for proceso in procesos:
            proceso_detener(proceso)
        if not argumentos.conservar:
            if "django" in sys.modules:
                base_borrar()
            shutil.rmtree(carpeta, ignore_errors=True)
        else:
            print(f"Base {BASE}, registros en {carpeta}", file=sys.stderr)
    print(json.dumps(resultado, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
