"""The agreements list's export and the agreements import share their columns: a file
downloaded and uploaded unchanged changes nothing, centres are read as the numbers the export
wrote (never a count taken for a number), counterparts as the portal shows them, and one
changed cell updates exactly that field."""

from decimal import Decimal
from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from casmul.roles import Rol
from convenios.models import Convenio
from tests.factories import UserFactory

pytestmark = pytest.mark.usefixtures("datos_2023")
URL_IMPORTAR = reverse("importar_tipo", args=["convenios"])


@pytest.fixture
def cliente(db):
    cliente = Client()
    cliente.force_login(UserFactory(roles=[Rol.ADMINISTRACION]))
    return cliente


def _foto():
    return sorted(
        (
            c.pk,
            c.numero,
            c.titulo,
            c.tipo,
            c.programa_mies,
            c.fecha_suscripcion,
            c.fecha_inicio,
            c.fecha_fin,
            c.indefinido,
            c.objeto,
            c.duracion_declarada_meses,
            c.monto,
            tuple(sorted(c.instituciones.values_list("pk", flat=True))),
            tuple(sorted(c.centros.values_list("numero", flat=True))),
        )
        for c in Convenio.objects.all()
    )


def _vista_previa(cliente, contenido: bytes, nombre: str):
    return cliente.post(URL_IMPORTAR, {"archivo": SimpleUploadedFile(nombre, contenido)})


@pytest.mark.parametrize("formato", ["xlsx", "csv"])
def test_the_export_uploaded_unchanged_previews_as_all_unchanged(cliente, formato):
    exportado = cliente.get(reverse("convenios:lista"), {"formato": formato}).content
    antes = _foto()

    vista_previa = _vista_previa(cliente, exportado, f"convenios.{formato}")
    resumen = vista_previa.context["resumen"]

    assert resumen.filas_rechazadas == 0, resumen.rechazadas
    assert (resumen.nuevas, resumen.actualizadas) == (0, 0)
    assert resumen.sin_cambios == Convenio.objects.count() > 0
    assert {fila.que for fila in resumen.filas} == {"sin cambios"}
    assert _foto() == antes


def test_an_agreement_that_funds_one_centre_keeps_that_centre(cliente):
    # The report's S/N Cruz Roja agreement funds centre 13 alone: its count, 1, is no centre.
    convenio = next(c for c in Convenio.objects.all() if c.centros.count() == 1)
    numero = convenio.centros.get().numero
    exportado = cliente.get(reverse("convenios:lista"), {"formato": "xlsx"}).content

    hoja = load_workbook(BytesIO(exportado)).active
    encabezados = [celda.value for celda in hoja[1]]
    columna = encabezados.index("Centros")
    fila = next(f for f in hoja.iter_rows(min_row=2, values_only=True) if f[1] == convenio.titulo)

    assert fila[columna] == str(numero)
    assert encabezados[:9] == [
        "Número",
        "Título",
        "Tipo",
        "Contrapartes",
        "Fecha de suscripción",
        "Desde",
        "Indefinido",
        "Objeto",
        "Centros",
    ]


def test_one_changed_cell_updates_exactly_that_field(cliente):
    exportado = cliente.get(reverse("convenios:lista"), {"formato": "xlsx"}).content
    libro = load_workbook(BytesIO(exportado))
    hoja = libro.active
    encabezados = [celda.value for celda in hoja[1]]
    monto = encabezados.index("Monto") + 1
    titulo = hoja.cell(2, encabezados.index("Título") + 1).value
    hoja.cell(2, monto).value = 12345.67
    salida = BytesIO()
    libro.save(salida)
    antes = {c[0]: c for c in _foto()}

    vista_previa = _vista_previa(cliente, salida.getvalue(), "convenios.xlsx")
    resumen = vista_previa.context["resumen"]
    token = vista_previa.context["confirmacion"].initial["token"]
    cliente.post(reverse("importar_confirmar", args=["convenios"]), {"token": token})

    assert (resumen.actualizadas, resumen.nuevas, resumen.filas_rechazadas) == (1, 0, 0)
    despues = {c[0]: c for c in _foto()}
    cambiados = [pk for pk in despues if despues[pk] != antes[pk]]
    assert len(cambiados) == 1
    cambiado = Convenio.objects.get(pk=cambiados[0])
    assert (cambiado.titulo, cambiado.monto) == (titulo, Decimal("12345.67"))
    # Every other field of it as before (the amount is the 12th).
    assert despues[cambiado.pk][:11] == antes[cambiado.pk][:11]
    assert despues[cambiado.pk][12:] == antes[cambiado.pk][12:]


def test_counterparts_are_read_as_the_portal_shows_them(cliente):
    convenio = next(c for c in Convenio.objects.all() if c.instituciones.exists())
    institucion = convenio.instituciones.first()

    exportado = cliente.get(reverse("convenios:lista"), {"formato": "csv"}).content.decode(
        "utf-8-sig"
    )

    assert str(institucion) in exportado
    assert "|" in exportado or convenio.instituciones.count() == 1


def test_centres_are_separated_like_counterparts(cliente):
    libro = load_workbook(
        BytesIO(cliente.get(reverse("convenios:lista"), {"formato": "xlsx"}).content)
    )
    hoja = libro.active
    encabezados = [celda.value for celda in hoja[1]]
    titulo = hoja.cell(2, encabezados.index("Título") + 1).value
    hoja.cell(2, encabezados.index("Centros") + 1).value = "13 | 14"
    salida = BytesIO()
    libro.save(salida)

    vista_previa = _vista_previa(cliente, salida.getvalue(), "convenios.xlsx")
    token = vista_previa.context["confirmacion"].initial["token"]
    cliente.post(reverse("importar_confirmar", args=["convenios"]), {"token": token})

    assert vista_previa.context["resumen"].actualizadas == 1
    convenio = Convenio.objects.get(titulo=titulo)
    assert sorted(convenio.centros.values_list("numero", flat=True)) == [13, 14]
