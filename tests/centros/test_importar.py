"""Importing monthly figures from a spreadsheet: the monthly form's rules for every row, drafts
created for missing months, and all or nothing (one refused row, nothing written)."""

from decimal import Decimal

import pytest
import tablib
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from import_export.results import RowResult

from casmul.roles import Rol
from casmul.services import usuario_con_rol_guardar
from centros.models import CifraMensual, Indicador, ReporteMensual
from centros.resources import CifraMensualResource
from tests.factories import (
    CentroFactory,
    CifraMensualFactory,
    IndicadorCentroFactory,
    IndicadorFactory,
    OperacionAnualFactory,
    ReporteMensualFactory,
)

E = ReporteMensual.Estado
COLUMNAS = ["centro", "anio", "mes", "indicador", "valor"]


class Datos:
    pass


@pytest.fixture
def datos(db):
    d = Datos()
    d.usuarios = IndicadorFactory(
        codigo="usuarios", nombre="Usuarios atendidos", unidad=Indicador.Unidad.PERSONAS
    )
    d.ingresos = IndicadorFactory(
        codigo="ingresos", nombre="Ingresos", unidad=Indicador.Unidad.DOLARES
    )
    d.visitas = IndicadorFactory(codigo="visitas", nombre="Visitas domiciliarias")
    d.centro = CentroFactory(numero=1001, nombre_corto="Piscina")
    for orden, indicador in enumerate([d.usuarios, d.ingresos]):
        IndicadorCentroFactory(centro=d.centro, indicador=indicador, orden=orden)
    d.otro = CentroFactory(numero=1002)
    IndicadorCentroFactory(centro=d.otro, indicador=d.visitas)
    for centro in (d.centro, d.otro):
        OperacionAnualFactory(centro=centro, anio=2023)
    d.aprobado = ReporteMensualFactory(centro=d.centro, anio=2023, mes=6, estado=E.APROBADO)
    CifraMensualFactory(reporte=d.aprobado, indicador=d.usuarios, valor=500)
    return d


def _archivo(*filas, columnas=COLUMNAS):
    return tablib.Dataset(*filas, headers=columnas)


VALIDAS = [
    (1001, 2023, 1, "usuarios", 2500),
    (1001, 2023, 1, "ingresos", "8.456,25"),
    (1001, 2023, 2, "usuarios", "2600"),
    (1002, 2023, 1, "visitas", 12),
]


def _foto():
    return (
        list(ReporteMensual.objects.order_by("pk").values_list("pk", "estado", "version")),
        list(CifraMensual.objects.order_by("pk").values_list("pk", "valor")),
        ReporteMensual.history.count(),
        CifraMensual.history.count(),
    )


def _importar(dataset, **kwargs):
    return CifraMensualResource().import_data(dataset, dry_run=False, **kwargs)


def _errores(resultado):
    """{row number: {column: [messages]}} of the refused rows."""
    return {fila.number: fila.error_dict for fila in resultado.invalid_rows}


# --- A valid file ------------------------------------------------------------------------------


def test_a_valid_file_creates_the_missing_months_as_drafts_with_their_figures(datos):
    reportes_antes = ReporteMensual.objects.count()

    resultado = _importar(_archivo(*VALIDAS), file_name="cifras-enero.csv")

    assert not resultado.has_errors() and not resultado.has_validation_errors()
    assert resultado.totals[RowResult.IMPORT_TYPE_NEW] == 4
    assert ReporteMensual.objects.count() == reportes_antes + 3
    enero = ReporteMensual.objects.get(centro=datos.centro, anio=2023, mes=1)
    assert (enero.estado, enero.version) == (E.BORRADOR, 1)
    assert dict(enero.cifras.values_list("indicador__codigo", "valor")) == {
        "usuarios": Decimal("2500"),
        "ingresos": Decimal("8456.25"),
    }
    assert CifraMensual.objects.get(reporte__centro=datos.otro, reporte__mes=1).valor == 12
    cifra = enero.cifras.get(indicador=datos.usuarios)
    assert cifra.history.latest().history_change_reason == "Importado desde «cifras-enero.csv»"


