"""Importing agreements from a spreadsheet as Excel in Spanish saves it: found by number and
start (or by title and start when S/N), counterparts and centres set after the agreement, an
unknown one refused, a published year refused, all rows or none, and the same file twice
changes nothing."""

import datetime
import io
from decimal import Decimal

import openpyxl
import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from casmul.roles import Rol
from casmul.services import usuario_con_rol_guardar
from convenios.models import Convenio
from tests.factories import (
    CentroFactory,
    ConvenioFactory,
    InstitucionFactory,
    PublicacionFactory,
    admin_importar,
    admin_subir,
    csv_de_excel,
    filas_rechazadas,
)

MODELO = "convenios_convenio"
TITULO = "Convenios vigentes 2024 – CASMUL"
# In the order a clerk keeps them; the import reads the columns by name, in any order.
ENCABEZADOS = [
    "Número",
    "Título",
    "Tipo",
    "Programa MIES",
    "Contrapartes",
    "Fecha de suscripción",
    "Desde",
    "Hasta",
    "Indefinido",
    "Duración en meses",
    "Objeto",
    "Centros",
    "Monto",
]
MIES_DI = (
    "MIES-DI-2024-001",
    "Convenio técnico-económico de Desarrollo Infantil",
    "Técnico-económico MIES",
    "DI",
    "mies",
    "10/01/2024",
    "01/02/2024",
    "31/12/2024",
    "No",
    "11",
    "Atención a niñas y niños de 12 a 36 meses",
    "3, 12",
    "125.000,50",
)
PRACTICAS = (
    "S/N",
    "Convenio de prácticas preprofesionales",
    "practica_academica",
    "",
    "UNL | Ministerio de Inclusión Económica y Social",
    "",
    "01/03/2024",
    "",
    "Sí",
    "",
    "Prácticas de estudiantes de Psicología",
    "",
    "",
)


@pytest.fixture
def cliente(db):
    InstitucionFactory(nombre="Ministerio de Inclusión Económica y Social", siglas="MIES")
    InstitucionFactory(nombre="Universidad Nacional de Loja", siglas="UNL")
    CentroFactory(numero=3)
    CentroFactory(numero=12)
    cliente = Client()
    cliente.force_login(
        usuario_con_rol_guardar(
            username="administracion", password="clave-de-prueba-1", rol=Rol.ADMINISTRACION
        )
    )
    return cliente


def _archivo(*filas, encabezados=ENCABEZADOS) -> bytes:
    return csv_de_excel(TITULO, encabezados, *filas)


def _convenios():
    return {
        c.numero_mostrado: (
            c.titulo,
            c.tipo,
            c.programa_mies,
            sorted(i.siglas for i in c.instituciones.all()),
            c.fecha_suscripcion,
            c.fecha_inicio,
            c.fecha_fin,
            c.indefinido,
            c.duracion_declarada_meses,
            sorted(centro.numero for centro in c.centros.all()),
            c.monto,
        )
        for c in Convenio.objects.prefetch_related("instituciones", "centros")
    }


def test_a_windows_1252_csv_with_a_title_row_creates_the_agreements(cliente):
    respuesta = admin_importar(cliente, MODELO, "convenios.csv", _archivo(MIES_DI, PRACTICAS))

    assert _convenios() == {
        "MIES-DI-2024-001": (
            "Convenio técnico-económico de Desarrollo Infantil",
            Convenio.Tipo.MIES,
            "DI",
            ["MIES"],
            datetime.date(2024, 1, 10),
            datetime.date(2024, 2, 1),
            datetime.date(2024, 12, 31),
            False,
            11,
            [3, 12],
            Decimal("125000.50"),
        ),
        "S/N": (
            "Convenio de prácticas preprofesionales",
            Convenio.Tipo.PRACTICA_ACADEMICA,
            "",
            ["MIES", "UNL"],
            None,
            datetime.date(2024, 3, 1),
            None,
            True,
            None,
            [],
            None,
        ),
    }
    assert [str(m) for m in respuesta.wsgi_request._messages] == [
        "Importación terminada: 2 filas nuevas, 0 actualizadas y 0 sin cambios."
    ]


def test_the_same_file_twice_changes_nothing_the_second_time(cliente):
    contenido = _archivo(MIES_DI, PRACTICAS)
    admin_importar(cliente, MODELO, "convenios.csv", contenido)
    antes = (list(Convenio.objects.order_by("pk").values()), _convenios())

    vista_previa = admin_subir(cliente, MODELO, "convenios.csv", contenido)
    admin_importar(cliente, MODELO, "convenios.csv", contenido)

    totales = vista_previa.context["result"].totals
    assert (totales["new"], totales["update"], totales["skip"]) == (0, 0, 2)
    assert (list(Convenio.objects.order_by("pk").values()), _convenios()) == antes


def test_a_change_of_centres_alone_updates_the_agreement(cliente):
    admin_importar(cliente, MODELO, "convenios.csv", _archivo(MIES_DI, PRACTICAS))
    solo_el_3 = (*MIES_DI[:11], "3", MIES_DI[12])

    vista_previa = admin_subir(cliente, MODELO, "convenios.csv", _archivo(solo_el_3, PRACTICAS))
    admin_importar(cliente, MODELO, "convenios.csv", _archivo(solo_el_3, PRACTICAS))

    totales = vista_previa.context["result"].totals
    assert (totales["new"], totales["update"], totales["skip"]) == (0, 1, 1)
    assert _convenios()["MIES-DI-2024-001"][9] == [3]


