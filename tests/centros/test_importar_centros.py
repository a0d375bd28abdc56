"""Importing centres through the admin from a spreadsheet as Excel in Spanish saves it: created
and updated by number, all rows or none, the same file twice changes nothing; and the templates
of the centres and of the monthly figures."""

import io

import openpyxl
import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from casmul.meses import Mes
from casmul.roles import Rol
from casmul.services import usuario_con_rol_guardar
from centros.models import Centro, LineaServicio, Modalidad
from tests.factories import (
    AreaFactory,
    CentroFactory,
    IndicadorCentroFactory,
    IndicadorFactory,
    OperacionAnualFactory,
    ParroquiaFactory,
    UserFactory,
    admin_importar,
    admin_subir,
    csv_de_excel,
    filas_rechazadas,
)

MODELO = "centros_centro"
ENCABEZADOS = [
    "Número",
    "Nombre",
    "Nombre corto",
    "Código del área",
    "Modalidad",
    "Línea de servicio",
    "Parroquia",
    "Dirección",
    "Capacidad",
]
TITULO = "Centros del CASMUL – Dirección de Acción Social"


@pytest.fixture
def cliente(db):
    AreaFactory(codigo="infancia", nombre="Infancia")
    ParroquiaFactory(nombre="El Sagrario")
    cliente = Client()
    cliente.force_login(
        usuario_con_rol_guardar(
            username="administracion", password="clave-de-prueba-1", rol=Rol.ADMINISTRACION
        )
    )
    return cliente


def _filas():
    return [
        (
            31,
            "Centro de Desarrollo Infantil Ñañitos",
            "CDI Ñañitos",
            "INFANCIA",
            "Convenio MIES",
            "Desarrollo infantil",
            "el sagrario",
            "Av. Orillas del Zamora",
            "1.200",
        ),
        (
            32,
            "Casa del Adulto Mayor",
            "Adulto mayor",
            "infancia",
            "directa",
            "Adulto mayor",
            "El Sagrario",
            "",
            "",
        ),
    ]


def _centros():
    return {
        c.numero: (c.nombre_corto, c.area.codigo, c.modalidad, c.linea_servicio, c.capacidad)
        for c in Centro.objects.select_related("area")
    }


def test_a_windows_1252_csv_with_a_title_row_creates_the_centres(cliente):
    respuesta = admin_importar(
        cliente, MODELO, "centros.csv", csv_de_excel(TITULO, ENCABEZADOS, *_filas())
    )

    assert _centros() == {
        31: (
            "CDI Ñañitos",
            "infancia",
            Modalidad.CONVENIO_MIES,
            LineaServicio.DESARROLLO_INFANTIL,
            1200,
        ),
        32: ("Adulto mayor", "infancia", Modalidad.DIRECTA, LineaServicio.ADULTO_MAYOR, None),
    }
    assert Centro.objects.get(numero=31).direccion == "Av. Orillas del Zamora"
    mensajes = [str(m) for m in respuesta.wsgi_request._messages]
    assert mensajes == ["Importación terminada: 2 filas nuevas, 0 actualizadas y 0 sin cambios."]


def test_a_row_with_a_known_number_updates_that_centre(cliente):
    centro = CentroFactory(numero=31, nombre="Nombre anterior", capacidad=10)

    admin_importar(cliente, MODELO, "centros.csv", csv_de_excel(TITULO, ENCABEZADOS, _filas()[0]))

    centro.refresh_from_db()
    assert (centro.nombre, centro.capacidad) == ("Centro de Desarrollo Infantil Ñañitos", 1200)
    assert Centro.objects.count() == 1


def test_without_the_optional_columns_the_address_and_capacity_are_kept(cliente):
    centro = CentroFactory(numero=31, direccion="Calle Sucre", capacidad=25)
    fila = _filas()[0][:7]

    admin_importar(cliente, MODELO, "centros.csv", csv_de_excel(TITULO, ENCABEZADOS[:7], fila))

    centro.refresh_from_db()
    assert (centro.nombre_corto, centro.direccion, centro.capacidad) == (
        "CDI Ñañitos",
        "Calle Sucre",
        25,
    )


