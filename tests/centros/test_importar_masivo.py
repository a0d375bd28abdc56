"""The monthly-figure import of large files: read once, written in bulk (a fixed number of
statements whatever its rows and months), with the same history, versions and warnings as the
month-by-month write path of `centros.services`."""

import datetime
from decimal import Decimal

import pytest
import tablib
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from casmul.roles import Rol
from casmul.services import usuario_con_rol_guardar
from centros.models import CifraMensual, Indicador, ReporteMensual
from centros.resources import COLUMNAS, CifraMensualResource
from centros.services import (
    advertencias_de_meses,
    advertencias_del_mes,
    meses_bloquear,
    meses_importados_guardar,
)
from tests.factories import (
    CentroFactory,
    CifraMensualFactory,
    IndicadorCentroFactory,
    IndicadorFactory,
    InscripcionFactory,
    OperacionAnualFactory,
    ReporteMensualFactory,
    centro_con_indicador_usuarios,
)

ANIO = 2023


def _centro_con_indicadores(numero: int, indicadores: list[Indicador]):
    centro = CentroFactory(numero=numero)
    for orden, indicador in enumerate(indicadores):
        IndicadorCentroFactory(centro=centro, indicador=indicador, orden=orden)
    OperacionAnualFactory(centro=centro, anio=ANIO)
    return centro


def _importar(filas, **kwargs):
    return CifraMensualResource().import_data(
        tablib.Dataset(*filas, headers=COLUMNAS), dry_run=False, **kwargs
    )


def _consultas(filas) -> int:
    with CaptureQueriesContext(connection) as consultas:
        resultado = _importar(filas)
    assert not resultado.has_errors() and not resultado.has_validation_errors()
    return len(consultas.captured_queries)


@pytest.fixture
def indicadores(db):
    return [IndicadorFactory(codigo=f"cifra-{n}") for n in range(20)]


def test_a_file_of_40_rows_costs_the_statements_of_one_of_10_rows_of_the_same_months(indicadores):
    # Given: two centres alike, January written already (every figure 1), February missing.
    centros = [_centro_con_indicadores(numero, indicadores) for numero in (2001, 2002)]
    for centro in centros:
        enero = ReporteMensualFactory(centro=centro, anio=ANIO, mes=1)
        for indicador in indicadores:
            CifraMensualFactory(reporte=enero, indicador=indicador, valor=1)

    # When: 5 figures a month of the first are imported, then 20 a month of the second.
    diez = _consultas(
        [(2001, ANIO, mes, f"cifra-{n}", 5) for mes in (1, 2) for n in range(5)],
    )
    cuarenta = _consultas(
        [(2002, ANIO, mes, f"cifra-{n}", 5) for mes in (1, 2) for n in range(20)],
    )

    # Then: the same statements (updates of January, February created with its figures).
    assert cuarenta == diez
    assert CifraMensual.objects.filter(reporte__centro=centros[1], valor=5).count() == 40


def test_more_months_cost_no_more_statements(indicadores):
    # Given: a centre for a file of two months, and twelve centres for one of 24 months.
    _centro_con_indicadores(2001, indicadores[:2])
    for numero in range(2101, 2113):
        _centro_con_indicadores(numero, indicadores[:2])

    # When: both are imported, two figures a month, the same values every month (no warnings).
    dos = _consultas(
        [(2001, ANIO, mes, codigo, 7) for mes in (1, 2) for codigo in ("cifra-0", "cifra-1")]
    )
    veinticuatro = _consultas(
        [
            (numero, ANIO, mes, codigo, 7)
            for numero in range(2101, 2113)
            for mes in (1, 2)
            for codigo in ("cifra-0", "cifra-1")
        ]
    )

    # Then: months are created, written and closed in bulk, not one by one.
    assert veinticuatro == dos
    assert ReporteMensual.objects.filter(centro__numero__gt=2100, version=1).count() == 24


def test_each_figure_written_gets_one_history_row_and_each_month_one_version_and_one_entry(
    indicadores,
):
    usuario = usuario_con_rol_guardar(
        username="importador", password="clave-de-prueba-1", rol=Rol.ADMINISTRACION
    )
    centro = _centro_con_indicadores(2001, indicadores[:3])
    enero = ReporteMensualFactory(centro=centro, anio=ANIO, mes=1, version=3)
    igual = CifraMensualFactory(reporte=enero, indicador=indicadores[0], valor=1)
    cambiada = CifraMensualFactory(reporte=enero, indicador=indicadores[1], valor=2)
    filas = [
        (2001, ANIO, 1, "cifra-0", 1),  # unchanged
        (2001, ANIO, 1, "cifra-1", 5),  # changed
        (2001, ANIO, 1, "cifra-2", 6),  # new in an existing month
        (2001, ANIO, 2, "cifra-0", 1),  # new month
    ]
    entradas_de_enero = enero.history.count()

    _importar(filas, user=usuario, file_name="marzo.csv")

    # Then: the unchanged figure has no new history row, the others exactly one, with who and
    # why; January takes one new version and one history entry, February is created with one.
    assert igual.history.count() == 1
    assert cambiada.history.count() == 2
    nuevas = CifraMensual.objects.exclude(pk__in=[igual.pk, cambiada.pk])
    assert [cifra.history.count() for cifra in nuevas] == [1, 1]
    for cifra in [cambiada, *nuevas]:
        ultima = cifra.history.latest()
        assert (ultima.history_user, ultima.history_change_reason) == (
            usuario,
            "Importado desde «marzo.csv»",
        )
    enero.refresh_from_db()
    febrero = ReporteMensual.objects.get(centro=enero.centro, anio=ANIO, mes=2)
    assert (enero.version, febrero.version) == (4, 1)
    assert (enero.actualizado_por, febrero.actualizado_por) == (usuario, usuario)
    assert enero.history.count() == entradas_de_enero + 1
    assert febrero.history.count() == 1
    for reporte in (enero, febrero):
        ultima = reporte.history.latest()
        assert (ultima.history_user, ultima.history_change_reason, ultima.version) == (
            usuario,
            "Cifras importadas desde «marzo.csv»",
            reporte.version,
        )
    assert CifraMensual.objects.get(reporte=enero, indicador=indicadores[1]).valor == 5

    # And the same file again changes nothing: no version, no history.
    historia = (CifraMensual.history.count(), ReporteMensual.history.count())
    resultado = _importar(filas, user=usuario, file_name="marzo.csv")
    assert not resultado.has_validation_errors()
    assert (CifraMensual.history.count(), ReporteMensual.history.count()) == historia
    enero.refresh_from_db()
    assert enero.version == 4


