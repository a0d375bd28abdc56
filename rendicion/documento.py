"""Renders the year's report: the same template context for the page, the PDF and the
command line."""

import datetime
import mimetypes
from decimal import Decimal, InvalidOperation
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from weasyprint import HTML, Document
from weasyprint.urls import URLFetcher, URLFetcherResponse

from casmul.formato import dinero, numero
from casmul.versiones import calculado

from . import graficos
from .selectors import APOYO_SOCIAL, DESARROLLO_INFANTIL, InformeRendicion, informe_rendicion
from .tablas import tablas_del_informe

# On every page of a preview that counts months not yet approved (page, PDF and command line).
MARCA_BORRADOR = "BORRADOR — incluye cifras sin aprobar"

# Resources of the PDF are addressed under this origin, which exists nowhere: the fetcher
# below maps it to the project's static and media folders and refuses everything else.
ORIGEN_PDF = "https://portal.casmul.invalid/"


def graficos_del_informe(informe: InformeRendicion) -> dict:
    """Gráficos 1–4, computed from the same tables the report prints. The areas go in the same
    order everywhere, so each area keeps its colour in Gráficos 1, 2 and 3."""
    areas = [(fila.area, fila.centros) for fila in informe.centros.por_area]
    presupuesto = [(fila.area, fila.codificado) for fila in informe.presupuesto.filas]
    graficos_informe = {
        "centros": graficos.barras(
            areas, id="grafico-1", titulo="Centros/Proyectos de atención", mostrar_titulo=False
        ),
        "presupuesto": graficos.barras(
            presupuesto,
            id="grafico-2",
            titulo="Presupuesto por área de atención",
            formato=dinero,
            mostrar_titulo=False,
        ),
        "distribucion": graficos.torta(
            presupuesto, id="grafico-3", titulo="Distribución presupuestal", mostrar_titulo=False
        ),
        "ejecucion": None,
    }
    if informe.ejecucion:
        graficos_informe["ejecucion"] = graficos.ejecucion(
            informe.ejecucion.codificado,
            informe.ejecucion.ejecutado,
            id="grafico-4",
            mostrar_titulo=False,
        )
    return graficos_informe


def contexto_documento(informe: InformeRendicion) -> dict:
    """What the report template needs beyond the report itself: presentation only."""
    presupuesto = informe.presupuesto
    return {
        "informe": informe,
        "MARCA_BORRADOR": MARCA_BORRADOR,
        "institucion_nombre": settings.INSTITUCION_NOMBRE,
        "tablas": tablas_del_informe(informe),
        "graficos": graficos_del_informe(informe),
        "personal_desarrollo_infantil": informe.personal.get(DESARROLLO_INFANTIL),
        "personal_apoyo_social": informe.personal.get(APOYO_SOCIAL),
        "usuarios_adulto_mayor": informe.apoyo_social.por_linea("adulto_mayor"),
        "usuarios_discapacidad": informe.apoyo_social.por_linea("discapacidad"),
        "areas_mayor_presupuesto": sorted(
            (fila for fila in presupuesto.filas if fila.codificado), key=lambda f: -f.codificado
        )[:3],
    }


class FetcherDelPortal(URLFetcher):
    """Serves the PDF only the project's own static and media files; anything else (file://,
    http://, other hosts, paths outside those folders) is refused."""

    def fetch(self, url, headers=None):
        partes = urlsplit(url)
        if url.startswith("data:"):
            return super().fetch(url, headers)
        if f"{partes.scheme}://{partes.netloc}/" != ORIGEN_PDF:
            raise ValueError(f"Recurso externo bloqueado: {url}")
        ruta = _ruta_local(unquote(partes.path))
        if ruta is None:
            raise ValueError(f"Recurso no encontrado o fuera del proyecto: {url}")
        tipo = mimetypes.guess_type(ruta.name)[0] or "application/octet-stream"
        return URLFetcherResponse(url, body=ruta.read_bytes(), headers={"Content-Type": tipo})


