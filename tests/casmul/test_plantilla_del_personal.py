"""The figures template as a clerk uses it: downloaded with her own centres only, filled for
some of them and uploaded as it is; the rows she left empty are passed over («sin valor»),
never refused, while a value she wrote wrong still refuses the file."""

from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from casmul.meses import Mes
from casmul.roles import Rol
from centros.models import CifraMensual
from tests.factories import (
    CentroFactory,
    IndicadorCentroFactory,
    IndicadorFactory,
    OperacionAnualFactory,
    UserFactory,
)

MES = Mes.de_fecha(timezone.localdate()).anterior
URL_PLANTILLA = reverse("importar_plantilla", args=["cifras"])
URL_CIFRAS = reverse("importar_tipo", args=["cifras"])
URL_CONFIRMAR = reverse("importar_confirmar", args=["cifras"])


@pytest.fixture
def red(db):
    usuarios = IndicadorFactory(codigo="usuarios", nombre="Usuarios atendidos")
    raciones = IndicadorFactory(codigo="raciones", nombre="Raciones")
    centros = [CentroFactory(numero=numero) for numero in (11, 12, 13, 14)]
    for centro in centros:
        OperacionAnualFactory(centro=centro, anio=MES.anio)
        IndicadorCentroFactory(centro=centro, indicador=usuarios, orden=0)
        IndicadorCentroFactory(centro=centro, indicador=raciones, orden=1)
    personal = UserFactory(roles=[Rol.PERSONAL_CENTRO])
    personal.centros_asignados.add(*centros[:3])
    return centros, personal


def _cliente(usuario) -> Client:
    cliente = Client()
    cliente.force_login(usuario)
    return cliente


def _filas(contenido: bytes) -> list[tuple]:
    hoja = load_workbook(BytesIO(contenido)).active
    return [tuple(fila) for fila in hoja.iter_rows(min_row=2, values_only=True)]


def _llenar(contenido: bytes, valores: dict[tuple[int, str], object]) -> bytes:
    """The template with a value typed beside the (centre, indicator) rows given."""
    libro = load_workbook(BytesIO(contenido))
    hoja = libro.active
    for fila in hoja.iter_rows(min_row=2):
        clave = (fila[0].value, fila[3].value)
        if clave in valores:
            fila[4].value = valores[clave]
    salida = BytesIO()
    libro.save(salida)
    return salida.getvalue()


def _vista_previa(cliente, contenido: bytes):
    archivo = SimpleUploadedFile("cifras.xlsx", contenido)
    return cliente.post(URL_CIFRAS, {"archivo": archivo})


def test_staff_download_a_template_with_their_centres_only(red):
    centros, personal = red
    administracion = UserFactory(roles=[Rol.ADMINISTRACION])

    del_personal = _filas(_cliente(personal).get(URL_PLANTILLA).content)
    de_la_administracion = _filas(_cliente(administracion).get(URL_PLANTILLA).content)

    assert sorted({fila[0] for fila in del_personal}) == [11, 12, 13]
    assert sorted({fila[0] for fila in de_la_administracion}) == [11, 12, 13, 14]
    assert del_personal[0] == (11, MES.anio, MES.numero, "usuarios", None)


def test_a_template_filled_for_two_of_her_centres_imports_with_no_refused_row(red):
    centros, personal = red
    cliente = _cliente(personal)
    plantilla = cliente.get(URL_PLANTILLA).content
    llena = _llenar(
        plantilla,
        {(11, "usuarios"): 40, (11, "raciones"): 800, (12, "usuarios"): 35, (12, "raciones"): 700},
    )

    vista_previa = _vista_previa(cliente, llena)
    resumen = vista_previa.context["resumen"]
    token = vista_previa.context["confirmacion"].initial["token"]
    resultado = cliente.post(URL_CONFIRMAR, {"token": token}, follow=True)

    assert (resumen.nuevas, resumen.sin_valor, resumen.filas_rechazadas) == (4, 2, 0)
    assert "Filas sin valor (no se importan)" in vista_previa.content.decode()
    assert "4 filas nuevas, 0 actualizadas, 0 sin cambios y 2 sin valor (no se importan)" in (
        resultado.content.decode()
    )
    guardadas = CifraMensual.objects.filter(reporte__anio=MES.anio, reporte__mes=MES.numero)
    assert sorted(guardadas.values_list("reporte__centro__numero", flat=True)) == [11, 11, 12, 12]


def test_an_old_template_of_every_centre_filled_for_her_own_imports_too(red):
    centros, personal = red
    administracion = UserFactory(roles=[Rol.ADMINISTRACION])
    de_todos = _cliente(administracion).get(URL_PLANTILLA).content

    resumen = _vista_previa(_cliente(personal), _llenar(de_todos, {(13, "usuarios"): 20})).context[
        "resumen"
    ]

    # Centre 14 is not hers: its empty rows are passed over, not refused as another's.
    assert (resumen.nuevas, resumen.sin_valor, resumen.filas_rechazadas) == (1, 7, 0)


def test_a_value_written_wrong_still_refuses_the_file(red):
    centros, personal = red
    cliente = _cliente(personal)
    llena = _llenar(
        cliente.get(URL_PLANTILLA).content, {(11, "usuarios"): 40, (12, "usuarios"): "doce"}
    )

    resumen = _vista_previa(cliente, llena).context["resumen"]

    assert [(fila.numero, fila.encabezado) for fila in resumen.rechazadas] == [(4, "Valor")]
    assert not resumen.valido