def test_an_agreement_without_number_is_found_by_title_and_start(cliente):
    ConvenioFactory(
        numero="",
        titulo="Convenio de prácticas preprofesionales",
        fecha_inicio=datetime.date(2024, 3, 1),
        fecha_fin=None,
        objeto="Texto anterior",
    )

    admin_importar(cliente, MODELO, "convenios.csv", _archivo(PRACTICAS))

    convenio = Convenio.objects.get()
    assert (convenio.objeto, convenio.indefinido) == (
        "Prácticas de estudiantes de Psicología",
        True,
    )


def test_without_the_optional_columns_a_stored_agreement_keeps_them(cliente):
    convenio = ConvenioFactory(
        numero="MIES-DI-2024-001",
        tipo=Convenio.Tipo.MIES,
        programa_mies="DI",
        fecha_inicio=datetime.date(2024, 2, 1),
        fecha_fin=datetime.date(2024, 12, 31),
        monto=Decimal("1000.00"),
    )
    encabezados = [c for c in ENCABEZADOS if c not in {"Programa MIES", "Hasta", "Monto"}]
    fila = [v for c, v in zip(ENCABEZADOS, MIES_DI, strict=True) if c in encabezados]

    admin_importar(cliente, MODELO, "convenios.csv", _archivo(fila, encabezados=encabezados))

    convenio.refresh_from_db()
    assert (convenio.programa_mies, convenio.fecha_fin, convenio.monto) == (
        "DI",
        datetime.date(2024, 12, 31),
        Decimal("1000.00"),
    )
    assert convenio.duracion_declarada_meses == 11


@pytest.mark.parametrize(
    ("columna", "valor", "error"),
    [
        (
            "contrapartes",
            "MIES | Gobierno Provincial",
            "No existe la institución «Gobierno Provincial»: regístrela en Instituciones o "
            "escriba el nombre o las siglas de una registrada (MIES, UNL), separadas por «|».",
        ),
        ("centros", "3, 99", "No existe el centro número 99."),
        (
            "monto",
            "1.250",
            "«1.250» es ambiguo: escriba 1250 o 1.250,00 si el punto separa los miles, o 1,25 "
            "si separa los decimales.",
        ),
        (
            "indefinido",
            "Tal vez",
            "«Tal vez» no es una opción: escriba una de «Sí», «No».",
        ),
    ],
    ids=["institucion", "centro", "monto-ambiguo", "indefinido"],
)
def test_a_bad_cell_refuses_the_whole_file_naming_its_spreadsheet_row(
    cliente, columna, valor, error
):
    indice = [c.lower() for c in ENCABEZADOS].index(columna)
    mala = (*MIES_DI[:indice], valor, *MIES_DI[indice + 1 :])

    # Row 1 the title, 2 the header, 3 a good agreement, 4 the bad one.
    respuesta = admin_subir(cliente, MODELO, "convenios.csv", _archivo(PRACTICAS, mala))

    assert "confirm_form" not in respuesta.context
    assert filas_rechazadas(respuesta) == {4: {columna: [error]}}
    assert Convenio.objects.count() == 0


def test_an_agreement_of_a_published_year_refuses_the_whole_file(cliente):
    PublicacionFactory(anio=2023)
    del_2023 = (
        "CONV-2023-007",
        "Convenio de 2023",
        "Cooperación interinstitucional",
        "",
        "UNL",
        "",
        "01/06/2023",
        "31/05/2024",
        "No",
        "",
        "Cooperación",
        "",
        "",
    )

    respuesta = admin_subir(cliente, MODELO, "convenios.csv", _archivo(MIES_DI, del_2023))

    rechazadas = filas_rechazadas(respuesta)
    assert list(rechazadas) == [4]
    assert "El informe de 2023 está publicado" in rechazadas[4]["__all__"][0]
    assert Convenio.objects.count() == 0


def test_the_command_imports_agreements(cliente, tmp_path):
    ruta = tmp_path / "convenios.csv"
    ruta.write_bytes(_archivo(MIES_DI, PRACTICAS))
    salida = io.StringIO()

    call_command("importar", "convenios", str(ruta), "--confirmar", stdout=salida)

    assert "Importado: 2 nuevas, 0 actualizadas, 0 sin cambios, 0 rechazadas." in salida.getvalue()
    assert Convenio.objects.count() == 2


def test_the_command_refuses_an_unknown_institution_and_writes_nothing(cliente, tmp_path):
    ruta = tmp_path / "convenios.csv"
    mala = (*MIES_DI[:4], "CONAGOPARE", *MIES_DI[5:])
    ruta.write_bytes(_archivo(PRACTICAS, mala))
    errores = io.StringIO()

    with pytest.raises(CommandError):
        call_command("importar", "convenios", str(ruta), "--confirmar", stderr=errores)

    assert errores.getvalue().startswith(
        "Fila 4 rechazada: contrapartes: No existe la institución «CONAGOPARE»"
    )
    assert Convenio.objects.count() == 0


def test_the_template_has_the_headers_and_an_example_row_that_imports(cliente, tmp_path):
    respuesta = cliente.get(reverse("importar_plantilla", args=["convenios"]))

    filas = list(openpyxl.load_workbook(io.BytesIO(respuesta.content)).active.values)
    encabezados = filas[0]
    assert encabezados[:9] == (
        "Número",
        "Título",
        "Tipo",
        "Contrapartes",
        "Fecha de suscripción",
        "Desde",
        "Indefinido",
        "Objeto",
        "Centros",
    )
    assert len(filas) == 2
    assert filas[1][3] == "MIES | UNL"
    ruta = tmp_path / "plantilla.xlsx"
    ruta.write_bytes(respuesta.content)
    call_command("importar", "convenios", str(ruta), "--confirmar", stdout=io.StringIO())
    assert Convenio.objects.get().titulo.startswith("Convenio de cooperación de ejemplo")
