"""Benchmark of the annual report: page render, whole PDF, and the layout engine alone; the
comparison, centre and drill-down pages and the CPCCS form (time and queries); the page and
the PDF served from the cache between two writes (`html_guardada_s`, `pdf_guardado_s`).

    .venv/bin/python bench/report.py            # prints {"scales": {"1": {...}, "10": {...}}}
    .venv/bin/python bench/report.py --escalas 1 --repeticiones 5

Each scale runs in its own process on a fresh SQLite database in a temporary folder, with the
2023 data, one photo per centre (uploaded through the service, so prepared once for print),
and for scale N the year multiplied N times (`bench.sintetico`).
"""

import argparse
import io
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

RAIZ = Path(__file__).resolve().parent.parent
CACHE_EN_MEMORIA = "django.core.cache.backends.locmem.LocMemCache"


def _medir(escala: int, repeticiones: int) -> dict:
    sys.path.insert(0, str(RAIZ))
    from bench.comun import base_nueva_2023

    # The photos are uploaded before the year is multiplied: its copies share them.
    base_nueva_2023(prefijo="informe")

    from django.core.files.base import ContentFile
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse
    from PIL import Image, ImageDraw
    from pypdf import PdfReader

    from bench.sintetico import anio_multiplicar
    from casmul.roles import Rol
    from casmul.services import usuario_con_rol_guardar
    from centros.models import Centro
    from centros.services import foto_centro_crear
    from rendicion.documento import documento_html, documento_pdf, pdf_de_html
    from rendicion.selectors import informe_rendicion

    for centro in Centro.objects.order_by("numero"):
        # A 2400×1800 PNG like a phone photo: the upload service turns it into a print JPEG.
        imagen = Image.new("RGB", (2400, 1800), (23 + centro.numero * 7, 69, 107))
        ImageDraw.Draw(imagen).ellipse((600, 300, 1800, 1500), fill=(200, 160, 60))
        contenido = _png(imagen)
        foto_centro_crear(
            centro=centro,
            imagen=ContentFile(contenido, name=f"centro-{centro.numero}.png"),
            anio=2023,
        )
    if escala > 1:
        anio_multiplicar(anio=2023, factor=escala)

    usuario = usuario_con_rol_guardar(
        username="bench", password="bench-clave-1", rol=Rol.COORDINACION
    )
    cliente = Client()
    # The login is not what is measured, and django-axes' backend wants a request it lacks.
    cliente.force_login(usuario)
    url = reverse("rendicion:informe", args=[2023])

    def abrir(ruta: str):
        # A login page or a 403 would be timed as a very fast report.
        respuesta = cliente.get(ruta)
        assert respuesta.status_code == 200, (ruta, respuesta.status_code)
        return respuesta

    # A 10× document lays out tables of hundreds of rows over a hundred pages: one sample is
    # minutes of WeasyPrint, so larger scales are measured once, without a warm-up.
    veces = repeticiones if escala == 1 else 1

    def tiempos(funcion):
        if escala == 1:
            funcion()  # warm-up: template loading, fonts
        muestras = []
        for _ in range(veces):
            inicio = time.perf_counter()
            funcion()
            muestras.append(time.perf_counter() - inicio)
        return statistics.median(muestras)

    def consultas_y_tiempo(funcion):
        connection.queries_log.clear()  # a full log (9000 entries) would hide the new queries
        with CaptureQueriesContext(connection) as consultas:
            segundos = tiempos(funcion)
        # Each sample runs the same queries: the count of one is the total over the samples.
        return len(consultas.captured_queries) // (veces + (1 if escala == 1 else 0)), segundos

    queries_html, html_s = consultas_y_tiempo(lambda: abrir(url))
    primero = Centro.objects.get(numero=1).pk
    paginas = {
        "comparacion": reverse("rendicion:comparacion", args=[2023]),
        "centro": reverse("rendicion:centro", args=[primero]),
        "detalle_usuarios": reverse("rendicion:detalle_usuarios", args=[2023, primero]),
        # The CPCCS form: its page and its workbook for the CPCCS system.
        "cpccs": reverse("rendicion:cpccs", args=[2023]),
        "cpccs_xlsx": reverse("rendicion:cpccs_xlsx", args=[2023]),
    }
    otras = {
        nombre: dict(
            zip(("queries", "s"), consultas_y_tiempo(lambda u=pagina: abrir(u)), strict=True)
        )
        for nombre, pagina in paginas.items()
    }
    html_guardado = documento_html(informe_rendicion(anio=2023), para_pdf=True)
    connection.queries_log.clear()
    with CaptureQueriesContext(connection) as consultas:
        inicio = time.perf_counter()
        pdf = documento_pdf(informe_rendicion(anio=2023))
        primera = time.perf_counter() - inicio
    queries_pdf = len(consultas.captured_queries)
    # At scale 1 the first run is the warm-up; at larger scales it is the only PDF sample.
    muestras_pdf, muestras_weasyprint = ([], []) if escala == 1 else ([primera], [])
    for _ in range(veces):
        if escala > 1:
            inicio = time.perf_counter()
            pdf_de_html(html_guardado)
            muestras_weasyprint.append(time.perf_counter() - inicio)
            break
        # Interleaved, so that both timings see the same state of the process (memory, caches).
        inicio = time.perf_counter()
        documento_pdf(informe_rendicion(anio=2023))
        muestras_pdf.append(time.perf_counter() - inicio)
        inicio = time.perf_counter()
        pdf_de_html(html_guardado)
        muestras_weasyprint.append(time.perf_counter() - inicio)
    # Served from the cache (`casmul.versiones`), as between two writes of the year: the page
    # after its first computation, and the PDF (rendered once, at scale 1 only: minutes above).
    from django.test import override_settings
    from django.utils import timezone

    from rendicion.documento import documento_pdf_del_anio

    with override_settings(CACHES={"default": {"BACKEND": CACHE_EN_MEMORIA}}):
        abrir(url)
        queries_guardada, guardada_s = consultas_y_tiempo(lambda: abrir(url))
        if escala == 1:
            hoy = timezone.localdate()
            documento_pdf_del_anio(anio=2023, borrador=False, hoy=hoy)
            queries_pdf_guardado, pdf_guardado_s = consultas_y_tiempo(
                lambda: documento_pdf_del_anio(anio=2023, borrador=False, hoy=hoy)
            )
    pdf_s = statistics.median(muestras_pdf)
    weasyprint_s = statistics.median(muestras_weasyprint)
    return {
        "html_s": round(html_s, 3),
        "pdf_s": round(pdf_s, 3),
        "weasyprint_s": round(weasyprint_s, 3),
        "pdf_over_weasyprint": round(pdf_s / weasyprint_s, 3),
        "queries_html": queries_html,
        "queries_pdf": queries_pdf,
        "html_guardada_s": round(guardada_s, 4),
        "queries_html_guardada": queries_guardada,
        **(
            {
                "pdf_guardado_s": round(pdf_guardado_s, 4),
                "queries_pdf_guardado": queries_pdf_guardado,
            }
            if escala == 1
            else {}
        ),
        "paginas": {nombre: {**o, "s": round(o["s"], 3)} for nombre, o in otras.items()},
        "pdf_bytes": len(pdf),
        "pdf_paginas": len(PdfReader(io.BytesIO(pdf)).pages),
        "muestras": veces,
        "centros": Centro.objects.en_operacion(2023).count(),
    }


def _png(imagen) -> bytes:
    from io import BytesIO

    salida = BytesIO()
    imagen.save(salida, format="PNG")
    return salida.getvalue()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--escalas", type=int, nargs="+", default=[1, 10])
    parser.add_argument("--repeticiones", type=int, default=3)
    parser.add_argument("--una", type=int, help=argparse.SUPPRESS)
    argumentos = parser.parse_args()
    if argumentos.una:
        print(json.dumps(_medir(argumentos.una, argumentos.repeticiones)))
        return
    escalas = {}
    for escala in argumentos.escalas:
        salida = subprocess.run(
            [
                sys.executable,
                __file__,
                "--una",
                str(escala),
                "--repeticiones",
                str(argumentos.repeticiones),
            ],
            capture_output=True,
            text=True,
            check=False,
            cwd=RAIZ,
        )
        if salida.returncode:
            sys.exit(salida.stderr)  # the measure's traceback, not only its exit status
        escalas[str(escala)] = json.loads(salida.stdout.strip().splitlines()[-1])
    print(json.dumps({"scales": escalas}, indent=2))


if __name__ == "__main__":
    main()
