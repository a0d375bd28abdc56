"""The nominal registry's import as a bulk write (issue 9): checked against what is read once per
file, written in batches with its change history. The rules of each row are those of
`test_importar_beneficiarios`; here, the history, the queries that do not grow with the rows,
and the rules that now look at the rows before (not at the database)."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from casmul.hojas import importable, importacion_ejecutar
from casmul.roles import Rol
from casmul.services import usuario_con_rol_guardar
from centros.models import Beneficiario, Inscripcion
from tests.factories import BeneficiarioFactory, CentroFactory, InscripcionFactory, cedula_valida

ENCABEZADOS = (
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
)
ANA = cedula_valida(101)


@pytest.fixture
def centros(db):
    return {numero: CentroFactory(numero=numero) for numero in (3, 12)}


@pytest.fixture
def usuario(db):
    return usuario_con_rol_guardar(
        username="administracion", password="clave-de-prueba-1", rol=Rol.ADMINISTRACION
    )


def _fila(n: int, *, centro=3, desde="01/02/2024", hasta="", apellidos="Prueba") -> tuple:
    return (
        cedula_valida(n),
        apellidos,
        f"Persona {n}",
        "20/05/2015",
        "F" if n % 2 else "M",
        "No",
        "",
        "Niñas, niños y adolescentes",
        centro,
        desde,
        hasta,
    )


def _archivo(*filas) -> bytes:
    lineas = [";".join(ENCABEZADOS)]
    lineas += [";".join(str(celda) for celda in fila) for fila in filas]
    return "\r\n".join(lineas).encode("utf-8")


def _importar(usuario, *filas, confirmar=True):
    return importacion_ejecutar(
        tipo=importable("beneficiarios"),
        contenido=_archivo(*filas),
        nombre="registro.csv",
        usuario=usuario,
        confirmar=confirmar,
    )


def test_imported_people_and_enrolments_have_their_history_with_the_importing_user(
    centros, usuario
):
    resumen = _importar(usuario, _fila(1), _fila(2), _fila(2, centro=12))

    assert resumen.valido and resumen.nuevas == 3
    assert [
        (h.cedula, h.history_type, h.history_user, h.history_change_reason)
        for h in Beneficiario.history.order_by("cedula")
    ] == [
        (cedula_valida(n), "+", usuario, "Importado desde «registro.csv»") for n in sorted((1, 2))
    ]
    assert sorted(
        (h.id, h.history_type, h.history_user, h.history_change_reason)
        for h in Inscripcion.history.all()
    ) == [
        (pk, "+", usuario, "Importado desde «registro.csv»")
        for pk in sorted(Inscripcion.objects.values_list("pk", flat=True))
    ]


def test_an_update_adds_a_change_to_the_history_and_the_same_file_again_adds_none(centros, usuario):
    _importar(usuario, _fila(1))
    cambiada = _fila(1, apellidos="Quezada", hasta="31/07/2024")

    _importar(usuario, cambiada)
    segunda = _importar(usuario, cambiada)

    assert (segunda.nuevas, segunda.actualizadas, segunda.sin_cambios) == (0, 0, 1)
    persona = Beneficiario.objects.get()
    assert [h.history_type for h in persona.history.order_by("history_date")] == ["+", "~"]
    assert persona.history.latest().apellidos == "Quezada"
    inscripcion = Inscripcion.objects.get()
    assert inscripcion.hasta == datetime.date(2024, 7, 31)
    assert [h.hasta for h in inscripcion.history.order_by("history_date")] == [
        None,
        datetime.date(2024, 7, 31),
    ]


def test_a_refused_file_and_a_preview_write_nothing_nor_history(centros, usuario):
    antes_de_nacer = _fila(2, desde="01/01/2015")

    refusado = _importar(usuario, _fila(1), antes_de_nacer)
    vista_previa = _importar(usuario, _fila(1), confirmar=False)

    assert [(f.numero, f.columna, f.mensaje) for f in refusado.rechazadas] == [
        (3, "desde", "La inscripción no puede ser anterior a la fecha de nacimiento.")
    ]
    assert vista_previa.valido and vista_previa.nuevas == 1
    assert not Beneficiario.objects.exists() and not Beneficiario.history.exists()
    assert not Inscripcion.objects.exists() and not Inscripcion.history.exists()


def test_a_new_enrolment_is_checked_against_the_rows_before_it(centros, usuario):
    """The open-enrolment rule sees the file's own earlier rows, as the row-by-row import did."""
    dos_abiertas = _importar(usuario, _fila(1), _fila(1, desde="01/03/2024"))

    assert [(f.numero, f.mensaje) for f in dos_abiertas.rechazadas] == [
        (
            3,
            f"Esta persona ya está inscrita en {centros[3].nombre_corto} desde el 01/02/2024, "
            "sin fecha de salida: registre su salida o use una fecha posterior.",
        )
    ]
    persona = BeneficiarioFactory(
        cedula=ANA, apellidos="Prueba", fecha_nacimiento=datetime.date(2015, 5, 20)
    )
    InscripcionFactory(beneficiario=persona, centro=centros[3], desde=datetime.date(2024, 1, 2))
    datos = (ANA, "Prueba", persona.nombres, *_fila(0)[3:8])
    salida = (*datos, 3, "02/01/2024", "31/07/2024")
    vuelve = (*datos, 3, "01/08/2024", "")

    resumen = _importar(usuario, salida, vuelve)

    assert resumen.valido, resumen.rechazadas
    assert sorted(Inscripcion.objects.values_list("desde", "hasta")) == [
        (datetime.date(2024, 1, 2), datetime.date(2024, 7, 31)),
        (datetime.date(2024, 8, 1), None),
    ]


def _consultas(usuario, filas: int, *, confirmar: bool) -> int:
    archivo = [_fila(n, centro=3 if n % 2 else 12) for n in range(filas)]
    with CaptureQueriesContext(connection) as consultas:
        resumen = _importar(usuario, *archivo, confirmar=confirmar)
    assert resumen.valido and resumen.nuevas == filas
    return len(consultas)


def test_the_queries_of_an_import_do_not_grow_with_its_rows(centros, usuario):
    # Given files of 50 and of 500 new people, each with an enrolment
    # When each is previewed and imported on an empty registry
    vista_50 = _consultas(usuario, 50, confirmar=False)
    vista_500 = _consultas(usuario, 500, confirmar=False)
    pocas = _consultas(usuario, 50, confirmar=True)
    Inscripcion.history.all().delete()
    Inscripcion.objects.all().delete()
    Beneficiario.history.all().delete()
    Beneficiario.objects.all().delete()
    muchas = _consultas(usuario, 500, confirmar=True)

    # Then the preview reads the same, and the import writes a few more batches, not a query
    # per row (SQLite cuts each batch in statements of at most 999 parameters: a handful more).
    assert vista_500 == vista_50
    assert pocas <= muchas <= pocas + 20, (pocas, muchas)
