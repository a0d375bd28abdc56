"""The embedded default under ordinary work (issue 15): the demo's SQLite as `make run` serves it
(`runserver` and `manage.py trabajador`, `casmul.settings.local`), while N staff save drafts of
their months, one coordinator reads the completeness matrix and the 2023 report, and one
administrator imports a spreadsheet of monthly figures, each person one request at a time.
Prints one JSON object: {"requests", "errors", "p50_ms", "p95_ms", ...}.

    .venv/bin/python bench/sqlite.py                       # 2 staff, 90 s
    .venv/bin/python bench/sqlite.py --personal 4 --segundos 30

Everything on 127.0.0.1, in a temporary folder (database, media, kept imports) removed at the
end, bounded in time: each person stops at `--segundos`, the processes are stopped after it.
An error is any answer a person would not expect: a 5xx, a save that does not come back to its
month, an import that is not confirmed, a page that does not open.
"""

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import requests

RAIZ = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(RAIZ))

from bench.load import (  # noqa: E402
    csv_de_excel,
    errores_de_pagina,
    proceso_detener,
    proceso_iniciar,
    puerto_libre,
)

ANIO_INFORME = 2023
CENTROS_DEL_PERSONAL = (1, 4, 30)  # the demo user «personal» (centros/management/commands/demo)
_TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
_VERSION = re.compile(r'name="version" value="(\d+)"')
_CIFRA = re.compile(r'name="cifra_([\w-]+)"')
_CONFIRMACION = re.compile(r'name="token" value="([^"]+)"')


def _hoy() -> date:
    """Today in Loja, as the portal decides which months are past."""
    return datetime.now(ZoneInfo("America/Guayaquil")).date()


class Medidas:
    """Every request's duration and whether it was what the person expected, by kind."""

    def __init__(self):
        self._candado = threading.Lock()
        self.duraciones: list[float] = []
        self.errores: Counter = Counter()
        self.por_tipo: Counter = Counter()
        self.detalles: list[str] = []

    def anotar(self, tipo: str, inicio: float, ok: bool, detalle: str = "") -> None:
        with self._candado:
            self.duraciones.append((time.monotonic() - inicio) * 1000)
            self.por_tipo[tipo] += 1
            if not ok:
                self.errores[tipo] += 1
                if len(self.detalles) < 10:
                    self.detalles.append(f"{tipo}: {detalle}")

    def resumen(self) -> dict:
        ordenadas = sorted(self.duraciones) or [0.0]
        return {
            "requests": len(self.duraciones),
            "errors": sum(self.errores.values()),
            "p50_ms": round(statistics.median(ordenadas)),
            "p95_ms": round(ordenadas[min(len(ordenadas) - 1, int(len(ordenadas) * 0.95))]),
            "por_tipo": dict(self.por_tipo),
            "errores_por_tipo": dict(self.errores),
            "primeros_errores": self.detalles,
        }


class Persona:
    """One browser session: logs in, then one request at a time."""

    def __init__(self, origen: str, usuario: str, clave: str, medidas: Medidas):
        self.origen, self.medidas = origen, medidas
        self.sesion = requests.Session()
        pagina = self.sesion.get(origen + "/ingresar/", timeout=60)
        respuesta = self.sesion.post(
            origen + "/ingresar/",
            data={"username": usuario, "password": clave, **self._token(pagina.text)},
            allow_redirects=False,
            timeout=60,
        )
        if respuesta.status_code != 302:
            raise RuntimeError(f"{usuario} no pudo ingresar: HTTP {respuesta.status_code}")

    @staticmethod
    def _token(html: str) -> dict:
        encontrado = _TOKEN.search(html)
        return {"csrfmiddlewaretoken": encontrado[1]} if encontrado else {}

    def abrir(self, tipo: str, ruta: str) -> requests.Response | None:
        inicio = time.monotonic()
        try:
            respuesta = self.sesion.get(self.origen + ruta, allow_redirects=False, timeout=120)
        except requests.RequestException as error:
            self.medidas.anotar(tipo, inicio, False, str(error))
            return None
        ok = respuesta.status_code == 200
        self.medidas.anotar(tipo, inicio, ok, f"HTTP {respuesta.status_code} {ruta}")
        return respuesta if ok else None

    def enviar(self, tipo: str, ruta: str, html: str, datos: dict, **kwargs):
        inicio = time.monotonic()
        try:
            respuesta = self.sesion.post(
                self.origen + ruta,
                data={**self._token(html), **datos},
                headers={"Referer": self.origen + ruta},
                allow_redirects=False,
                timeout=120,
                **kwargs,
            )
        except requests.RequestException as error:
            self.medidas.anotar(tipo, inicio, False, str(error))
            return None, inicio
        return respuesta, inicio


