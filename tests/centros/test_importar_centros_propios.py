"""Centre staff import only their centres' months: a row of another centre refuses the whole
file, naming its row; the administration (and the command without a user) import any centre.
The user's centres are read once per file, not per row."""

import io

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from casmul.hojas import importable, importacion_ejecutar
from casmul.roles import Rol
from casmul.services import usuario_con_rol_guardar
from centros.models import CifraMensual, LineaServicio, ReporteMensual
from salud.models import AtencionClinica
from tests.factories import (
    CentroFactory,
    IndicadorCentroFactory,
    IndicadorFactory,
    OperacionAnualFactory,
    csv_de_excel,
)

ENCABEZADOS = ["Centro", "Año", "Mes", "Indicador", "Valor"]
PROPIAS = [
    (1001, 2023, 1, "usuarios", 30),
    (1001, 2023, 2, "usuarios", 31),
]
AJENA = (1002, 2023, 1, "usuarios", 12)


class Datos:
    pass


@pytest.fixture
def datos(db):
    d = Datos()
    usuarios = IndicadorFactory(codigo="usuarios", nombre="Usuarios atendidos")
    d.propio = CentroFactory(numero=1001)
    d.ajeno = CentroFactory(numero=1002)
    for centro in (d.propio, d.ajeno):
        IndicadorCentroFactory(centro=centro, indicador=usuarios)
        OperacionAnualFactory(centro=centro, anio=2023)
    d.personal = usuario_con_rol_guardar(
        username="personal",
        password="clave-de-prueba-1",
        rol=Rol.PERSONAL_CENTRO,
        centro_ids=[d.propio.pk],
    )
    d.administracion = usuario_con_rol_guardar(
        username="administracion", password="clave-de-prueba-1", rol=Rol.ADMINISTRACION
    )
    return d


def _importar(usuario, *filas, tipo="cifras", encabezados=ENCABEZADOS):
    return importacion_ejecutar(
        tipo=importable(tipo),
        contenido=csv_de_excel("Cifras 2023", encabezados, *filas),
        nombre="cifras.csv",
        usuario=usuario,
        confirmar=True,
    )


def _cifras():
    return sorted(
        CifraMensual.objects.values_list("reporte__centro__numero", "reporte__mes", "valor")
    )


def test_a_row_of_another_centre_refuses_the_whole_file_naming_its_row(datos):
    resumen = _importar(datos.personal, *PROPIAS, AJENA)

    assert not resumen.valido
    assert [(f.numero, f.columna, f.mensaje) for f in resumen.rechazadas] == [
        (5, "centro", "El centro 1002 no es uno de sus centros.")
    ]
    assert _cifras() == []
    assert ReporteMensual.objects.count() == 0


def test_a_centre_that_does_not_exist_is_named_as_such(datos):
    resumen = _importar(datos.personal, (1999, 2023, 1, "usuarios", 1))

    assert [f.mensaje for f in resumen.rechazadas] == ["No existe el centro número 1999."]


def test_staff_import_their_own_centre(datos):
    resumen = _importar(datos.personal, *PROPIAS)

    assert resumen.valido and resumen.nuevas == 2
    assert [(c, m) for c, m, _ in _cifras()] == [(1001, 1), (1001, 2)]


def test_the_administration_imports_any_centre(datos):
    resumen = _importar(datos.administracion, *PROPIAS, AJENA)

    assert resumen.valido
    assert {c for c, _, _ in _cifras()} == {1001, 1002}


def test_the_command_refuses_a_staff_user_s_other_centre_and_imports_any_without_user(
    datos, tmp_path
):
    ruta = tmp_path / "cifras.csv"
    ruta.write_bytes(csv_de_excel("Cifras 2023", ENCABEZADOS, *PROPIAS, AJENA))
    errores = io.StringIO()

    with pytest.raises(CommandError):
        call_command(
            "importar",
            "cifras",
            str(ruta),
            "--usuario",
            "personal",
            "--confirmar",
            stdout=io.StringIO(),
            stderr=errores,
        )
    assert "Fila 5 rechazada: centro: El centro 1002 no es uno de sus centros." in (
        errores.getvalue()
    )
    assert _cifras() == []

    call_command("importar", "cifras", str(ruta), "--confirmar", stdout=io.StringIO())
    assert len(_cifras()) == 3


def test_the_user_s_centres_are_read_once_per_file(datos):
    filas = [(1001, 2023, mes, "usuarios", 10) for mes in range(1, 13)]

    with CaptureQueriesContext(connection) as consultas:
        resumen = _importar(datos.personal, *filas)

    assert resumen.valido
    asignaciones = [q for q in consultas.captured_queries if "personal_asignado" in q["sql"]]
    assert len(asignaciones) == 1


# --- The clinic ---------------------------------------------------------------------------------

ENCABEZADOS_CLINICA = ["Centro", "Año", "Mes", "Servicio", "Pacientes"]


@pytest.fixture
def clinicas(db):
    propia = CentroFactory(numero=700, linea_servicio=LineaServicio.SALUD)
    otra = CentroFactory(numero=701, linea_servicio=LineaServicio.SALUD)
    for clinica in (propia, otra):
        OperacionAnualFactory(centro=clinica, anio=2024)
    personal = usuario_con_rol_guardar(
        username="clinica",
        password="clave-de-prueba-1",
        rol=Rol.PERSONAL_CENTRO,
        centro_ids=[propia.pk],
    )
    return personal


def test_clinic_staff_import_only_their_clinic(clinicas):
    filas = [(700, 2024, 6, "Consulta externa", 120), (701, 2024, 6, "Emergencia", 8)]

    resumen = _importar(clinicas, *filas, tipo="atenciones", encabezados=ENCABEZADOS_CLINICA)

    assert [(f.numero, f.mensaje) for f in resumen.rechazadas] == [
        (4, "El centro 701 no es uno de sus centros.")
    ]
    assert AtencionClinica.objects.count() == 0

    resumen = _importar(clinicas, filas[0], tipo="atenciones", encabezados=ENCABEZADOS_CLINICA)
    assert resumen.valido
    assert AtencionClinica.objects.get().pacientes == 120
