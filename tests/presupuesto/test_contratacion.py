"""Procurement processes in the portal: a process's date falls inside its year (model, form
and database), the list's filters and totals, its export, create and edit."""

import csv
import datetime
import io
from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from openpyxl import load_workbook

from presupuesto.models import ProcesoContratacion, TipoContratacion
from presupuesto.services import proceso_contratacion_guardar
from tests.factories import (
    CodigoTipo,
    ProcesoContratacionFactory,
    PublicacionFactory,
)

from .conftest import consultas

pytestmark = pytest.mark.django_db

Tipo = CodigoTipo
LISTA = "/presupuesto/contratacion/"
NUEVO = "/presupuesto/contratacion/nuevo/"


def _datos(**cambios) -> dict:
    datos = {
        "anio": "2023",
        "tipo": Tipo.LICITACION,
        "codigo": "LICO-CASMUL-2023-001",
        "objeto": "Adquisición de víveres",
        "fecha": "20/03/2023",
        "monto": "1.234,56",
        "estado": "en_curso",
    }
    return {**datos, **cambios}


# --- A process's date falls inside its year ------------------------------------------------


def test_the_database_refuses_a_process_dated_outside_its_year():
    with pytest.raises(IntegrityError), transaction.atomic():
        ProcesoContratacionFactory(anio=2023, fecha=datetime.date(2024, 3, 20))


def test_the_database_accepts_a_process_dated_in_its_year_or_undated():
    assert ProcesoContratacionFactory(anio=2023, fecha=datetime.date(2023, 12, 31)).pk
    assert ProcesoContratacionFactory(anio=2023, fecha=datetime.date(2023, 1, 1)).pk
    assert ProcesoContratacionFactory(anio=2023, fecha=None).pk


def test_an_update_that_moves_the_date_out_of_the_year_is_refused_by_the_database():
    proceso = ProcesoContratacionFactory(anio=2023, fecha=datetime.date(2023, 6, 1))
    with pytest.raises(IntegrityError), transaction.atomic():
        ProcesoContratacion.objects.filter(pk=proceso.pk).update(anio=2022)


def test_full_clean_names_the_date_and_both_years():
    proceso = ProcesoContratacionFactory.build(anio=2023, fecha=datetime.date(2024, 3, 20))

    with pytest.raises(ValidationError) as error:
        proceso.full_clean()

    assert list(error.value.message_dict) == ["fecha"]
    [mensaje] = error.value.message_dict["fecha"]
    assert "debe caer dentro de su año" in mensaje
    assert "20/03/2024 es de 2024, no de 2023" in mensaje


def test_the_2023_records_satisfy_the_constraint(datos_2023):
    procesos = ProcesoContratacion.objects.filter(anio=2023)

    assert procesos.count() == 190
    assert not procesos.exclude(fecha__isnull=True).exclude(fecha__year=F("anio")).exists()


def test_the_form_refuses_a_date_outside_the_year_keeps_what_was_typed_and_writes_nothing(
    administracion,
):
    respuesta = administracion.post(NUEVO, _datos(fecha="20/03/2024"))

    assert respuesta.status_code == 400
    assert not ProcesoContratacion.objects.exists()
    form = respuesta.context["form"]
    assert "fecha" in form.errors
    assert "20/03/2024 es de 2024, no de 2023" in form.errors["fecha"][0]
    html = respuesta.content.decode()
    assert 'value="20/03/2024"' in html
    assert 'value="1.234,56"' in html
    assert 'value="LICO-CASMUL-2023-001"' in html
    assert "No se guardó nada" in html


# --- Create and edit -----------------------------------------------------------------------


def test_the_administration_creates_a_process_with_money_typed_the_ecuadorian_way(
    administracion,
):
    respuesta = administracion.post(NUEVO, _datos())

    assert respuesta.status_code == 302
    assert respuesta["Location"] == f"{LISTA}?anio=2023"
    proceso = ProcesoContratacion.objects.get()
    assert (proceso.anio, proceso.tipo_id, proceso.monto, proceso.fecha) == (
        2023,
        Tipo.LICITACION,
        D("1234.56"),
        datetime.date(2023, 3, 20),
    )


def test_the_edit_form_shows_the_amount_the_ecuadorian_way_and_saves_a_change(administracion):
    proceso = ProcesoContratacionFactory(monto=D("12345.60"))
    url = f"{LISTA}{proceso.pk}/"

    assert 'value="12.345,60"' in administracion.get(url).content.decode()
    respuesta = administracion.post(
        url, _datos(codigo=proceso.codigo, monto="$ 2.000,05", fecha="01/02/2023")
    )

    assert respuesta.status_code == 302
    proceso.refresh_from_db()
    assert (proceso.monto, proceso.fecha) == (D("2000.05"), datetime.date(2023, 2, 1))


