"""Each year keeps its own definitions (issue 16): a three-year story.

2023 as loaded (the published report, 30 centres), published first. In 2024 centre 4 (CDI
Estrellitas, under a MIES agreement in 2023) is financed by the CASMUL and its capacity goes
from 36 to 45. In 2025 the CDIs report a new figure, the craft shop (centre 29) closes after
June and a new CDI opens in March. Each year's report gives the figures computed here by plain
arithmetic from the months entered (never with the portal's selectors); the 2023 report reads
as it was published, and its published version still verifies; the comparisons show what
changed."""

import datetime
import io
import re
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.urls import reverse

from casmul.roles import Rol
from centros.models import (
    Area,
    Centro,
    Indicador,
    IndicadorCentro,
    LineaServicio,
    Modalidad,
    OperacionAnual,
    ReporteMensual,
)
from centros.selectors.informe import cifras_de_area
from centros.services import centro_definir, operaciones_continuar
from rendicion.documento import documento_html
from rendicion.models import Publicacion
from rendicion.respaldo import respaldo_comprobar
from rendicion.selectors import comparacion_anual, informe_rendicion, publicacion_de_archivo
from rendicion.services import informe_crear_desde_anterior, informe_publicar
from tests.factories import (
    CentroFactory,
    CifraMensualFactory,
    IndicadorCentroFactory,
    IndicadorFactory,
    OperacionAnualFactory,
    UserFactory,
    cifras_del_anio,
)

pytestmark = pytest.mark.usefixtures("datos_2023")

# The day 2023 was published, and the day 2024 and 2025 are reviewed (both years ended).
HOY_2023 = datetime.date(2024, 3, 1)
HOY = datetime.date(2026, 3, 1)

DESARROLLO_INFANTIL = "desarrollo-infantil"
IMPULSO_ECONOMICO = "impulso-economico"
CIMS = (1, 2, 3)  # Centros Infantiles Municipales, financed by the CASMUL
CDIS = tuple(range(4, 13))  # Centros de Desarrollo Infantil, under MIES agreements in 2023
ESTRELLITAS = 4
ALMACEN = 29
NUEVO = 31

# Tabla 1 of the published 2023 report (tests/test_datos_2023.py).
TABLA_1_2023 = {
    1: 60, 2: 56, 3: 47, 4: 36, 5: 36, 6: 54, 7: 36, 8: 45, 9: 36, 10: 36, 11: 36, 12: 45,
}  # fmt: skip

# Users enrolled each month (usuarios_inscritos: a stock, the year counts its monthly maximum),
# approved, January onwards. Centres not named have no month approved that year.
USUARIOS_2024 = {
    1: [50, 52, 55, 58, 58, 57, 56, 55, 54, 53, 52, 51],
    ESTRELLITAS: [40] * 6 + [45] * 6,  # fills its new capacity from July
    5: [30] * 12,
    8: [44] * 11 + [45],
}
USUARIOS_2025 = {
    1: [60] * 12,
    ESTRELLITAS: [45] * 12,
    5: [32] * 11 + [33],
}
# The CDIs' new figure from 2025: health check-ups, a flow (summed over the months).
CONTROLES_2025 = {ESTRELLITAS: [3] * 12, 5: [2] * 12}
# The new CDI operates from March: February's month, entered and approved, is outside it.
NUEVO_USUARIOS_2025 = {2: 99} | {mes: 15 + mes for mes in range(3, 13)}
NUEVO_CONTROLES_2025 = {2: 50} | dict.fromkeys(range(3, 13), 4)
NUEVO_DESDE = 3

# The craft shop's figures (artisans: maximum; clients and income: sums), January onwards.
# In 2025 it closes after June: July, entered and approved, is outside its operation.
ALMACEN_2024 = {
    "artesanos_consignacion": [10] * 12,
    "clientes": [90] * 12,
    "ingresos": ["400.50"] * 12,
}
ALMACEN_2025 = {
    "artesanos_consignacion": [12, 12, 14, 14, 13, 13, 20],
    "clientes": [100] * 7,
    "ingresos": ["250.25"] * 7,
}
ALMACEN_HASTA = 6


def _maximo(valores) -> Decimal:
    return max(Decimal(valor) for valor in valores)


def _suma(valores) -> Decimal:
    return sum((Decimal(valor) for valor in valores), Decimal(0))


def _dentro(por_mes: dict[int, object], desde: int = 1, hasta: int = 12) -> list:
    """The values of the months inside an operation."""
    return [valor for mes, valor in por_mes.items() if desde <= mes <= hasta]


