"""The report, its preview, the comparison, the centre page and the matrix are kept in the cache
between the writes of the data behind them (`casmul.versiones`): after a write through any door
(the month's steps, a definition, an agreement, the budget, procurement, the texts, the admin,
an import, publishing), what the portal serves equals what it computes with no cache at all."""

import datetime
import io
import re
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from PIL import Image

from casmul.hojas import importable
from casmul.hojas.importacion import importacion_ejecutar
from casmul.meses import Mes
from casmul.roles import Rol
from centros.models import Centro, ReporteMensual
from centros.services import (
    beneficiario_inscribir,
    centro_definir,
    foto_centro_crear,
    indicador_definir,
    operaciones_abrir,
    plazo_fijar,
    reporte_devolver,
    reporte_guardar,
    reporte_reabrir,
    reportes_aprobar,
    reportes_enviar,
    sin_atencion_registrar,
)
from convenios.models import Convenio
from convenios.services import convenio_guardar
from presupuesto.models import GastoComun, LineaPresupuestaria, ProcesoContratacion
from presupuesto.services import (
    gasto_comun_guardar,
    linea_presupuestaria_guardar,
    proceso_contratacion_guardar,
)
from rendicion.selectors import informe_del_anio
from rendicion.services import (
    fe_de_erratas_abrir,
    informe_contenido,
    informe_huella,
    informe_publicar,
    informe_textos_guardar,
)
from tests.factories import BeneficiarioFactory, UserFactory, admin_importar, csv_de_excel

ANIO = 2023
SIN_CACHE = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}


@dataclass
class Escritura:
    """What a test of a door shares: who writes, the month and centre it touches."""

    coordinacion: object
    administracion: Client
    reporte: ReporteMensual

    @property
    def centro(self) -> Centro:
        return self.reporte.centro


def _urls(escritura: Escritura) -> dict[str, str]:
    return {
        "informe": reverse("rendicion:informe", args=[ANIO]),
        "borrador": reverse("rendicion:informe", args=[ANIO]) + "?borrador=1",
        "comparacion": reverse("rendicion:comparacion", args=[ANIO]),
        "centro": reverse("rendicion:centro", args=[escritura.centro.pk]),
        "matriz": reverse("centros:completitud", args=[ANIO]),
    }


def _pagina(cliente: Client, url: str) -> str:
    respuesta = cliente.get(url)
    assert respuesta.status_code == 200, (url, respuesta.status_code)
    html = respuesta.content.decode()
    # What changes with every response, whatever the data: the form token and the CSP nonce.
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)
    return re.sub(r'nonce="[^"]+"', "", html)


def _mes(estado: str) -> ReporteMensual:
    """An approved 2023 month of a centre that reports figures, put in `estado` (before the
    pages are kept: what the test writes comes after)."""
    reporte = (
        ReporteMensual.objects.filter(anio=ANIO, estado=ReporteMensual.Estado.APROBADO)
        .exclude(cifras=None)
        .select_related("centro")
        .order_by("centro__numero", "mes")
        .first()
    )
    if estado != ReporteMensual.Estado.APROBADO:
        ReporteMensual.objects.filter(pk=reporte.pk).update(
            estado=estado, aprobado_por=None, aprobado_en=None
        )
        reporte.refresh_from_db()
    return reporte


# --- The doors: each prepares its month, then writes -----------------------------------------


def _aprobar(e: Escritura):
    reportes_aprobar(
        versiones={e.reporte.pk: e.reporte.version},
        usuario=e.coordinacion,
        advertencias_vistas=True,
    )


def _reabrir(e: Escritura):
    reporte_reabrir(reporte=e.reporte, motivo="Cifra mal digitada", usuario=e.coordinacion)


def _devolver(e: Escritura):
    reporte_devolver(
        reporte=e.reporte, version=e.reporte.version, motivo="Revise", usuario=e.coordinacion
    )


def _guardar_borrador(e: Escritura):
    valores = {c.indicador.codigo: c.valor for c in e.reporte.cifras.select_related("indicador")}
    primero = next(iter(valores))
    valores[primero] += 7
    reporte_guardar(
        centro=e.centro,
        mes=Mes(ANIO, e.reporte.mes),
        valores=valores,
        version=e.reporte.version,
        usuario=e.coordinacion,
    )


def _definir_centro(e: Escritura):
    centro_definir(
        centro=e.centro,
        cambios={"nombre": "Centro de nombre nuevo"},
        desde_anio=ANIO,
        usuario=e.coordinacion,
    )


def _definir_indicador(e: Escritura):
    indicador_definir(
        indicador=e.centro.indicador_usuarios,
        cambios={"nombre": "Personas atendidas (nombre nuevo)"},
        desde_anio=None,
        usuario=e.coordinacion,
    )