def personal_trabajar(persona: Persona, ruta: str, hasta: float) -> None:
    """Opens its month and saves a draft with new figures, again and again."""
    vez = 0
    while time.monotonic() < hasta:
        pagina = persona.abrir("mes (abrir)", ruta)
        if pagina is None:
            continue
        version, codigos = _VERSION.search(pagina.text), _CIFRA.findall(pagina.text)
        vez += 1
        datos = {
            f"cifra_{codigo}": str((vez * 37 + i * 11) % 900 + 1)
            for i, codigo in enumerate(codigos)
        }
        datos |= {"version": version[1] if version else "", "comentario": "", "accion": "borrador"}
        respuesta, inicio = persona.enviar("mes (guardar)", ruta, pagina.text, datos)
        if respuesta is not None:
            ok = respuesta.status_code == 302 and respuesta.headers.get("Location") == ruta
            persona.medidas.anotar("mes (guardar)", inicio, ok, f"HTTP {respuesta.status_code}")


def coordinacion_leer(persona: Persona, anio: int, hasta: float) -> None:
    while time.monotonic() < hasta:
        persona.abrir("matriz", f"/centros/completitud/{anio}/")
        if time.monotonic() < hasta:
            persona.abrir(f"informe {ANIO_INFORME}", f"/rendicion/{ANIO_INFORME}/")


def administracion_importar(persona: Persona, csv: bytes, hasta: float) -> None:
    """Previews and confirms the same spreadsheet again and again (each time a new version of
    the same draft months), as a clerk correcting her file would."""
    ruta = "/importar/cifras/"
    while time.monotonic() < hasta:
        pagina = persona.abrir("importar (página)", ruta)
        if pagina is None:
            continue
        vista, inicio = persona.enviar(
            "importar (vista previa)",
            ruta,
            pagina.text,
            {},
            files={"archivo": ("cifras.csv", csv, "text/csv")},
        )
        if vista is None:
            continue
        token = _CONFIRMACION.search(vista.text)
        persona.medidas.anotar(
            "importar (vista previa)", inicio, bool(token), "; ".join(errores_de_pagina(vista.text))
        )
        if not token:
            continue
        respuesta, inicio = persona.enviar(
            "importar (confirmar)", ruta + "confirmar/", vista.text, {"token": token[1]}
        )
        if respuesta is not None:
            persona.medidas.anotar(
                "importar (confirmar)",
                inicio,
                respuesta.status_code == 302,
                f"HTTP {respuesta.status_code} "
                + "; ".join(errores_de_pagina(respuesta.text))[:300],
            )


def preparar(carpeta: Path) -> dict[str, str]:
    entorno = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "casmul.settings.local",
        "DATABASE_URL": f"sqlite:///{carpeta / 'db.sqlite3'}",
        "MEDIA_ROOT": str(carpeta / "media"),
        "IMPORTACIONES_ROOT": str(carpeta / "importaciones"),
    }
    for orden in (["migrate", "--noinput"], ["demo"]):
        subprocess.run(
            [sys.executable, "manage.py", *orden],
            cwd=RAIZ,
            env=entorno,
            check=True,
            stdout=subprocess.DEVNULL,
        )
    return entorno