def _tabla_1_esperada(usuarios: dict[int, list], numeros) -> dict[int, int]:
    return {numero: int(_maximo(usuarios.get(numero, [0]))) for numero in numeros}


def _meses_aprobados(centro: Centro, anio: int, cifras: dict[Indicador, dict[int, object]]):
    """Approved months of the centre with the figures given per month (any months)."""
    for indicador, por_mes in cifras.items():
        for mes, valor in por_mes.items():
            reporte, _ = ReporteMensual.objects.get_or_create(
                centro=centro,
                anio=anio,
                mes=mes,
                defaults={"estado": ReporteMensual.Estado.APROBADO},
            )
            CifraMensualFactory(reporte=reporte, indicador=indicador, valor=Decimal(valor))


def _centro(numero: int) -> Centro:
    return Centro.objects.get(numero=numero)


def _sin_fichas(html: str) -> str:
    """A page without what changes at every request: the CSRF token of the logout form and
    the CSP nonces."""
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', 'name="csrfmiddlewaretoken"', html)
    return re.sub(r'nonce="[^"]*"', 'nonce=""', html)


def _texto(html: str) -> str:
    """What a reader sees of an HTML fragment: its text, spaces collapsed."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


def _bloque_del_centro(html: str, centro: Centro) -> str:
    """A centre's block of the comparison page, as text."""
    bloque = re.search(
        rf'<tbody class="centro" data-centro="{centro.pk}">(.*?)</tbody>', html, re.S
    )
    assert bloque, f"El centro {centro.numero} no aparece en la comparación."
    return _texto(bloque[1])


@dataclass(frozen=True)
class Historia:
    coordinacion: object
    publicacion_2023: Publicacion
    documento_2023: bytes  # the published HTML as rendered before the 2024 and 2025 edits
    pagina_2023: str  # the report page the coordination saw before them
    controles: Indicador
    nuevo: Centro


def _documento_2023(publicacion: Publicacion) -> bytes:
    informe = informe_rendicion(anio=2023, hoy=HOY_2023)
    return documento_html(informe, publicacion=publicacion).encode("utf-8")


def _pagina(client, anio: int) -> str:
    respuesta = client.get(reverse("rendicion:informe", args=[anio]))
    assert respuesta.status_code == 200
    return respuesta.content.decode()


@pytest.fixture
def historia(datos_2023, client) -> Historia:
    coordinacion = UserFactory(roles=[Rol.COORDINACION])
    administracion = UserFactory(roles=[Rol.ADMINISTRACION])
    client.force_login(coordinacion)
    usuarios = Indicador.objects.get(codigo="usuarios_inscritos")
    almacen = _centro(ALMACEN)

    # Given 2023 as loaded, published (version 1), its document and page kept as they read
    publicacion = informe_publicar(anio=2023, usuario=coordinacion, hoy=HOY_2023)
    with publicacion.html.open("rb") as archivo:
        assert archivo.read() == _documento_2023(publicacion)
    documento_2023 = _documento_2023(publicacion)
    pagina_2023 = _pagina(client, 2023)

    # When the centres go on operating in 2024 and 2025, each year with its report's texts,
    operaciones_continuar(desde_anio=2023, hasta_anio=2025)
    informe_crear_desde_anterior(anio=2024)
    informe_crear_desde_anterior(anio=2025)
    # centre 4 is financed by the CASMUL from 2024, with capacity for 45 children,
    centro_definir(
        centro=_centro(ESTRELLITAS),
        cambios={"modalidad": Modalidad.DIRECTA, "capacidad": 45},
        desde_anio=2024,
        usuario=administracion,
    )
    # and 2024's months are approved
    for numero, valores in USUARIOS_2024.items():
        cifras_del_anio(_centro(numero), usuarios, valores, anio=2024)
    for codigo, valores in ALMACEN_2024.items():
        cifras_del_anio(almacen, Indicador.objects.get(codigo=codigo), valores, anio=2024)

    # When, in 2025, the CDIs report a new figure,
    controles = IndicadorFactory(
        codigo="controles_salud",
        nombre="Controles de salud",
        unidad=Indicador.Unidad.SERVICIOS,
        agregacion=Indicador.Agregacion.SUMA,
    )
    for numero in CDIS:
        IndicadorCentro.objects.create(
            centro=_centro(numero), indicador=controles, orden=2, desde_anio=2025
        )
    # the craft shop closes after June,
    operacion = OperacionAnual.objects.get(centro=almacen, anio=2025)
    operacion.mes_fin = ALMACEN_HASTA
    operacion.save()
    # a new CDI opens in March,
    nuevo = CentroFactory(
        numero=NUEVO,
        nombre="CDI Nuevo Amanecer",
        nombre_corto="CDI Nuevo Amanecer",
        area=Area.objects.get(codigo=DESARROLLO_INFANTIL),
        modalidad=Modalidad.CONVENIO_MIES,
        linea_servicio=LineaServicio.DESARROLLO_INFANTIL,
        parroquia=_centro(ESTRELLITAS).parroquia,
        capacidad=40,
    )
    IndicadorCentroFactory(centro=nuevo, indicador=usuarios, orden=1)
    IndicadorCentroFactory(centro=nuevo, indicador=controles, orden=2, desde_anio=2025)
    nuevo.indicador_usuarios = usuarios
    nuevo.save(update_fields=["indicador_usuarios"])
    OperacionAnualFactory(centro=nuevo, anio=2025, mes_inicio=NUEVO_DESDE, personal=4)
    # and 2025's months are approved (some of them outside a centre's operation)
    for numero, valores in USUARIOS_2025.items():
        cifras_del_anio(_centro(numero), usuarios, valores, anio=2025)
    for numero, valores in CONTROLES_2025.items():
        cifras_del_anio(_centro(numero), controles, valores, anio=2025)
    _meses_aprobados(nuevo, 2025, {usuarios: NUEVO_USUARIOS_2025, controles: NUEVO_CONTROLES_2025})
    for codigo, valores in ALMACEN_2025.items():
        cifras_del_anio(almacen, Indicador.objects.get(codigo=codigo), valores, anio=2025)

    return Historia(
        coordinacion=coordinacion,
        publicacion_2023=publicacion,
        documento_2023=documento_2023,
        pagina_2023=pagina_2023,
        controles=controles,
        nuevo=nuevo,
    )