def test_an_existing_figure_of_a_draft_month_is_updated_and_the_month_takes_a_new_version(datos):
    borrador = ReporteMensualFactory(centro=datos.centro, anio=2023, mes=1, version=4)
    cifra = CifraMensualFactory(reporte=borrador, indicador=datos.usuarios, valor=10)

    resultado = _importar(_archivo((1001, 2023, 1, "usuarios", 2500)))

    assert resultado.totals[RowResult.IMPORT_TYPE_UPDATE] == 1
    cifra.refresh_from_db()
    borrador.refresh_from_db()
    assert cifra.valor == 2500
    # A monthly form opened before the import cannot overwrite what was imported.
    assert borrador.version == 5
    assert borrador.estado == E.BORRADOR


def test_the_import_records_who_imported_and_the_months_warnings(datos):
    usuario = usuario_con_rol_guardar(
        username="importador", password="clave-de-prueba-1", rol=Rol.ADMINISTRACION
    )
    for mes, valor in [(1, 100), (2, 100), (3, 100)]:
        reporte = ReporteMensualFactory(centro=datos.centro, anio=2023, mes=mes)
        CifraMensualFactory(reporte=reporte, indicador=datos.usuarios, valor=valor)

    _importar(_archivo((1001, 2023, 4, "usuarios", 900)), user=usuario)

    abril = ReporteMensual.objects.get(centro=datos.centro, anio=2023, mes=4)
    assert abril.actualizado_por == usuario
    assert abril.history.latest().history_user == usuario
    assert abril.cifras.get().history.latest().history_user == usuario
    assert len(abril.advertencias) == 1
    assert "muy lejos del promedio" in abril.advertencias[0]


def test_a_dry_run_writes_nothing(datos):
    antes = _foto()

    resultado = CifraMensualResource().import_data(_archivo(*VALIDAS), dry_run=True)

    assert not resultado.has_validation_errors()
    assert _foto() == antes


def test_an_export_imported_back_changes_nothing(datos):
    _importar(_archivo(*VALIDAS[:3]))
    exportado = CifraMensualResource().export(
        CifraMensual.objects.filter(reporte__estado=E.BORRADOR)
    )
    versiones = dict(ReporteMensual.objects.values_list("pk", "version"))
    historia = CifraMensual.history.count()

    resultado = _importar(tablib.Dataset().load(exportado.csv, format="csv"))

    assert exportado.headers == COLUMNAS
    assert not resultado.has_validation_errors()
    assert resultado.totals[RowResult.IMPORT_TYPE_UPDATE] == 0
    assert resultado.totals[RowResult.IMPORT_TYPE_SKIP] == 3
    assert dict(ReporteMensual.objects.values_list("pk", "version")) == versiones
    assert CifraMensual.history.count() == historia


def test_a_file_that_changes_one_figure_writes_only_that_one(datos):
    _importar(_archivo(*VALIDAS[:3]))
    cambiada = (*VALIDAS[0][:-1], VALIDAS[0][-1] + 1)

    resultado = _importar(_archivo(cambiada, *VALIDAS[1:3]))

    assert resultado.totals[RowResult.IMPORT_TYPE_UPDATE] == 1
    assert resultado.totals[RowResult.IMPORT_TYPE_SKIP] == 2


# --- One refused row: nothing written ----------------------------------------------------------


def _futuro():
    hoy = timezone.localdate()
    return (hoy.year, hoy.month + 1) if hoy.month < 12 else (hoy.year + 1, 1)