def test_ambiguous_money_is_refused_with_the_readers_message(administracion):
    respuesta = administracion.post(NUEVO, _datos(monto="1.250"))

    assert respuesta.status_code == 400
    assert not ProcesoContratacion.objects.exists()
    [mensaje] = respuesta.context["form"].errors["monto"]
    assert "«1.250» es ambiguo" in mensaje
    assert 'value="1.250"' in respuesta.content.decode()


def test_a_process_of_a_published_year_is_not_created_or_changed(administracion):
    proceso = ProcesoContratacionFactory(anio=2023, monto=D("10.00"))
    PublicacionFactory(anio=2023)

    creado = administracion.post(NUEVO, _datos())
    editado = administracion.post(
        f"{LISTA}{proceso.pk}/", _datos(codigo=proceso.codigo, monto="99,00")
    )

    assert creado.status_code == editado.status_code == 400
    assert "2023 está publicado" in creado.content.decode()
    assert "2023 está publicado" in editado.content.decode()
    assert ProcesoContratacion.objects.count() == 1
    proceso.refresh_from_db()
    assert proceso.monto == D("10.00")


def test_the_service_validates_inside_its_transaction():
    proceso = ProcesoContratacionFactory.build(anio=2023, fecha=datetime.date(2022, 12, 31))

    with pytest.raises(ValidationError):
        proceso_contratacion_guardar(proceso=proceso)
    assert not ProcesoContratacion.objects.exists()


# --- The list: filters, totals, export -----------------------------------------------------


@pytest.fixture
def procesos():
    """Processes of 2023 of three types and amounts, and one of 2022."""
    filas = [
        ("SIE-001", Tipo.SUBASTA_INVERSA, "Alimentos para centros", "12000.00", (2, 10)),
        ("IC-001", Tipo.INFIMA_CUANTIA, "Material didáctico", "100.25", (3, 5)),
        ("IC-002", Tipo.INFIMA_CUANTIA, "Útiles de aseo", "2500.50", (5, 20)),
        ("IC-003", Tipo.INFIMA_CUANTIA, '=HYPERLINK("http://x")', "0.25", (9, 1)),
        ("RE-001", Tipo.REGIMEN_ESPECIAL, "Alimentos para la clínica", "3000.00", (11, 30)),
    ]
    for codigo, tipo, objeto, monto, (mes, dia) in filas:
        ProcesoContratacionFactory(
            anio=2023,
            codigo=codigo,
            tipo=tipo,
            objeto=objeto,
            monto=D(monto),
            fecha=datetime.date(2023, mes, dia),
        )
    ProcesoContratacionFactory(anio=2022, codigo="IC-2022", monto=D("999.00"))


MARZO, OCTUBRE = datetime.date(2023, 3, 1), datetime.date(2023, 10, 31)
FILTROS = [
    ("anio=2023", lambda p: p.anio == 2023),
    ("anio=todos", lambda p: True),
    (
        "anio=2023&tipo=infima_cuantia",
        lambda p: p.anio == 2023 and p.tipo_id == Tipo.INFIMA_CUANTIA,
    ),
    ("anio=2023&texto=alimentos", lambda p: p.anio == 2023 and "alimentos" in p.objeto.lower()),
    ("anio=2023&texto=ic-00", lambda p: p.anio == 2023 and "IC-00" in p.codigo),
    (
        "anio=2023&monto_desde=100,25&monto_hasta=3.000,00",
        lambda p: p.anio == 2023 and D("100.25") <= p.monto <= D("3000"),
    ),
    (
        "anio=2023&monto_desde=1.000,00",
        lambda p: p.anio == 2023 and p.monto >= D("1000"),
    ),
    (
        "anio=2023&fecha_desde=01/03/2023&fecha_hasta=31/10/2023",
        lambda p: (
            p.anio == 2023 and datetime.date(2023, 3, 1) <= p.fecha <= datetime.date(2023, 10, 31)
        ),
    ),
]


@pytest.mark.usefixtures("procesos")
@pytest.mark.parametrize(("consulta", "cumple"), FILTROS, ids=[f[0] for f in FILTROS])
def test_filters_narrow_the_list_and_the_totals_are_those_of_the_filtered_rows(
    coordinacion, consulta, cumple
):
    esperados = [p for p in ProcesoContratacion.objects.all() if cumple(p)]

    respuesta = coordinacion.get(f"{LISTA}?{consulta}")

    assert respuesta.status_code == 200
    assert {p.codigo for p in respuesta.context["pagina"]} == {p.codigo for p in esperados}
    totales = respuesta.context["totales"]
    assert totales.procesos == len(esperados)
    assert totales.monto == sum((p.monto for p in esperados), D("0.00"))
    por_tipo = {fila.tipo: (fila.procesos, fila.monto) for fila in totales.por_tipo}
    assert por_tipo == {
        tipo: (
            sum(1 for p in esperados if p.tipo_id == tipo),
            sum((p.monto for p in esperados if p.tipo_id == tipo), D("0.00")),
        )
        for tipo in {p.tipo_id for p in esperados}
    }
    assert sum(fila.procesos for fila in totales.por_tipo) == totales.procesos


