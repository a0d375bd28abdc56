"""An approval means what the coordinator saw: the version on screen, the warnings read; and
staff submit a year's clean drafts in one step."""

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse

from casmul.meses import Mes
from casmul.roles import Rol
from centros.models import Indicador, ReporteMensual
from centros.services import reporte_guardar
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
ANIO = 2024


@pytest.fixture
def centro(db):
    centro = CentroFactory(numero=1001, nombre_corto="CDI Las Peñas", capacidad=40)
    indicador = IndicadorFactory(codigo="usuarios", unidad=Indicador.Unidad.PERSONAS)
    IndicadorCentroFactory(centro=centro, indicador=indicador)
    centro.indicador_usuarios = indicador
    centro.save()
    OperacionAnualFactory(centro=centro, anio=ANIO)
    return centro


@pytest.fixture
def personal(centro):
    usuario = UserFactory(roles=[Rol.PERSONAL_CENTRO])
    centro.personal_asignado.add(usuario)
    return usuario


def _cliente(usuario):
    cliente = Client()
    cliente.force_login(usuario)
    return cliente


def _coordinacion():
    return _cliente(UserFactory(roles=[Rol.COORDINACION]))


def _mensajes(respuesta):
    return [str(m) for m in get_messages(respuesta.wsgi_request)]


def _guardar(centro, personal, mes, usuarios, *, version=0, **kwargs):
    return reporte_guardar(
        centro=centro,
        mes=Mes(ANIO, mes),
        valores={"usuarios": usuarios},
        version=version,
        usuario=personal,
        **kwargs,
    )


# --- The matrix approves the version it showed -------------------------------------------------


def test_staff_resubmitting_between_the_matrix_and_the_approval_leaves_the_month_submitted(
    centro, personal
):
    # Given: the coordinator opens the matrix with the month submitted with 10 users.
    reporte = _guardar(centro, personal, 1, 10, enviar=True)
    cliente = _coordinacion()
    matriz = cliente.get(reverse("centros:completitud", args=[ANIO])).content.decode()
    visto = f"{reporte.pk}:{reporte.version}"
    assert f'value="{visto}"' in matriz

    # When: staff resubmit 99 and then the coordinator's approval arrives.
    _guardar(centro, personal, 1, 99, version=reporte.version, enviar=True, comentario="Corrige.")
    respuesta = cliente.post(reverse("centros:aprobar", args=[ANIO]), {"reportes": [visto]})

    # Then: the month stays submitted with 99 and the message names it.
    reporte.refresh_from_db()
    assert reporte.estado == E.ENVIADO
    assert reporte.cifras.get().valor == 99
    [mensaje] = _mensajes(respuesta)
    assert mensaje.startswith("Ningún mes aprobado.")
    assert "CDI Las Peñas, enero de 2024" in mensaje


@pytest.mark.parametrize("seleccion", ["12", "12:", ":3", "12:3:4", "-1:2"])
def test_a_selection_without_its_version_is_refused(centro, seleccion):
    respuesta = _coordinacion().post(
        reverse("centros:aprobar", args=[ANIO]), {"reportes": [seleccion]}
    )

    assert _mensajes(respuesta) == ["Selección no válida."]


# --- A month with warnings is approved from its review -----------------------------------------


def test_the_review_shows_the_warnings_and_the_comment_and_approves_that_version(centro, personal):
    reporte = _guardar(centro, personal, 1, 45, enviar=True, comentario="Llegó un grupo nuevo.")
    assert reporte.advertencias
    cliente = _coordinacion()
    url = reverse("centros:revisar", args=[reporte.pk])

    pagina = cliente.get(url).content.decode()
    respuesta = cliente.post(url, {"version": reporte.version})

    assert "supera la capacidad del centro" in pagina
    assert "Llegó un grupo nuevo." in pagina
    assert f'name="version" value="{reporte.version}"' in pagina
    assert respuesta.status_code == 302
    reporte.refresh_from_db()
    assert (reporte.estado, reporte.aprobado_por) == (E.APROBADO, respuesta.wsgi_request.user)