def test_the_warnings_of_many_months_are_those_each_month_gets_alone(db):
    # Given: a centre keeping the nominal registry (users as a stock, capacity 40) and another
    # with a steady series then a jump; figures in several months of two years.
    usuarios = IndicadorFactory(codigo="usuarios", agregacion=Indicador.Agregacion.MAXIMO)
    visitas = IndicadorFactory(codigo="visitas")
    nominal = centro_con_indicador_usuarios(usuarios, capacidad=40, lleva_registro_nominal=True)
    IndicadorCentroFactory(centro=nominal, indicador=visitas)
    for _ in range(3):
        InscripcionFactory(centro=nominal, desde=datetime.date(2022, 11, 1))
    InscripcionFactory(
        centro=nominal, desde=datetime.date(2022, 11, 1), hasta=datetime.date(2023, 1, 15)
    )
    otro = centro_con_indicador_usuarios()
    series = {
        nominal: {
            (2022, 11): {"usuarios": 4, "visitas": 10},
            (2022, 12): {"usuarios": 4, "visitas": 10},
            (2023, 1): {"usuarios": 4, "visitas": 11},
            (2023, 2): {"usuarios": 50, "visitas": 40},
            (2023, 3): {"usuarios": 3, "visitas": 12},
        },
        otro: {(2023, mes): {otro.indicador_usuarios.codigo: v} for mes, v in [(1, 10), (2, 30)]},
    }
    reportes = []
    for centro, meses in series.items():
        for (anio, mes), valores in meses.items():
            reporte = ReporteMensualFactory(centro=centro, anio=anio, mes=mes)
            for codigo, valor in valores.items():
                CifraMensualFactory(
                    reporte=reporte, indicador=Indicador.objects.get(codigo=codigo), valor=valor
                )
            reportes.append(reporte)

    # When: the warnings are computed for all of them at once.
    with CaptureQueriesContext(connection) as consultas:
        juntas = advertencias_de_meses(reportes=reportes)

    # Then: the same as month by month, in a fixed number of queries.
    assert juntas == {r.pk: advertencias_del_mes(reporte=r) for r in reportes}
    assert sum(1 for advertencias in juntas.values() if advertencias) >= 3
    # Centres, their definitions of the months' years, their days without service,
    # figures, enrolments.
    assert len(consultas.captured_queries) <= 5


def test_meses_bloquear_reads_the_named_months_and_their_figures_only(indicadores):
    centro = _centro_con_indicadores(2001, indicadores[:1])
    enero, febrero = (ReporteMensualFactory(centro=centro, anio=ANIO, mes=m) for m in (1, 2))
    cifra = CifraMensualFactory(reporte=enero, indicador=indicadores[0])
    CifraMensualFactory(reporte=febrero, indicador=indicadores[0])

    bloqueados = meses_bloquear(claves=[(centro.pk, ANIO, 1), (centro.pk, ANIO, 3)])

    assert bloqueados.reportes == {(centro.pk, ANIO, 1): enero}
    assert bloqueados.cifras == {(enero.pk, indicadores[0].pk): cifra}


def test_a_month_created_by_someone_else_meanwhile_refuses_the_write_in_spanish(indicadores):
    centro = _centro_con_indicadores(2001, indicadores[:1])
    # Read as missing by the import, then created by someone else before the write.
    leido = ReporteMensual(centro=centro, anio=ANIO, mes=1, version=0)
    ReporteMensualFactory(centro=centro, anio=ANIO, mes=1)
    antes = CifraMensual.objects.count()

    with pytest.raises(ValidationError) as rechazo:
        meses_importados_guardar(
            cifras=[CifraMensual(reporte=leido, indicador=indicadores[0], valor=Decimal(3))],
            usuario=None,
            motivo_cifras="Importado",
            motivo_meses="Cifras importadas",
        )

    assert rechazo.value.messages == [
        "Otra persona creó uno de estos meses mientras se importaba el archivo: vuelva a "
        "importarlo."
    ]
    assert CifraMensual.objects.count() == antes