@pytest.mark.usefixtures("procesos")
def test_without_a_year_the_list_shows_the_current_year(coordinacion):
    hoy = timezone.localdate()
    ProcesoContratacionFactory(anio=hoy.year, codigo="ESTE-ANIO")

    respuesta = coordinacion.get(LISTA)

    assert [p.codigo for p in respuesta.context["pagina"]] == ["ESTE-ANIO"]
    assert respuesta.context["anio"] == hoy.year


@pytest.mark.usefixtures("procesos")
def test_a_mistyped_amount_filter_keeps_the_text_says_why_and_adds_up_nothing(coordinacion):
    respuesta = coordinacion.get(f"{LISTA}?anio=2023&monto_desde=1.250")

    html = respuesta.content.decode()
    assert respuesta.status_code == 200
    assert "«1.250» es ambiguo" in html
    assert 'value="1.250"' in html
    assert respuesta.context["totales"].procesos == 0


@pytest.mark.usefixtures("procesos")
def test_the_xlsx_export_holds_every_filtered_row_numbers_as_numbers_and_no_formula(
    coordinacion,
):
    respuesta = coordinacion.get(f"{LISTA}?anio=2023&tipo=infima_cuantia&formato=xlsx")

    assert respuesta.status_code == 200
    assert (
        respuesta["Content-Disposition"] == 'attachment; filename="contratacion-publica-2023.xlsx"'
    )
    hoja = load_workbook(io.BytesIO(respuesta.content)).active
    filas = list(hoja.iter_rows(min_row=2))
    assert sorted(fila[1].value for fila in filas) == ["IC-001", "IC-002", "IC-003"]
    assert all(celda.data_type != "f" for fila in hoja.iter_rows() for celda in fila)
    assert all(isinstance(fila[5].value, int | float) for fila in filas)
    assert all(isinstance(fila[0].value, int) for fila in filas)
    assert sum(D(str(fila[5].value)) for fila in filas) == D("2601.00")
    formula = next(fila[3] for fila in filas if fila[3].value == '=HYPERLINK("http://x")')
    assert (formula.data_type, formula.quotePrefix) == ("s", True)


@pytest.mark.usefixtures("procesos")
def test_the_csv_export_holds_every_filtered_row_with_decimal_commas(coordinacion):
    respuesta = coordinacion.get(f"{LISTA}?anio=2023&texto=alimentos&formato=csv")

    lineas = list(csv.reader(io.StringIO(respuesta.content.decode("utf-8-sig")), delimiter=";"))
    assert lineas[0] == [
        "Año",
        "Código",
        "Tipo",
        "Objeto",
        "Fecha",
        "Monto",
        "Estado",
        "Fecha de adjudicación",
        "Fecha de finalización",
        "Monto al finalizar",
        "Régimen legal",
    ]
    losncp = TipoContratacion.objects.get(codigo=Tipo.REGIMEN_ESPECIAL).regimen
    assert sorted(lineas[1:]) == [
        [
            "2023",
            "RE-001",
            "Régimen especial",
            "Alimentos para la clínica",
            "2023-11-30",
            "3000,00",
            "Finalizado",
            "2023-11-30",
            "2023-11-30",
            "",
            losncp,
        ],
        [
            "2023",
            "SIE-001",
            "Subasta inversa electrónica",
            "Alimentos para centros",
            "2023-02-10",
            "12000,00",
            "Finalizado",
            "2023-02-10",
            "2023-02-10",
            "",
            losncp,
        ],
    ]


def test_an_unknown_export_format_is_not_found(coordinacion):
    assert coordinacion.get(f"{LISTA}?formato=pdf").status_code == 404


def test_the_list_is_paginated_and_the_pages_keep_the_filters(coordinacion):
    for _ in range(60):
        ProcesoContratacionFactory(anio=2023)

    primera = coordinacion.get(f"{LISTA}?anio=2023")
    segunda = coordinacion.get(f"{LISTA}?anio=2023&pagina=2")

    assert len(primera.context["pagina"]) == 50
    assert len(segunda.context["pagina"]) == 10
    assert primera.context["totales"].procesos == 60
    assert "?anio=2023&amp;pagina=2" in primera.content.decode()


def test_the_list_costs_the_same_queries_with_ten_times_the_data(
    coordinacion, django_assert_max_num_queries
):
    tipos = list(TipoContratacion.objects.values_list("codigo", flat=True))

    def construir(cantidad):
        for i in range(cantidad):
            ProcesoContratacionFactory(anio=2023, tipo=tipos[i % len(tipos)])

    construir(5)
    url = f"{LISTA}?anio=2023&texto=CASMUL"
    pocas = consultas(coordinacion, url)
    construir(45)
    # 7, the navigation's count of pending work and the procurement types of the filter
    with django_assert_max_num_queries(9):
        muchas = consultas(coordinacion, url)
    assert muchas == pocas