def _convenio(e: Escritura):
    convenio = Convenio.objects.filter(centros=e.centro).first() or Convenio.objects.first()
    convenio.titulo = "Convenio de título nuevo"
    convenio_guardar(
        convenio=convenio,
        instituciones=convenio.instituciones.all(),
        centros=convenio.centros.all(),
    )


def _linea(e: Escritura):
    linea = LineaPresupuestaria.objects.filter(anio=ANIO).order_by("pk").first()
    linea.codificado += Decimal("1000")
    linea_presupuestaria_guardar(linea=linea)


def _proceso(e: Escritura):
    proceso = ProcesoContratacion.objects.filter(anio=ANIO).order_by("pk").first()
    proceso.monto += Decimal("100")
    proceso_contratacion_guardar(proceso=proceso)


def _textos(e: Escritura):
    informe = informe_del_anio(anio=ANIO)
    contenido = informe_contenido(informe)
    informe_textos_guardar(
        informe=informe,
        version=informe.version,
        huella=informe_huella(contenido),
        textos=contenido["textos"] | {"mision": "Una misión escrita de nuevo."},
        **{tabla: contenido[tabla] for tabla in ["objetivos", "glosario", "fortalecimiento"]},
        firmantes=contenido["firmantes"],
    )


def _admin_borrar(e: Escritura):
    gasto = GastoComun.objects.filter(anio=ANIO).order_by("pk").first()
    respuesta = e.administracion.post(
        reverse("admin:presupuesto_gastocomun_delete", args=[gasto.pk]), {"post": "yes"}
    )
    assert respuesta.status_code == 302
    assert not GastoComun.objects.filter(pk=gasto.pk).exists()


def _importar(e: Escritura):
    area = e.centro.area.codigo
    fila = (ANIO, area, "73.99.99", "Línea importada", "9.999,00", e.centro.numero, "")
    encabezados = ["Año", "Código del área", "Partida", "Descripción", "Codificado", "Centro"]
    admin_importar(
        e.administracion,
        "presupuesto_lineapresupuestaria",
        "lineas.csv",
        csv_de_excel("Cédula presupuestaria", [*encabezados, "Ejecutado"], fila),
    )


def _foto(e: Escritura):
    contenido = io.BytesIO()
    Image.new("RGB", (40, 30), (10, 120, 200)).save(contenido, format="PNG")
    foto_centro_crear(
        centro=e.centro, imagen=ContentFile(contenido.getvalue(), name="nueva.png"), anio=ANIO
    )


def _enviar(e: Escritura):
    assert reportes_enviar(centro=e.centro, anio=ANIO, usuario=e.coordinacion) >= 1


def _importar_cifras(e: Escritura):
    cifra = e.reporte.cifras.select_related("indicador").first()
    resumen = importacion_ejecutar(
        tipo=importable("cifras"),
        contenido=csv_de_excel(
            "Cifras 2023",
            ["Centro", "Año", "Mes", "Indicador", "Valor"],
            (e.centro.numero, ANIO, e.reporte.mes, cifra.indicador.codigo, int(cifra.valor) + 9),
        ),
        nombre="cifras.csv",
        usuario=e.coordinacion,
        confirmar=True,
    )
    assert resumen.valido, resumen.rechazadas


def _abrir_anio(e: Escritura):
    # The centre page lists the centre's years of operation.
    operaciones_abrir(anio=ANIO + 1, usuario=e.coordinacion)


def _gasto_comun(e: Escritura):
    gasto = GastoComun.objects.filter(anio=ANIO).order_by("pk").first()
    gasto.monto += Decimal("250")
    gasto_comun_guardar(gasto=gasto)


def _fe_de_erratas(e: Escritura):
    informe_publicar(anio=ANIO, usuario=e.coordinacion)
    fe_de_erratas_abrir(anio=ANIO, usuario=e.coordinacion, motivo="Una cifra mal sumada")


def _inscribir(e: Escritura):
    persona = BeneficiarioFactory(fecha_nacimiento=datetime.date(1950, 1, 1))
    beneficiario_inscribir(
        cedula=persona.cedula, datos={}, centro=e.centro, desde=datetime.date(ANIO, 2, 1)
    )


def _plazo(e: Escritura):
    plazo_fijar(anio=ANIO, dia=3, usuario=e.coordinacion)


def _sin_atencion(e: Escritura):
    inicio = Mes(ANIO, e.reporte.mes).primer_dia
    sin_atencion_registrar(
        centro=e.centro, desde=inicio, hasta=inicio, motivo="Fumigación", usuario=e.coordinacion
    )


