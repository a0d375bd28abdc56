"""`manage.py importar`: any registered kind from the command line; the preview writes nothing,
a refused row writes nothing and exits with 1, `--confirmar` imports."""

import io

import pytest
from django.core.management import CommandError, call_command

from casmul.hojas import importables
from presupuesto.models import ProcesoContratacion
from tests.factories import ProcesoContratacionFactory, csv_de_excel

ENCABEZADOS = ["Año", "Tipo", "Código", "Objeto", "Monto", "Fecha"]
FILAS = [
    (2024, "Ínfima cuantía", "IC-001", "Material de aseo", "1.250,50", "15/03/2024"),
    (2024, "Licitación", "LIC-002", "Obra nueva", "90.000,00", "02/05/2024"),
]


@pytest.fixture
def archivo(tmp_path):
    def escribir(*filas, nombre="procesos.csv"):
        ruta = tmp_path / nombre
        ruta.write_bytes(csv_de_excel("Procesos 2024", ENCABEZADOS, *filas))
        return str(ruta)

    return escribir


def _importar(*args):
    salida, errores = io.StringIO(), io.StringIO()
    call_command("importar", *args, stdout=salida, stderr=errores)
    return salida.getvalue(), errores.getvalue()


def test_every_kind_is_registered():
    assert [tipo.slug for tipo in importables()] == [
        "atenciones",
        "beneficiarios",
        "centros",
        "cifras",
        "convenios",
        "lineas",
        "procesos",
    ]


def test_the_preview_lists_what_each_row_would_do_and_writes_nothing(db, archivo):
    ProcesoContratacionFactory(
        anio=2024, codigo="IC-001", objeto="Material de aseo", monto="1250.50", fecha=None
    )

    salida, _ = _importar("procesos", archivo(*FILAS))

    assert "Fila 3: actualizada — IC-001" in salida
    assert "Fila 4: nueva — LIC-002" in salida
    assert "1 nuevas, 1 actualizadas, 0 sin cambios, 0 rechazadas" in salida
    assert "No se escribió nada" in salida
    assert list(ProcesoContratacion.objects.values_list("codigo", "fecha")) == [("IC-001", None)]


def test_confirmed_it_imports_and_the_second_time_changes_nothing(db, archivo):
    ruta = archivo(*FILAS)

    _importar("procesos", ruta, "--confirmar")
    antes = list(ProcesoContratacion.objects.order_by("pk").values())
    salida, _ = _importar("procesos", ruta, "--confirmar")

    assert ProcesoContratacion.objects.count() == 2
    assert list(ProcesoContratacion.objects.order_by("pk").values()) == antes
    assert "Fila 3: sin cambios" in salida
    assert "0 nuevas, 0 actualizadas, 2 sin cambios, 0 rechazadas" in salida


def test_a_refused_row_writes_nothing_names_its_row_and_exits_with_1(db, archivo):
    mala = (2024, "Licitación", "LIC-003", "Obra", "1.250", "02/05/2024")

    with pytest.raises(CommandError) as error:
        _importar("procesos", archivo(*FILAS, mala), "--confirmar")

    assert error.value.returncode == 1
    assert "No se importó ninguna fila" in str(error.value)
    assert ProcesoContratacion.objects.count() == 0


def test_the_refused_rows_are_printed_with_their_spreadsheet_number(db, archivo):
    mala = (2024, "Compra directa", "X-1", "Obra", "10,00", "")
    errores = io.StringIO()

    with pytest.raises(CommandError):
        call_command("importar", "procesos", archivo(mala), stderr=errores)

    assert errores.getvalue().startswith(
        "Fila 3 rechazada: tipo: «Compra directa» no es una opción"
    )


def test_an_unknown_kind_or_user_or_unreadable_file_is_refused_in_spanish(db, archivo, tmp_path):
    with pytest.raises(CommandError, match="No se importa «recetas»: los tipos son atenciones"):
        _importar("recetas", archivo(*FILAS))
    with pytest.raises(CommandError, match="No existe el usuario «nadie»"):
        _importar("procesos", archivo(*FILAS), "--usuario", "nadie")
    otro = tmp_path / "procesos.pdf"
    otro.write_bytes(b"%PDF-1.7")
    with pytest.raises(CommandError, match="no es una hoja de cálculo CSV ni XLSX"):
        _importar("procesos", str(otro))