# --- 2023: as published -------------------------------------------------------------------


def test_the_2023_document_is_byte_identical_after_the_2024_and_2025_edits(historia):
    # Then the 2023 document rendered now is the one rendered, and published, before them
    assert _documento_2023(historia.publicacion_2023) == historia.documento_2023


def test_the_2023_report_page_reads_as_before_the_2024_and_2025_edits(historia, client):
    # Then the coordination's 2023 page is the same, but for its per-request tokens
    assert _sin_fichas(_pagina(client, 2023)) == _sin_fichas(historia.pagina_2023)


def test_the_published_2023_version_still_verifies(historia):
    publicacion = historia.publicacion_2023
    with publicacion.html.open("rb") as archivo:
        html_publicado = archivo.read()

    # Then its files and the figures recomputed now are those published,
    comprobacion = respaldo_comprobar(anio=2023)
    assert comprobacion.publicacion == publicacion
    assert comprobacion.archivos_alterados == []
    assert comprobacion.cifras_distintas == []
    assert comprobacion.partes_distintas == []
    salida = io.StringIO()
    call_command("comprobar_respaldo", "2023", stdout=salida)
    assert salida.getvalue().startswith("OK:")
    # and its HTML is still version 1 in force, replaced by none
    verificacion = publicacion_de_archivo(html_publicado)
    assert verificacion.publicacion == publicacion
    assert verificacion.reemplazada_por is None
    assert Publicacion.objects.filter(anio=2023).count() == 1


def test_2023_keeps_centre_4_under_the_mies_agreement_with_its_published_figures(historia):
    informe = informe_rendicion(anio=2023, hoy=HOY_2023)
    tabla = informe.desarrollo_infantil
    fila_4 = next(fila for fila in tabla.filas if fila.numero == ESTRELLITAS)

    assert {fila.numero: fila.usuarios for fila in tabla.filas} == TABLA_1_2023
    assert tabla.total == sum(TABLA_1_2023.values()) == 523
    assert (tabla.por_modalidad_directa, tabla.por_modalidad_mies) == (len(CIMS), len(CDIS))
    assert (fila_4.modalidad, fila_4.marca_modalidad) == (Modalidad.CONVENIO_MIES, "**")
    assert [fila.centros for fila in informe.centros.por_area] == [12, 1, 15, 1, 1]
    assert (informe.centros.total, informe.centros.total_anio_anterior) == (30, 23)


# --- 2024: centre 4 financed by the CASMUL -------------------------------------------------