FILAS_RECHAZADAS = [
    ((9999, 2023, 1, "usuarios", 5), "centro", "No existe el centro número 9999."),
    (("", 2023, 1, "usuarios", 5), "centro", "Escriba el número del centro."),
    ((1001, 2023, 3, "inventado", 5), "indicador", "No existe el indicador «inventado»."),
    (
        (1001, 2023, 3, "visitas", 5),
        "indicador",
        "El centro 1001 no reporta «Visitas domiciliarias».",
    ),
    ((1001, 2023, 3, "usuarios", -3), "valor", "La cifra no puede ser negativa."),
    ((1001, 2023, 3, "usuarios", "12,5"), "valor", "Escriba un número entero (sin decimales)."),
    ((1001, 2023, 3, "usuarios", 7.25), "valor", "Escriba un número entero (sin decimales)."),
    (
        (1001, 2023, 3, "ingresos", "10,555"),
        "valor",
        "Escriba el valor con dos decimales como máximo.",
    ),
    (
        (1001, 2023, 3, "ingresos", "10.555"),
        "valor",
        "«10.555» es ambiguo: escriba 10555 o 10.555,00 si el punto separa los miles, o 10,555 "
        "si separa los decimales.",
    ),
    (
        (1001, 2023, 3, "usuarios", "doce"),
        "valor",
        "Escriba solo un número, por ejemplo 1.234.",
    ),
    ((1001, 2023, 13, "usuarios", 5), "mes", "Escriba el mes como un número del 1 al 12."),
    ((1001, 23, 1, "usuarios", 5), "anio", "Escriba el año con cuatro cifras (2000 o posterior)."),
    (
        (1001, *_futuro(), "usuarios", 5),
        "mes",
        "No se pueden registrar cifras de un mes que todavía no ha llegado.",
    ),
    (
        (1001, 2023, 6, "usuarios", 501),
        "mes",
        "Este mes está aprobado y no se puede modificar. Pida a la Coordinación de "
        "planificación que lo reabra.",
    ),
]


@pytest.mark.parametrize(
    ("fila", "columna", "mensaje"),
    FILAS_RECHAZADAS,
    ids=[
        "centro-desconocido",
        "centro-vacio",
        "indicador-desconocido",
        "indicador-no-reportado",
        "negativo",
        "decimal-en-conteo",
        "decimal-en-conteo-excel",
        "tres-decimales-en-dinero",
        "punto-ambiguo",
        "valor-no-numerico",
        "mes-13",
        "anio-corto",
        "mes-futuro",
        "mes-aprobado",
    ],
)
def test_one_refused_row_rejects_the_whole_file(datos, fila, columna, mensaje):
    antes = _foto()

    # The refused row comes last: the valid rows before it were already saved, then undone.
    resultado = _importar(_archivo(*VALIDAS, fila))

    assert resultado.has_validation_errors()
    assert _errores(resultado) == {len(VALIDAS) + 1: {columna: [mensaje]}}
    assert _foto() == antes


def test_a_row_for_an_approved_month_rejects_the_file_even_with_the_drafts_it_would_create(datos):
    reportes, cifras = ReporteMensual.objects.count(), CifraMensual.objects.count()

    resultado = _importar(
        _archivo(
            (1001, 2023, 5, "usuarios", 480),  # would create May as a draft
            (1001, 2023, 6, "usuarios", 999),  # June is approved
            (1001, 2023, 7, "usuarios", 470),  # would create July
        )
    )

    assert list(_errores(resultado)) == [2]
    assert (ReporteMensual.objects.count(), CifraMensual.objects.count()) == (reportes, cifras)
    assert datos.aprobado.cifras.get().valor == 500


def test_a_figure_twice_in_the_file_is_refused(datos):
    antes = _foto()

    resultado = _importar(
        _archivo((1001, 2023, 1, "usuarios", 10), (1001, "2023", "1", "usuarios", 11))
    )

    assert _errores(resultado) == {
        2: {"__all__": ["Esta cifra ya está en la fila 1 del archivo: deje una sola."]}
    }
    assert _foto() == antes