def _publicar(e: Escritura):
    informe_publicar(anio=ANIO, usuario=e.coordinacion)


APROBADO, ENVIADO, BORRADOR = (
    ReporteMensual.Estado.APROBADO,
    ReporteMensual.Estado.ENVIADO,
    ReporteMensual.Estado.BORRADOR,
)

# (door, state its month starts in, the page whose content the write changes: the check that
# the test could fail; None where the write changes no figure of 2023's pages).
PUERTAS = {
    "aprobar": (_aprobar, ENVIADO, "informe"),
    "reabrir": (_reabrir, APROBADO, "informe"),
    "devolver": (_devolver, ENVIADO, "matriz"),
    "borrador": (_guardar_borrador, BORRADOR, "borrador"),
    "centro": (_definir_centro, APROBADO, "informe"),
    "indicador": (_definir_indicador, APROBADO, "centro"),
    "convenio": (_convenio, APROBADO, "informe"),
    "presupuesto": (_linea, APROBADO, "comparacion"),
    "contratacion": (_proceso, APROBADO, "informe"),
    "textos": (_textos, APROBADO, "informe"),
    "admin": (_admin_borrar, APROBADO, "informe"),
    "importacion": (_importar, APROBADO, "informe"),
    "foto": (_foto, APROBADO, "informe"),
    "enviar": (_enviar, BORRADOR, "matriz"),
    "importacion_portal": (_importar_cifras, BORRADOR, "borrador"),
    "abrir_anio": (_abrir_anio, APROBADO, "centro"),
    "gasto_comun": (_gasto_comun, APROBADO, "informe"),
    "fe_de_erratas": (_fe_de_erratas, APROBADO, "informe"),
    "inscribir": (_inscribir, APROBADO, None),
    "plazo": (_plazo, APROBADO, None),
    "sin_atencion": (_sin_atencion, APROBADO, None),
    "publicar": (_publicar, APROBADO, "informe"),
}


@pytest.fixture
def escritura(datos_2023, cache_de_paginas, client) -> tuple[Escritura, Client]:
    coordinacion = UserFactory(roles=[Rol.COORDINACION])
    client.force_login(coordinacion)
    administracion = Client()
    administracion.force_login(
        UserFactory(roles=[Rol.ADMINISTRACION], is_staff=True, is_superuser=True)
    )
    return coordinacion, administracion, client


@pytest.mark.parametrize("puerta", PUERTAS, ids=list(PUERTAS))
def test_after_a_write_every_kept_page_equals_a_fresh_computation(escritura, puerta):
    coordinacion, administracion, cliente = escritura
    escribir, estado, cambia = PUERTAS[puerta]
    e = Escritura(coordinacion=coordinacion, administracion=administracion, reporte=_mes(estado))
    urls = _urls(e)
    antes = {nombre: _pagina(cliente, url) for nombre, url in urls.items()}
    # Kept: the second reading is served from the cache, and is the same page.
    assert {nombre: _pagina(cliente, url) for nombre, url in urls.items()} == antes

    escribir(e)

    servidas = {nombre: _pagina(cliente, url) for nombre, url in urls.items()}
    with override_settings(CACHES=SIN_CACHE):
        frescas = {nombre: _pagina(cliente, url) for nombre, url in urls.items()}
    for nombre in urls:
        assert servidas[nombre] == frescas[nombre], f"{puerta}: {nombre} servida del cache vieja"
    if cambia:
        assert servidas[cambia] != antes[cambia], f"{puerta} no cambió {cambia}"


def test_a_draft_saved_keeps_the_report_and_renews_its_preview(escritura):
    """Drafts change every few seconds at month-end: the report (approved figures only) stays
    kept through them, and only the preview that counts them is computed again."""
    coordinacion, administracion, cliente = escritura
    e = Escritura(coordinacion=coordinacion, administracion=administracion, reporte=_mes(BORRADOR))
    urls = _urls(e)
    _pagina(cliente, urls["informe"])
    _pagina(cliente, urls["borrador"])

    _guardar_borrador(e)

    with CaptureQueriesContext(connection) as informe:
        _pagina(cliente, urls["informe"])
    with CaptureQueriesContext(connection) as borrador:
        _pagina(cliente, urls["borrador"])
    with override_settings(CACHES=SIN_CACHE), CaptureQueriesContext(connection) as fresco:
        _pagina(cliente, urls["informe"])
    # The report came whole from the cache; the preview computed its year again.
    assert len(informe.captured_queries) + 20 < len(fresco.captured_queries)
    assert len(borrador.captured_queries) > len(informe.captured_queries) + 20