def _ruta_local(ruta_url: str) -> Path | None:
    static_url = "/" + settings.STATIC_URL.strip("/") + "/"
    media_url = "/" + settings.MEDIA_URL.strip("/") + "/"
    if ruta_url.startswith(static_url):
        encontrado = finders.find(ruta_url.removeprefix(static_url))
        if encontrado:
            return Path(encontrado)
        raiz, relativa = Path(settings.STATIC_ROOT), ruta_url.removeprefix(static_url)
    elif ruta_url.startswith(media_url):
        raiz, relativa = Path(settings.MEDIA_ROOT), ruta_url.removeprefix(media_url)
    else:
        return None
    ruta = (raiz / relativa).resolve()
    if not ruta.is_relative_to(raiz.resolve()) or not ruta.is_file():
        return None
    return ruta


def _cifra(texto: str) -> str:
    """A snapshot's value as the report prints it: 1600469.59 -> 1.600.469,59; text as is."""
    try:
        valor = Decimal(texto)
    except (InvalidOperation, TypeError):
        return texto
    return numero(valor, 2 if valor != valor.to_integral_value() else 0)


def documento_html(informe: InformeRendicion, *, para_pdf: bool = False, publicacion=None) -> str:
    """The standalone report document (cover to signatures); a published version says which
    on its cover and, from version 2 on, opens with its errata."""
    contexto = contexto_documento(informe) | {
        "para_pdf": para_pdf,
        "publicacion": publicacion,
        "erratas": [
            {**errata, "antes": _cifra(errata["antes"]), "despues": _cifra(errata["despues"])}
            for errata in (publicacion.erratas if publicacion else [])
        ],
    }
    return render_to_string("rendicion/informe_documento.html", contexto)


def documento_pdf(informe: InformeRendicion) -> bytes:
    """The report as an A4 PDF rendered by WeasyPrint."""
    return pdf_de_html(documento_html(informe, para_pdf=True))


def _del_anio(anio: int, borrador: bool, hoy: datetime.date, hacer) -> object:
    """`hacer(informe)` of the year's report as of `hoy` (None without a report), computed
    once per version of the data it reads: the year's and the year before's, which its tables
    compare with; a preview's counts months not approved, so any write changes it."""

    def calcular():
        informe = informe_rendicion(anio=anio, borrador=borrador, hoy=hoy)
        return None if informe is None else hacer(informe)

    return calculado(
        f"informe-{hacer.__name__}",
        calcular,
        anios=[anio - 1, anio],
        borradores=borrador,
        partes=(anio, borrador, hoy),
    )


def _documento_de_la_pagina(informe: InformeRendicion) -> str:
    # On the page each linked figure opens the rows behind it; never in the PDF.
    return render_to_string(
        "rendicion/documento.html", contexto_documento(informe) | {"con_enlaces": True}
    )


def documento_en_pagina(*, anio: int, borrador: bool, hoy: datetime.date) -> str | None:
    """The report's document as the page shows it, or None when the year has no report."""
    html = _del_anio(anio, borrador, hoy, _documento_de_la_pagina)
    # Rendered by the template above, its user text escaped there.
    return None if html is None else mark_safe(html)


def documento_pdf_del_anio(*, anio: int, borrador: bool, hoy: datetime.date) -> bytes | None:
    """The report's PDF, or None when the year has no report: rendered again only when the
    data behind it changed (WeasyPrint takes seconds to minutes on large data)."""
    return _del_anio(anio, borrador, hoy, documento_pdf)


def documento_paginado(html: str) -> Document:
    """The report laid out in A4 pages; its boxes can be measured before writing the PDF."""
    return HTML(string=html, base_url=ORIGEN_PDF, url_fetcher=FetcherDelPortal()).render()


def pdf_de_html(html: str) -> bytes:
    return documento_paginado(html).write_pdf(pdf_variant="pdf/ua-1")
