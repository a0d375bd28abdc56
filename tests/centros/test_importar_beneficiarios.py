"""Importing the nominal registry from a spreadsheet, one row per enrolment: a person found by
cédula (never duplicated), an enrolment by person, centre and start; the registry's rules; the
staff of a centre only for their centres; a cédula never shown whole; all rows or none, and the
same file twice changes nothing."""

import datetime
import io
import logging

import openpyxl
import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from casmul.roles import Rol
from casmul.services import usuario_con_rol_guardar
from centros.models import Beneficiario, Inscripcion
from centros.resources_beneficiarios import cedula_leer
from centros.validators import validar_cedula
from tests.factories import (
    BeneficiarioFactory,
    CentroFactory,
    InscripcionFactory,
    admin_importar,
    admin_subir,
    cedula_valida,
    csv_de_excel,
    filas_rechazadas,
)

MODELO = "centros_beneficiario"
TITULO = "Registro nominal – CDI Ñañitos y Casa del Adulto Mayor"
ENCABEZADOS = [
    "Cédula",
    "Apellidos",
    "Nombres",
    "Fecha de nacimiento",
    "Sexo",
    "Discapacidad",
    "Porcentaje de discapacidad",
    "Grupo prioritario",
    "Centro",
    "Desde",
    "Hasta",
]
ANA, LUIS = cedula_valida(101), cedula_valida(202)
ANA_EN_EL_3 = (
    ANA,
    "Quezada Jaramillo",
    "Ana Lucía",
    "20/05/2021",
    "F",
    "No",
    "",
    "Niñas, niños y adolescentes",
    3,
    "01/02/2024",
    "",
)
ANA_EN_EL_12 = (*ANA_EN_EL_3[:8], 12, "02/09/2024", "")
LUIS_EN_EL_12 = (
    LUIS,
    "Ordóñez",
    "Luis",
    "03/11/1950",
    "Masculino",
    "Sí",
    "45",
    "adulto_mayor",
    12,
    "15/01/2024",
    "30/06/2024",
)


@pytest.fixture
def centros(db):
    return {numero: CentroFactory(numero=numero) for numero in (3, 12)}


@pytest.fixture
def cliente(centros):
    cliente = Client()
    cliente.force_login(
        usuario_con_rol_guardar(
            username="administracion", password="clave-de-prueba-1", rol=Rol.ADMINISTRACION
        )
    )
    return cliente


def _archivo(*filas) -> bytes:
    return csv_de_excel(TITULO, ENCABEZADOS, *filas)


def _registro():
    return {
        b.cedula: (
            b.apellidos,
            b.nombres,
            b.fecha_nacimiento,
            b.sexo,
            b.tiene_discapacidad,
            b.porcentaje_discapacidad,
            b.grupo_prioritario,
            sorted((i.centro.numero, i.desde, i.hasta) for i in b.inscripciones.all()),
        )
        for b in Beneficiario.objects.prefetch_related("inscripciones__centro")
    }


def _comando(ruta, *opciones, stderr=None) -> str:
    salida = io.StringIO()
    call_command("importar", "beneficiarios", str(ruta), *opciones, stdout=salida, stderr=stderr)
    return salida.getvalue()


def test_a_windows_1252_csv_with_a_title_row_registers_people_and_enrolments(cliente):
    respuesta = admin_importar(
        cliente, MODELO, "registro.csv", _archivo(ANA_EN_EL_3, ANA_EN_EL_12, LUIS_EN_EL_12)
    )

    assert _registro() == {
        ANA: (
            "Quezada Jaramillo",
            "Ana Lucía",
            datetime.date(2021, 5, 20),
            "F",
            False,
            None,
            "ninez",
            [(3, datetime.date(2024, 2, 1), None), (12, datetime.date(2024, 9, 2), None)],
        ),
        LUIS: (
            "Ordóñez",
            "Luis",
            datetime.date(1950, 11, 3),
            "M",
            True,
            45,
            "adulto_mayor",
            [(12, datetime.date(2024, 1, 15), datetime.date(2024, 6, 30))],
        ),
    }
    assert [str(m) for m in respuesta.wsgi_request._messages] == [
        "Importación terminada: 3 filas nuevas, 0 actualizadas y 0 sin cambios."
    ]


def test_the_same_file_twice_changes_nothing_the_second_time(cliente):
    contenido = _archivo(ANA_EN_EL_3, ANA_EN_EL_12, LUIS_EN_EL_12)
    admin_importar(cliente, MODELO, "registro.csv", contenido)
    antes = (
        list(Beneficiario.objects.order_by("pk").values()),
        list(Inscripcion.objects.order_by("pk").values()),
    )

    vista_previa = admin_subir(cliente, MODELO, "registro.csv", contenido)
    admin_importar(cliente, MODELO, "registro.csv", contenido)

    totales = vista_previa.context["result"].totals
    assert (totales["new"], totales["update"], totales["skip"]) == (0, 0, 3)
    assert (
        list(Beneficiario.objects.order_by("pk").values()),
        list(Inscripcion.objects.order_by("pk").values()),
    ) == antes