def test_every_refused_row_is_reported_not_only_the_first(datos):
    resultado = _importar(
        _archivo(
            (9999, 2023, 1, "usuarios", 5),
            *VALIDAS,
            (1001, 2023, 6, "usuarios", -1),
        )
    )

    errores = _errores(resultado)
    assert list(errores) == [1, len(VALIDAS) + 2]
    assert errores[len(VALIDAS) + 2] == {
        "valor": ["La cifra no puede ser negativa."],
        "mes": [
            "Este mes está aprobado y no se puede modificar. Pida a la Coordinación de "
            "planificación que lo reabra."
        ],
    }


def test_a_file_without_the_expected_columns_writes_nothing(datos):
    antes = _foto()

    resultado = _importar(_archivo((1001, 2023, 1, 5), columnas=["centro", "anio", "mes", "valor"]))

    assert resultado.has_errors()
    assert resultado.base_errors[0].error.messages == [
        "Falta la columna «Indicador»; la fila de encabezados tiene: «centro», «anio», «mes», "
        "«valor»."
    ]
    assert _foto() == antes


def test_the_caller_cannot_turn_off_all_or_nothing(datos):
    antes = _foto()

    resultado = _importar(
        _archivo(*VALIDAS, (9999, 2023, 1, "usuarios", 5)),
        use_transactions=False,
        rollback_on_validation_errors=False,
    )

    assert resultado.has_validation_errors()
    assert _foto() == antes


# --- Through the admin -------------------------------------------------------------------------

URL_IMPORTAR = reverse("admin:centros_ciframensual_import")
URL_CONFIRMAR = reverse("admin:centros_ciframensual_process_import")


def _cliente(rol):
    usuario = usuario_con_rol_guardar(
        username=f"u-{rol.name.lower()}", password="clave-de-prueba-1", rol=rol
    )
    cliente = Client()
    cliente.force_login(usuario)
    return cliente


def _csv(*filas):
    return SimpleUploadedFile(
        "cifras.csv", _archivo(*filas).export("csv").encode(), content_type="text/csv"
    )


def _subir(cliente, *filas):
    # Format 0 is CSV (the admin offers CSV and XLSX).
    return cliente.post(URL_IMPORTAR, {"format": "0", "import_file": _csv(*filas)})


def test_the_administration_imports_a_file_through_the_admin(datos):
    cliente = _cliente(Rol.ADMINISTRACION)

    vista_previa = _subir(cliente, *VALIDAS)
    confirmacion = vista_previa.context["confirm_form"]
    assert CifraMensual.objects.filter(reporte__mes=1).count() == 0  # the preview writes nothing
    respuesta = cliente.post(URL_CONFIRMAR, confirmacion.initial, follow=True)

    assert respuesta.redirect_chain[-1][0] == reverse("admin:centros_ciframensual_changelist")
    assert "Importación terminada: 4 cifras nuevas y 0 actualizadas." in respuesta.content.decode()
    assert CifraMensual.objects.filter(reporte__anio=2023, reporte__mes__in=[1, 2]).count() == 4
    enero = ReporteMensual.objects.get(centro=datos.centro, anio=2023, mes=1)
    assert enero.estado == E.BORRADOR


def test_the_admin_preview_shows_the_refused_rows_and_offers_no_confirmation(datos):
    antes = _foto()

    respuesta = _subir(_cliente(Rol.ADMINISTRACION), *VALIDAS, (1001, 2023, 6, "usuarios", 9))

    assert respuesta.status_code == 200
    assert "confirm_form" not in respuesta.context
    assert "Este mes está aprobado" in respuesta.content.decode()
    assert _foto() == antes


def test_a_month_approved_between_preview_and_confirmation_rejects_the_whole_file(datos):
    cliente = _cliente(Rol.ADMINISTRACION)
    enviado = ReporteMensualFactory(centro=datos.centro, anio=2023, mes=2, estado=E.ENVIADO)
    vista_previa = _subir(cliente, *VALIDAS)
    ReporteMensual.objects.filter(pk=enviado.pk).update(estado=E.APROBADO)
    antes = _foto()

    respuesta = cliente.post(URL_CONFIRMAR, vista_previa.context["confirm_form"].initial)

    assert respuesta.status_code == 302
    assert respuesta["Location"] == URL_IMPORTAR
    assert _foto() == antes


