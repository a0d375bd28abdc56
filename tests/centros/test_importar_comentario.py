"""One comment for the warned months of an import: written on confirming, it explains every
complete month of the file that has warnings and sends them to review with the others, so a
clerk does not open each month to write the same sentence."""

import pytest
import tablib
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from casmul.roles import Rol
from centros.models import ReporteMensual
from tests.factories import (
    CentroFactory,
    CifraMensualFactory,
    IndicadorCentroFactory,
    IndicadorFactory,
    OperacionAnualFactory,
    ReporteMensualFactory,
    UserFactory,
)

E = ReporteMensual.Estado
URL_CIFRAS = reverse("importar_tipo", args=["cifras"])
URL_CONFIRMAR = reverse("importar_confirmar", args=["cifras"])
COMENTARIO = "Campaña de inscripción de marzo: llegaron niños de la lista de espera."
FILAS = [
    (1003, 2023, 1, "usuarios", 30),
    (1003, 2023, 1, "talleres", 4),
    (1003, 2023, 2, "usuarios", 31),
    (1003, 2023, 2, "talleres", 4),
    # March triples February's users: a warning.
    (1003, 2023, 3, "usuarios", 95),
    (1003, 2023, 3, "talleres", 4),
    # April lacks its users: incomplete, with or without a comment.
    (1003, 2023, 4, "talleres", 4),
]


@pytest.fixture
def cdi(db):
    usuarios = IndicadorFactory(codigo="usuarios", nombre="Usuarios atendidos")
    talleres = IndicadorFactory(codigo="talleres", nombre="Talleres")
    cdi = CentroFactory(numero=1003, nombre_corto="CDI 3", capacidad=500)
    IndicadorCentroFactory(centro=cdi, indicador=usuarios, orden=0)
    IndicadorCentroFactory(centro=cdi, indicador=talleres, orden=1)
    OperacionAnualFactory(centro=cdi, anio=2023)
    return cdi


@pytest.fixture
def cliente(cdi):
    personal = UserFactory(roles=[Rol.PERSONAL_CENTRO])
    cdi.personal_asignado.add(personal)
    cliente = Client()
    cliente.force_login(personal)
    return cliente


def _vista_previa(cliente, filas=FILAS):
    contenido = tablib.Dataset(
        *filas, headers=["centro", "anio", "mes", "indicador", "valor"]
    ).export("csv")
    archivo = SimpleUploadedFile("cifras.csv", contenido.encode(), content_type="text/csv")
    return cliente.post(URL_CIFRAS, {"archivo": archivo})


def _confirmar(cliente, vista_previa, **opciones):
    token = vista_previa.context["confirmacion"].initial["token"]
    return cliente.post(URL_CONFIRMAR, {"token": token, **opciones}, follow=True)


def _mes(numero):
    return ReporteMensual.objects.get(anio=2023, mes=numero)


def test_the_confirmation_offers_one_comment_for_the_months_with_warnings(cliente):
    html = _vista_previa(cliente).content.decode()

    assert '<label for="id_opcion_comentario">' in html
    assert "Comentario para los meses con advertencias" in html
    assert 'aria-describedby="id_opcion_comentario_helptext"' in html
    assert "Sin él, esos meses quedan en borrador" in html


def test_with_the_comment_the_warned_complete_months_go_to_review_explained_by_it(cliente):
    respuesta = _confirmar(cliente, _vista_previa(cliente), opcion_comentario=COMENTARIO)

    assert [_mes(m).estado for m in (1, 2, 3, 4)] == [E.ENVIADO, E.ENVIADO, E.ENVIADO, E.BORRADOR]
    assert _mes(3).advertencias  # still warned: the comment explains, it does not hide
    assert _mes(3).comentario == COMENTARIO
    assert _mes(1).comentario == ""  # a month without warnings needs no explanation
    mensaje = respuesta.content.decode()
    assert "Se enviaron a revisión 3 meses (1 con advertencias, con su comentario)" in mensaje
    assert "1 quedó en borrador por faltar cifras" in mensaje
    assert _mes(3).history.first().history_change_reason.startswith("Enviado")


def test_a_month_that_has_its_own_comment_keeps_it(cdi, cliente):
    marzo = ReporteMensualFactory(centro=cdi, anio=2023, mes=3, comentario="Abrió la segunda sala.")
    CifraMensualFactory(reporte=marzo, indicador=cdi.indicadores.get(codigo="talleres"), valor=4)

    _confirmar(cliente, _vista_previa(cliente), opcion_comentario=COMENTARIO)

    assert (_mes(3).estado, _mes(3).comentario) == (E.ENVIADO, "Abrió la segunda sala.")


def test_without_the_comment_the_warned_month_stays_a_draft_to_explain_from_its_page(cliente):
    respuesta = _confirmar(cliente, _vista_previa(cliente), opcion_enviar="on")

    assert [_mes(m).estado for m in (1, 2, 3)] == [E.ENVIADO, E.ENVIADO, E.BORRADOR]
    assert "1 quedó en borrador por advertencias" in respuesta.content.decode()


def test_a_blank_comment_sends_nothing(cliente):
    _confirmar(cliente, _vista_previa(cliente), opcion_comentario="   ")

    assert set(ReporteMensual.objects.values_list("estado", flat=True)) == {E.BORRADOR}


def test_the_coordination_is_not_offered_the_comment(cdi):
    coordinacion = Client()
    coordinacion.force_login(UserFactory(roles=[Rol.COORDINACION]))

    assert coordinacion.get(URL_CIFRAS).status_code == 403