def test_2024_counts_centre_4_as_financed_by_the_casmul_with_the_year_figures(historia):
    informe = informe_rendicion(anio=2024, hoy=HOY)
    tabla = informe.desarrollo_infantil
    esperada = _tabla_1_esperada(USUARIOS_2024, CIMS + CDIS)
    marcas = {fila.numero: fila.marca_modalidad for fila in tabla.filas}

    assert {fila.numero: fila.usuarios for fila in tabla.filas} == esperada
    assert esperada[ESTRELLITAS] == 45 and esperada[1] == 58
    assert tabla.total == sum(esperada.values())
    # Three CIMs and centre 4 financed by the CASMUL; the other eight CDIs under MIES
    assert (tabla.por_modalidad_directa, tabla.por_modalidad_mies) == (4, 8)
    assert marcas[ESTRELLITAS] == "*"
    assert all(marcas[numero] == "**" for numero in CDIS if numero != ESTRELLITAS)
    # The previous year's table is the one 2023's report gave, centre 4 still under MIES
    anterior = informe.desarrollo_infantil_anterior
    assert {fila.numero: fila.usuarios for fila in anterior.filas} == TABLA_1_2023
    assert {fila.numero: fila.marca_modalidad for fila in anterior.filas}[ESTRELLITAS] == "**"
    assert [fila.centros for fila in informe.centros.por_area] == [12, 1, 15, 1, 1]
    assert (informe.centros.total, informe.centros.total_anio_anterior) == (30, 30)


# --- 2025: a new figure for the CDIs, a shop closing after June, a new CDI -----------------


def test_2025_counts_the_new_cdi_from_march_and_centre_4_as_in_2024(historia):
    informe = informe_rendicion(anio=2025, hoy=HOY)
    tabla = informe.desarrollo_infantil
    esperada = _tabla_1_esperada(USUARIOS_2025, CIMS + CDIS) | {
        # February's 99 is outside its operation
        NUEVO: int(_maximo(_dentro(NUEVO_USUARIOS_2025, desde=NUEVO_DESDE)))
    }
    marcas = {fila.numero: fila.marca_modalidad for fila in tabla.filas}

    assert {fila.numero: fila.usuarios for fila in tabla.filas} == esperada
    assert esperada[NUEVO] == 27
    assert tabla.total == sum(esperada.values())
    assert (tabla.por_modalidad_directa, tabla.por_modalidad_mies) == (4, 9)
    assert (marcas[ESTRELLITAS], marcas[NUEVO]) == ("*", "**")
    assert [fila.centros for fila in informe.centros.por_area] == [13, 1, 15, 1, 1]
    assert (informe.centros.total, informe.centros.total_anio_anterior) == (31, 30)
    # The new CDI is in 2025's report only
    assert NUEVO not in {fila.numero for fila in informe.desarrollo_infantil_anterior.filas}
    assert NUEVO not in {
        fila.numero for fila in informe_rendicion(anio=2024).desarrollo_infantil.filas
    }


def test_the_cdis_new_figure_counts_in_2025_only_and_for_the_cdis_only(historia):
    codigo = historia.controles.codigo

    def controles(anio: int) -> dict[int, Decimal]:
        return {
            centro.numero: cifra.valor
            for centro in cifras_de_area(anio=anio, area_codigo=DESARROLLO_INFANTIL)
            for cifra in centro.cifras
            if cifra.codigo == codigo
        }

    esperados = {numero: _suma(CONTROLES_2025.get(numero, [0])) for numero in CDIS} | {
        NUEVO: _suma(_dentro(NUEVO_CONTROLES_2025, desde=NUEVO_DESDE))
    }

    # Then every CDI reports it in 2025 (the new one from March: 10 months of 4), no CIM does
    assert controles(2025) == esperados
    assert esperados[ESTRELLITAS] == 36 and esperados[NUEVO] == 40
    # and no year before 2025 lists it
    assert controles(2024) == {}
    assert controles(2023) == {}


def test_the_craft_shop_counts_january_to_june_of_2025_only(historia):
    def almacen(anio: int):
        informe = informe_rendicion(anio=anio, hoy=HOY)
        assert [centro.numero for centro in informe.impulso_economico] == [ALMACEN]
        centro = informe.impulso_economico[0]
        return centro, {cifra.codigo: cifra for cifra in centro.cifras}

    centro, cifras = almacen(2025)
    dentro = {codigo: valores[:ALMACEN_HASTA] for codigo, valores in ALMACEN_2025.items()}

    # Then 2025 stands on its six months of operation: July's approved month is not counted
    assert centro.meses_reportados == ALMACEN_HASTA
    assert cifras["artesanos_consignacion"].valor == _maximo(dentro["artesanos_consignacion"])
    assert cifras["artesanos_consignacion"].valor == 14  # not July's 20
    assert cifras["clientes"].valor == _suma(dentro["clientes"]) == 600
    assert cifras["ingresos"].valor == _suma(dentro["ingresos"]) == Decimal("1501.50")
    assert cifras["clientes"].operacion.cantidad == ALMACEN_HASTA
    assert cifras["clientes"].promedio_mensual == 100

    # and 2024 on its twelve
    centro, cifras = almacen(2024)
    assert centro.meses_reportados == 12
    assert cifras["artesanos_consignacion"].valor == _maximo(ALMACEN_2024["artesanos_consignacion"])
    assert cifras["clientes"].valor == _suma(ALMACEN_2024["clientes"])
    assert cifras["ingresos"].valor == _suma(ALMACEN_2024["ingresos"]) == Decimal("4806.00")