@pytest.mark.parametrize("rol", [Rol.COORDINACION, Rol.PERSONAL_CENTRO])
def test_only_the_administration_imports(datos, rol):
    antes = _foto()
    cliente = _cliente(rol)

    pagina = cliente.get(URL_IMPORTAR)
    subida = _subir(cliente, *VALIDAS)

    # The admin site is the administration's only: the others are sent to its login.
    assert (pagina.status_code, subida.status_code) == (302, 302)
    assert pagina["Location"].startswith(reverse("admin:login"))
    assert _foto() == antes


def test_the_import_page_lists_the_expected_columns(datos):
    html = _cliente(Rol.ADMINISTRACION).get(URL_IMPORTAR).content.decode()

    assert "centro, anio, mes, indicador, valor" in html


def test_cells_are_read_as_typed_in_a_spreadsheet(datos):
    """Text cells with spaces, and counts with the Ecuadorian thousands separator."""
    resultado = _importar(
        _archivo(
            (1001, "2023", " 3 ", " usuarios ", " 12.500 "),
            (1001, "2023.0", 3.0, "ingresos", "$ 1.250,50"),
        )
    )

    assert not resultado.has_validation_errors()
    marzo = ReporteMensual.objects.get(centro=datos.centro, anio=2023, mes=3)
    assert dict(marzo.cifras.values_list("indicador__codigo", "valor")) == {
        "usuarios": Decimal("12500"),
        "ingresos": Decimal("1250.50"),
    }


# --- Queries -----------------------------------------------------------------------------------


def _consultas_de_importar(meses: int, django_assert_max_num_queries) -> int:
    filas = [
        (1001, 2023, mes, codigo, valor)
        for mes in range(1, meses + 1)
        if mes != 6  # June is approved
        for codigo, valor in (("usuarios", 2500), ("ingresos", "8.456,25"))
    ]
    with django_assert_max_num_queries(10_000) as consultas:
        resultado = _importar(_archivo(*filas))
    assert not resultado.has_validation_errors()
    return len(consultas.captured_queries)


def test_the_import_reads_the_file_s_references_once_and_each_month_once(
    datos, django_assert_max_num_queries
):
    # Given: files of 4 and of 12 months (June excluded), two figures a month.
    cuatro = _consultas_de_importar(4, django_assert_max_num_queries)
    CifraMensual.objects.filter(reporte__anio=2023).exclude(reporte__mes=6).delete()
    ReporteMensual.objects.filter(anio=2023).exclude(mes=6).delete()

    # When: the larger file is imported.
    doce = _consultas_de_importar(12, django_assert_max_num_queries)

    # Then: the references are read once, the months locked and their figures read at once, and
    # the file written in bulk: a fixed handful of statements, whatever its months and rows.
    # (A month with warnings may add its share of one `bulk_update`: at most one statement; and
    # each year of the file is asked once whether its report is published.)
    # 26, the days without service the warnings read, and the year's data marked changed.
    assert cuatro <= 28
    assert doce - cuatro <= 1


def test_an_approved_month_s_figure_given_unchanged_is_unchanged_not_refused(datos):
    # What an export of the approved months re-imports as: June's 500 users, as stored.
    antes = _foto()

    resultado = _importar(_archivo((1001, 2023, 6, "usuarios", 500)))

    assert not resultado.has_validation_errors()
    assert resultado.totals["skip"] == 1
    assert _foto() == antes


def test_an_approved_month_s_figure_changed_is_still_refused(datos):
    resultado = _importar(_archivo((1001, 2023, 6, "usuarios", 501)))

    assert list(_errores(resultado)[1]) == ["mes"]