def test_the_same_file_twice_changes_nothing_the_second_time(cliente):
    contenido = csv_de_excel(TITULO, ENCABEZADOS, *_filas())
    admin_importar(cliente, MODELO, "centros.csv", contenido)
    antes = list(Centro.objects.order_by("pk").values())

    vista_previa = admin_subir(cliente, MODELO, "centros.csv", contenido)
    respuesta = admin_importar(cliente, MODELO, "centros.csv", contenido)

    totales = vista_previa.context["result"].totals
    assert (totales["new"], totales["update"], totales["skip"]) == (0, 0, 2)
    assert list(Centro.objects.order_by("pk").values()) == antes
    assert [str(m) for m in respuesta.wsgi_request._messages] == [
        "Importación terminada: 0 filas nuevas, 0 actualizadas y 2 sin cambios."
    ]


def test_a_bad_row_refuses_the_whole_file_naming_its_spreadsheet_row(cliente):
    mala = (
        33,
        "Centro nuevo",
        "Nuevo",
        "no-existe",
        "Convenio MIES",
        "Salud",
        "El Sagrario",
        "",
        "12,5",
    )
    # Row 1 the title, 2 the header, 3-4 good centres, 5 the bad one.
    respuesta = admin_subir(
        cliente, MODELO, "centros.csv", csv_de_excel(TITULO, ENCABEZADOS, *_filas(), mala)
    )

    assert "confirm_form" not in respuesta.context
    assert filas_rechazadas(respuesta) == {
        5: {
            "codigo_del_area": [
                "No existe el área «no-existe»: escriba uno de los códigos infancia."
            ],
            "capacidad": ["Escriba un número entero (sin decimales)."],
        }
    }
    assert Centro.objects.count() == 0


def test_a_number_twice_names_the_first_row(cliente):
    fila = _filas()[0]
    respuesta = admin_subir(
        cliente, MODELO, "centros.csv", csv_de_excel(TITULO, ENCABEZADOS, fila, fila)
    )

    assert filas_rechazadas(respuesta) == {
        4: {"__all__": ["Esta fila repite la fila 3 del archivo: deje una sola."]}
    }


# --- Templates ---------------------------------------------------------------------------------


def _libro(respuesta) -> list[tuple]:
    assert respuesta.status_code == 200
    assert respuesta["Content-Disposition"].endswith('.xlsx"')
    hoja = openpyxl.load_workbook(io.BytesIO(respuesta.content)).active
    return list(hoja.iter_rows(values_only=True))


def test_the_centres_template_has_the_headers_and_an_example_row(cliente):
    filas = _libro(cliente.get(reverse("importar_plantilla", args=["centros"])))

    assert filas[0] == (*ENCABEZADOS, "Desde el año")
    assert len(filas) == 2
    assert filas[1][3] == "infancia"


def test_the_figures_template_has_a_row_per_centre_and_figure_it_reports(cliente):
    mes = Mes.de_fecha(timezone.localdate()).anterior
    usuarios = IndicadorFactory(codigo="usuarios")
    comidas = IndicadorFactory(codigo="comidas")
    uno, dos, cerrado = CentroFactory(numero=501), CentroFactory(numero=502), CentroFactory()
    IndicadorCentroFactory(centro=uno, indicador=usuarios, orden=0)
    IndicadorCentroFactory(centro=uno, indicador=comidas, orden=1)
    IndicadorCentroFactory(centro=dos, indicador=usuarios)
    IndicadorCentroFactory(centro=cerrado, indicador=usuarios)  # does not operate that year
    for centro in (uno, dos):
        OperacionAnualFactory(centro=centro, anio=mes.anio)

    filas = _libro(cliente.get(reverse("importar_plantilla", args=["cifras"])))

    assert filas == [
        ("Centro", "Año", "Mes", "Indicador", "Valor"),
        (501, mes.anio, mes.numero, "usuarios", None),
        (501, mes.anio, mes.numero, "comidas", None),
        (502, mes.anio, mes.numero, "usuarios", None),
    ]


@pytest.mark.parametrize(
    ("roles", "tipo", "esperado"),
    [
        ([Rol.PERSONAL_CENTRO], "cifras", 200),
        ([Rol.PERSONAL_CENTRO], "centros", 403),
        ([Rol.COORDINACION], "cifras", 403),
        ([Rol.ADMINISTRACION], "no-existe", 404),
    ],
)
def test_templates_are_for_the_administration_and_the_staff_of_figures(db, roles, tipo, esperado):
    cliente = Client()
    cliente.force_login(UserFactory(roles=roles))

    respuesta = cliente.get(reverse("importar_plantilla", args=[tipo]))

    assert respuesta.status_code == esperado


def test_a_template_asks_an_anonymous_visitor_to_log_in(db):
    respuesta = Client().get(reverse("importar_plantilla", args=["cifras"]))

    assert respuesta.status_code == 302
    assert respuesta["Location"].startswith(reverse("login"))