def meses_del_personal(personal: int) -> list[str]:
    """One month per staff session, none shared (a shared month would be a legitimate 409):
    the centres of the demo user, then the month before, in the current year's past months."""
    hoy = _hoy()
    rutas = []
    for i in range(personal):
        centro = CENTROS_DEL_PERSONAL[i % len(CENTROS_DEL_PERSONAL)]
        mes = hoy.month - 1 - i // len(CENTROS_DEL_PERSONAL)
        anio = hoy.year if mes >= 1 else hoy.year - 1
        rutas.append(f"/centros/{centro}/{anio}/{(mes - 1) % 12 + 1}/")
    return rutas


def csv_importar() -> bytes:
    """A year of 2022-ish drafts would not be accepted (centres operate from 2023): the import
    writes the months of last year for three centres nobody else touches."""
    anio = _hoy().year - 1
    filas = [
        (centro, anio, mes, "usuarios_inscritos", 20 + mes)
        for centro in (2, 3, 5)
        for mes in range(1, 13)
    ]
    return csv_de_excel(
        f"Cifras mensuales {anio}", ["Centro", "Año", "Mes", "Indicador", "Valor"], filas
    )


def medir(*, personal: int, segundos: float, puerto: int | None) -> dict:
    carpeta = Path(tempfile.mkdtemp(prefix="bench-sqlite-"))
    procesos = []
    try:
        entorno = preparar(carpeta)
        puerto = puerto_libre(puerto)
        origen = f"http://127.0.0.1:{puerto}"
        procesos.append(
            proceso_iniciar(
                [sys.executable, "manage.py", "runserver", f"127.0.0.1:{puerto}", "--noreload"],
                entorno=entorno,
                registro=carpeta / "servidor.log",
            )
        )
        procesos.append(
            proceso_iniciar(
                [sys.executable, "manage.py", "trabajador", "--no-reload"],
                entorno=entorno,
                registro=carpeta / "trabajador.log",
            )
        )
        _esperar(origen)
        medidas = Medidas()
        trabajos = []
        for ruta in meses_del_personal(personal):
            persona = Persona(origen, "personal", "casmul-personal", medidas)
            trabajos.append((personal_trabajar, (persona, ruta)))
        coordinadora = Persona(origen, "coordinacion", "casmul-coordinacion", medidas)
        trabajos.append((coordinacion_leer, (coordinadora, _hoy().year)))
        administradora = Persona(origen, "admin", "casmul-admin", medidas)
        trabajos.append((administracion_importar, (administradora, csv_importar())))

        hasta = time.monotonic() + segundos
        hilos = [
            threading.Thread(target=funcion, args=(*argumentos, hasta), daemon=True)
            for funcion, argumentos in trabajos
        ]
        for hilo in hilos:
            hilo.start()
        for hilo in hilos:
            hilo.join(segundos + 180)
        resultado = medidas.resumen()
        resultado["database_locked_en_registro"] = (
            (carpeta / "servidor.log").read_text(errors="replace").count("database is locked")
        )
        return {"personal": personal, "segundos": segundos, **resultado}
    finally:
        for proceso in procesos:
            proceso_detener(proceso)
        shutil.rmtree(carpeta, ignore_errors=True)


def _esperar(origen: str, segundos: float = 60) -> None:
    limite = time.monotonic() + segundos
    while time.monotonic() < limite:
        try:
            if requests.get(origen + "/ingresar/", timeout=5).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.3)
    raise RuntimeError("El servidor no respondió a tiempo.")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--personal", type=int, default=2, help="personas guardando meses")
    parser.add_argument("--segundos", type=float, default=90)
    parser.add_argument("--puerto", type=int, help="entre 8600 y 8699 (por defecto, uno libre)")
    argumentos = parser.parse_args()
    print(
        json.dumps(
            medir(
                personal=argumentos.personal,
                segundos=argumentos.segundos,
                puerto=argumentos.puerto,
            ),
            ensure_ascii=False,
        )
    )


if __name__ == "__main__":
    main()