def test_a_registered_person_is_found_by_cedula_and_updated_not_duplicated(cliente, centros):
    persona = BeneficiarioFactory(cedula=ANA, apellidos="Quezada", nombres="Ana")
    InscripcionFactory(beneficiario=persona, centro=centros[3], desde=datetime.date(2024, 2, 1))
    salida = (*ANA_EN_EL_3[:10], "31/07/2024")

    vista_previa = admin_subir(cliente, MODELO, "registro.csv", _archivo(salida, ANA_EN_EL_12))
    admin_importar(cliente, MODELO, "registro.csv", _archivo(salida, ANA_EN_EL_12))

    totales = vista_previa.context["result"].totals
    assert (totales["new"], totales["update"], totales["skip"]) == (1, 1, 0)
    # The preview shows the person by name, never by cédula.
    assert "Quezada Jaramillo Ana Lucía" in vista_previa.content.decode()
    assert ANA not in vista_previa.content.decode()
    assert Beneficiario.objects.count() == 1
    assert _registro()[ANA][:2] == ("Quezada Jaramillo", "Ana Lucía")
    assert _registro()[ANA][7] == [
        (3, datetime.date(2024, 2, 1), datetime.date(2024, 7, 31)),
        (12, datetime.date(2024, 9, 2), None),
    ]


def test_an_empty_exit_date_leaves_a_recorded_exit_as_it_is(cliente, centros):
    persona = BeneficiarioFactory(
        cedula=ANA,
        apellidos="Quezada Jaramillo",
        nombres="Ana Lucía",
        fecha_nacimiento=datetime.date(2021, 5, 20),
    )
    InscripcionFactory(
        beneficiario=persona,
        centro=centros[3],
        desde=datetime.date(2024, 2, 1),
        hasta=datetime.date(2024, 7, 31),
    )

    vista_previa = admin_subir(cliente, MODELO, "registro.csv", _archivo(ANA_EN_EL_3))

    assert vista_previa.context["result"].totals["skip"] == 1
    assert Inscripcion.objects.get().hasta == datetime.date(2024, 7, 31)


def test_an_invalid_cedula_refuses_the_file_and_is_shown_masked(cliente, caplog):
    mala = "1100000008"  # the check digit is 7
    fila = (mala, *LUIS_EN_EL_12[1:])
    caplog.set_level(logging.DEBUG)

    respuesta = admin_subir(cliente, MODELO, "registro.csv", _archivo(ANA_EN_EL_3, fila))

    assert filas_rechazadas(respuesta) == {
        4: {
            "cedula": [
                "La cédula ******0008 no es válida. El dígito verificador de la cédula no es "
                "válido."
            ]
        }
    }
    assert mala not in respuesta.content.decode()
    assert mala not in caplog.text
    assert Beneficiario.objects.count() == 0


def test_the_digits_a_province_error_would_show_are_masked_too(cliente):
    fila = ("9912345678", *LUIS_EN_EL_12[1:])

    respuesta = admin_subir(cliente, MODELO, "registro.csv", _archivo(fila))

    assert filas_rechazadas(respuesta)[3]["cedula"] == [
        "La cédula ******5678 no es válida. Los dos primeros dígitos (**) no corresponden a "
        "una provincia."
    ]


def test_an_unknown_centre_refuses_the_whole_file(cliente):
    fila = (*LUIS_EN_EL_12[:8], 99, *LUIS_EN_EL_12[9:])

    respuesta = admin_subir(cliente, MODELO, "registro.csv", _archivo(ANA_EN_EL_3, fila))

    assert filas_rechazadas(respuesta) == {4: {"centro": ["No existe el centro número 99."]}}
    assert Beneficiario.objects.count() == Inscripcion.objects.count() == 0


def test_the_registry_rules_apply_an_open_enrolment_is_not_opened_twice(cliente, centros):
    persona = BeneficiarioFactory(
        cedula=ANA,
        apellidos="Quezada Jaramillo",
        nombres="Ana Lucía",
        fecha_nacimiento=datetime.date(2021, 5, 20),
    )
    InscripcionFactory(beneficiario=persona, centro=centros[3], desde=datetime.date(2024, 1, 2))

    respuesta = admin_subir(cliente, MODELO, "registro.csv", _archivo(LUIS_EN_EL_12, ANA_EN_EL_3))

    assert filas_rechazadas(respuesta) == {
        4: {
            "__all__": [
                f"Esta persona ya está inscrita en {centros[3].nombre_corto} desde el "
                "02/01/2024, sin fecha de salida: registre su salida o use una fecha posterior."
            ]
        }
    }
    assert Beneficiario.objects.count() == 1