# --- The comparisons -----------------------------------------------------------------------


def test_the_comparison_2024_shows_centre_4_changed_modality_and_capacity(historia, client):
    html = client.get(reverse("rendicion:comparacion", args=[2024])).content.decode()

    bloque = _bloque_del_centro(html, _centro(ESTRELLITAS))

    # Then centre 4 says what changed and from when: «Modalidad: Convenio MIES → Financiado
    # por el CASMUL desde 2024» (`CambioDeDefinicion`), its capacity too
    assert re.search(
        r"Convenio MIES\W+(?:\w+\W+){0,3}?Financiado por el CASMUL\D{0,20}2024", bloque
    ), bloque
    assert re.search(r"Capacidad\D{0,5}36\D{1,10}45\D{0,20}2024", bloque), bloque


def test_the_comparison_2024_does_not_list_the_figure_first_reported_in_2025(historia, client):
    html = client.get(reverse("rendicion:comparacion", args=[2024])).content.decode()

    # Then neither 2023 nor 2024 shows a row of zeros for a figure nobody reported then
    assert f'data-indicador="{historia.controles.codigo}"' not in html
    assert historia.controles.nombre not in _bloque_del_centro(html, _centro(ESTRELLITAS))


def test_the_comparison_2025_shows_the_new_cdi_and_the_craft_shop_closing(historia, client):
    html = client.get(reverse("rendicion:comparacion", args=[2025])).content.decode()

    nuevo = _bloque_del_centro(html, historia.nuevo)
    almacen = _bloque_del_centro(html, _centro(ALMACEN))

    # Then the new CDI is new in 2025, with its ten months from March
    assert "Nuevo en 2025" in nuevo
    assert "— en 2024 · 10 en 2025" in nuevo
    # and the craft shop stands on its six months of 2025 (12 in 2024), its figures only those
    assert "12 en 2024 · 6 en 2025" in almacen
    assert re.search(r"Clientes atendidos suma de los meses 1\.080 600 ", almacen), almacen
    assert re.search(r"Artesanos en consignación máximo mensual 10 14 ", almacen), almacen


def test_the_comparison_2025_says_the_craft_shop_operated_until_june(historia, client):
    html = client.get(reverse("rendicion:comparacion", args=[2025])).content.decode()

    almacen = _bloque_del_centro(html, _centro(ALMACEN))

    # Then its closing is stated, not left to be read as five months not approved
    assert "junio" in almacen.lower(), almacen


def test_the_comparison_2025_has_no_2024_value_for_the_figure_first_reported_in_2025(historia):
    comparacion = comparacion_anual(anio=2025, hoy=HOY)
    centros = {
        centro.numero: centro for area in comparacion.centros.areas for centro in area.centros
    }

    def controles(numero: int):
        return next(c for c in centros[numero].cifras if c.codigo == historia.controles.codigo)

    # Then 2024 has nothing to compare (the figure was not reported), not a zero
    assert (controles(ESTRELLITAS).anterior, controles(ESTRELLITAS).actual) == (
        None,
        _suma(CONTROLES_2025[ESTRELLITAS]),
    )
    assert (controles(NUEVO).anterior, controles(NUEVO).actual) == (None, 40)
    assert all(c.codigo != historia.controles.codigo for c in centros[1].cifras)
    # and centre 4's users are compared as each year counted them
    assert (centros[ESTRELLITAS].usuarios.anterior, centros[ESTRELLITAS].usuarios.actual) == (
        45,
        45,
    )


# --- The centre's page ---------------------------------------------------------------------


def test_centre_4_page_shows_its_definition_in_force(historia, client):
    html = client.get(reverse("rendicion:centro", args=[_centro(ESTRELLITAS).pk])).content.decode()

    datos = _texto(re.search(r'<dl class="datos-centro">(.*?)</dl>', html, re.S)[1])

    # Then the page shows the centre as defined now (from 2024): financed by the CASMUL, 45
    assert "Modalidad Financiado por el CASMUL" in datos
    assert "Capacidad 45" in datos