def test_the_review_refuses_a_version_changed_since_and_says_why(centro, personal):
    reporte = _guardar(centro, personal, 1, 45, enviar=True, comentario="Grupo nuevo.")
    visto = reporte.version
    _guardar(centro, personal, 1, 46, version=visto, enviar=True, comentario="Uno más.")

    respuesta = _coordinacion().post(
        reverse("centros:revisar", args=[reporte.pk]), {"version": visto}
    )

    assert respuesta.status_code == 400
    assert "cambió después de que usted lo abrió" in respuesta.content.decode()
    reporte.refresh_from_db()
    assert reporte.estado == E.ENVIADO


def test_the_row_button_leaves_out_the_months_with_warnings(centro, personal):
    limpio = _guardar(centro, personal, 1, 30, enviar=True)
    advertido = _guardar(centro, personal, 2, 45, enviar=True, comentario="Grupo nuevo.")
    cliente = _coordinacion()
    matriz = cliente.get(reverse("centros:completitud", args=[ANIO])).content.decode()
    fila = f"{limpio.pk}:{limpio.version}"

    assert f'name="fila" value="{fila}"' in matriz
    assert "1 por revisar" in matriz
    cliente.post(reverse("centros:aprobar", args=[ANIO]), {"fila": fila})
    estados = dict(ReporteMensual.objects.values_list("pk", "estado"))
    assert estados == {limpio.pk: E.APROBADO, advertido.pk: E.ENVIADO}


@pytest.mark.parametrize("rol", [None, Rol.PERSONAL_CENTRO])
def test_only_the_coordination_reviews_and_approves(centro, personal, rol):
    reporte = _guardar(centro, personal, 1, 30, enviar=True)
    cliente = Client()
    if rol:
        cliente.force_login(personal)

    respuesta = cliente.post(
        reverse("centros:revisar", args=[reporte.pk]), {"version": reporte.version}
    )

    assert respuesta.status_code in (302, 403)
    if rol is None:
        assert respuesta["Location"].startswith(reverse("login"))
    reporte.refresh_from_db()
    assert reporte.estado == E.ENVIADO


# --- Staff submit the year's clean drafts at once ----------------------------------------------


def test_the_year_view_submits_the_complete_drafts_without_warnings(centro, personal):
    _guardar(centro, personal, 1, 30)
    _guardar(centro, personal, 2, 31)
    _guardar(centro, personal, 3, 90)  # a jump and above capacity: sent from its page
    ReporteMensualFactory(centro=centro, anio=ANIO, mes=4)  # opened, nothing typed
    cliente = _cliente(personal)

    anio = cliente.get(reverse("centros:anio", args=[centro.pk, ANIO])).content.decode()
    respuesta = cliente.post(reverse("centros:enviar_borradores", args=[centro.pk, ANIO]))

    assert "4 meses en borrador" in anio
    assert _mensajes(respuesta) == ["Se enviaron a revisión 2 meses de 2024."]
    estados = dict(ReporteMensual.objects.values_list("mes", "estado"))
    assert estados == {1: E.ENVIADO, 2: E.ENVIADO, 3: E.BORRADOR, 4: E.BORRADOR}


def test_submitting_the_drafts_of_another_centre_or_as_the_coordination_is_refused(
    centro, personal
):
    _guardar(centro, personal, 1, 30)
    ajeno = UserFactory(roles=[Rol.PERSONAL_CENTRO])
    CentroFactory(personal_asignado=[ajeno])
    url = reverse("centros:enviar_borradores", args=[centro.pk, ANIO])

    assert _cliente(ajeno).post(url).status_code == 404
    assert _coordinacion().post(url).status_code == 403
    assert _cliente(personal).get(url).status_code == 405
    assert ReporteMensual.objects.get().estado == E.BORRADOR


def test_a_draft_with_figures_missing_is_not_submitted_in_bulk(centro, personal):
    otra = IndicadorFactory(codigo="raciones")
    IndicadorCentroFactory(centro=centro, indicador=otra)
    incompleto = _guardar(centro, personal, 1, 30)
    completo = _guardar(centro, personal, 2, 30)
    CifraMensualFactory(reporte=completo, indicador=otra, valor=5)

    _cliente(personal).post(reverse("centros:enviar_borradores", args=[centro.pk, ANIO]))

    incompleto.refresh_from_db()
    completo.refresh_from_db()
    assert (incompleto.estado, completo.estado) == (E.BORRADOR, E.ENVIADO)
