"""Every list that has an import exports the import's own columns: downloaded and uploaded
unchanged, every row is «sin cambios» (budget lines, procurement, agreements, the registry);
one cell changed, exactly one row is updated."""

from decimal import Decimal
from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from casmul.roles import Rol
from centros.models import Centro
from presupuesto.models import LineaPresupuestaria, ProcesoContratacion
from tests.factories import InscripcionFactory, UserFactory

pytestmark = pytest.mark.usefixtures("datos_2023")

TIPOS = [
    pytest.param("/presupuesto/lineas/?anio=2023", "lineas", LineaPresupuestaria, "Ejecutado"),
    pytest.param("/presupuesto/contratacion/?anio=2023", "procesos", ProcesoContratacion, "Monto"),
    pytest.param("/convenios/?", "convenios", None, "Monto"),
]
# The registry's export, as the administration downloads it (the cédula in full).
BENEFICIARIOS = pytest.param("/centros/beneficiarios/exportar/?", "beneficiarios", None, None)


@pytest.fixture
def cliente(db):
    centro = Centro.objects.order_by("numero").first()
    for _ in range(3):
        InscripcionFactory(centro=centro)
    cliente = Client()
    cliente.force_login(UserFactory(roles=[Rol.ADMINISTRACION]))
    return cliente


def _vista_previa(cliente, tipo: str, contenido: bytes, nombre: str):
    archivo = SimpleUploadedFile(nombre, contenido)
    return cliente.post(reverse("importar_tipo", args=[tipo]), {"archivo": archivo})


@pytest.mark.parametrize("formato", ["xlsx", "csv"])
@pytest.mark.parametrize(("lista", "tipo", "modelo", "columna"), [*TIPOS, BENEFICIARIOS])
def test_an_export_uploaded_unchanged_is_all_unchanged(
    cliente, lista, tipo, modelo, columna, formato
):
    exportado = cliente.get(f"{lista}&formato={formato}").content

    resumen = _vista_previa(cliente, tipo, exportado, f"{tipo}.{formato}").context["resumen"]

    assert resumen.filas_rechazadas == 0, resumen.rechazadas[:3]
    assert (resumen.nuevas, resumen.actualizadas) == (0, 0)
    assert resumen.sin_cambios > 0


@pytest.mark.parametrize(("lista", "tipo", "modelo", "columna"), TIPOS)
def test_one_changed_cell_updates_one_row(cliente, lista, tipo, modelo, columna):
    libro = load_workbook(BytesIO(cliente.get(f"{lista}&formato=xlsx").content))
    hoja = libro.active
    indice = [celda.value for celda in hoja[1]].index(columna) + 1
    hoja.cell(2, indice).value = 4321.09
    salida = BytesIO()
    libro.save(salida)

    vista_previa = _vista_previa(cliente, tipo, salida.getvalue(), f"{tipo}.xlsx")
    resumen = vista_previa.context["resumen"]
    token = vista_previa.context["confirmacion"].initial["token"]
    cliente.post(reverse("importar_confirmar", args=[tipo]), {"token": token})

    assert (resumen.actualizadas, resumen.nuevas, resumen.filas_rechazadas) == (1, 0, 0)
    if modelo is not None:
        campo = {"Ejecutado": "ejecutado", "Monto": "monto"}[columna]
        assert modelo.objects.filter(**{campo: Decimal("4321.09")}).count() == 1