def test_a_person_on_two_rows_with_different_data_is_refused(cliente):
    otra = (ANA, "Quezada", *ANA_EN_EL_12[2:])

    respuesta = admin_subir(cliente, MODELO, "registro.csv", _archivo(ANA_EN_EL_3, otra))

    assert filas_rechazadas(respuesta) == {
        4: {
            "__all__": [
                "La persona de esta cédula está en la fila 3 con otros datos: escríbalos igual "
                "en las dos filas."
            ]
        }
    }


def test_centre_staff_import_for_their_centres(centros, tmp_path):
    usuario_con_rol_guardar(
        username="cdi3",
        password="clave-de-prueba-1",
        rol=Rol.PERSONAL_CENTRO,
        centro_ids=[centros[3].pk],
    )
    ruta = tmp_path / "registro.csv"
    ruta.write_bytes(_archivo(ANA_EN_EL_3))

    salida = _comando(ruta, "--usuario", "cdi3", "--confirmar")

    assert "Importado: 1 nuevas" in salida
    assert "Fila 3: nueva — Quezada Jaramillo Ana Lucía en" in salida
    assert ANA not in salida
    assert Inscripcion.objects.get().centro == centros[3]


def test_a_row_of_another_centre_refuses_the_staffs_whole_file(centros, tmp_path):
    usuario_con_rol_guardar(
        username="cdi3",
        password="clave-de-prueba-1",
        rol=Rol.PERSONAL_CENTRO,
        centro_ids=[centros[3].pk],
    )
    ruta = tmp_path / "registro.csv"
    ruta.write_bytes(_archivo(ANA_EN_EL_3, LUIS_EN_EL_12))

    errores = io.StringIO()

    with pytest.raises(CommandError) as error:
        _comando(ruta, "--usuario", "cdi3", "--confirmar", stderr=errores)

    assert error.value.returncode == 1
    assert errores.getvalue() == (
        "Fila 4 rechazada: centro: El centro 12 no es uno de sus centros.\n"
    )
    assert Beneficiario.objects.count() == Inscripcion.objects.count() == 0


def test_staff_cannot_change_a_person_another_centre_registered(cliente, centros, tmp_path):
    """They may enrol her in their centre with her data as registered, not rewrite it."""
    admin_importar(cliente, MODELO, "registro.csv", _archivo(ANA_EN_EL_12))
    usuario_con_rol_guardar(
        username="cdi3",
        password="clave-de-prueba-1",
        rol=Rol.PERSONAL_CENTRO,
        centro_ids=[centros[3].pk],
    )
    otra_fecha = (*ANA_EN_EL_3[:3], "21/05/2021", *ANA_EN_EL_3[4:])
    ruta = tmp_path / "registro.csv"
    ruta.write_bytes(_archivo(otra_fecha))
    antes = _registro()

    with pytest.raises(CommandError):
        _comando(ruta, "--usuario", "cdi3", "--confirmar", stderr=io.StringIO())

    assert _registro() == antes
    ruta.write_bytes(_archivo(ANA_EN_EL_3))
    _comando(ruta, "--usuario", "cdi3", "--confirmar")
    assert sorted(i.centro.numero for i in Inscripcion.objects.all()) == [3, 12]


def test_a_cedula_an_xlsx_keeps_as_a_number_gets_its_leading_zero_back():
    cedula = cedula_valida(0)
    assert cedula.startswith("0")

    assert cedula_leer(int(cedula)) == cedula_leer(float(cedula)) == cedula


def test_the_template_has_an_example_row_with_a_valid_cedula(cliente):
    respuesta = cliente.get(reverse("importar_plantilla", args=["beneficiarios"]))

    filas = list(openpyxl.load_workbook(io.BytesIO(respuesta.content)).active.values)
    assert filas[0] == (
        "Cédula",
        "Apellidos",
        "Nombres",
        "Fecha de nacimiento",
        "Sexo",
        "Discapacidad",
        "Centro",
        "Desde",
        "Porcentaje de discapacidad",
        "Grupo prioritario",
        "Hasta",
    )
    assert len(filas) == 2
    validar_cedula(filas[1][0])
    assert filas[1][6] == 3


def test_centre_staff_may_download_the_template(centros):
    cliente = Client()
    cliente.force_login(
        usuario_con_rol_guardar(
            username="cdi3", password="clave-de-prueba-1", rol=Rol.PERSONAL_CENTRO
        )
    )

    assert cliente.get(reverse("importar_plantilla", args=["beneficiarios"])).status_code == 200
