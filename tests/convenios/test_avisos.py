"""The agreements' warnings on the home page of the coordination and the administration: what
ends within 60 days, and the MIES centres about to be left without an agreement."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from casmul.roles import Rol
from centros.models import Modalidad
from convenios.selectors import avisos_de_convenios
from tests.factories import (
    CentroFactory,
    ConvenioFactory,
    OperacionAnualFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

HOY = timezone.localdate()
dias = datetime.timedelta


def _convenio(fin, inicio=None, **kwargs):
    return ConvenioFactory(fecha_inicio=inicio or HOY - dias(300), fecha_fin=fin, **kwargs)


def _mies(fin, centros, inicio=None, **kwargs):
    return _convenio(fin, inicio, tipo="mies", programa_mies="DI", centros=centros, **kwargs)


def _centro_mies(**kwargs):
    centro = CentroFactory(modalidad=Modalidad.CONVENIO_MIES, **kwargs)
    OperacionAnualFactory(centro=centro, anio=HOY.year)
    return centro


# --- Agreements ending soon ---------------------------------------------------------------------


def test_agreements_ending_within_60_days_are_listed_with_the_days_left():
    hoy = _convenio(HOY, numero="")
    en_60 = _convenio(HOY + dias(60), numero="B-60")
    _convenio(HOY + dias(61))
    _convenio(HOY - dias(1))
    _convenio(None, indefinido=True)

    avisos = avisos_de_convenios(hoy=HOY)

    assert [(a.convenio_id, a.numero, a.dias) for a in avisos.por_vencer] == [
        (hoy.pk, "S/N", 0),
        (en_60.pk, "B-60", 60),
    ]
    assert avisos.por_vencer[1].fecha_fin == HOY + dias(60)


def test_an_agreement_ending_soon_says_whether_it_was_renewed():
    renovado = _convenio(HOY + dias(10))
    _convenio(HOY + dias(400), inicio=HOY + dias(11), renueva_a=renovado)
    sin_renovar = _convenio(HOY + dias(20))

    avisos = avisos_de_convenios(hoy=HOY)

    assert [(a.convenio_id, a.renovado) for a in avisos.por_vencer] == [
        (renovado.pk, True),
        (sin_renovar.pk, False),
    ]


# --- MIES centres ------------------------------------------------------------------------------


def test_a_mies_centre_operating_without_an_agreement_in_force_is_listed():
    sin_ninguno = _centro_mies()
    vencido = _centro_mies()
    _mies(HOY - dias(1), [vencido])
    con_uno_no_mies = _centro_mies()
    _convenio(HOY + dias(300), centros=[con_uno_no_mies])

    centros = avisos_de_convenios(hoy=HOY).centros

    assert {(c.centro_id, c.vence) for c in centros} == {
        (sin_ninguno.pk, None),
        (vencido.pk, None),
        (con_uno_no_mies.pk, None),
    }


def test_a_mies_centre_whose_agreement_ends_within_60_days_unrenewed_is_listed():
    por_vencer = _centro_mies()
    _mies(HOY + dias(30), [por_vencer])

    (centro,) = avisos_de_convenios(hoy=HOY).centros

    assert (centro.centro_id, centro.vence, centro.numero) == (
        por_vencer.pk,
        HOY + dias(30),
        por_vencer.numero,
    )


def test_covered_renewed_direct_or_idle_centres_are_not_listed():
    cubierto = _centro_mies()
    _mies(HOY + dias(61), [cubierto])
    indefinido = _centro_mies()
    _mies(None, [indefinido], indefinido=True)
    renovado = _centro_mies()
    anterior = _mies(HOY + dias(5), [renovado])
    _mies(HOY + dias(370), [renovado], inicio=HOY + dias(6), renueva_a=anterior)
    # Two agreements in force, one lasting: covered.
    dos = _centro_mies()
    _mies(HOY + dias(5), [dos])
    _mies(HOY + dias(200), [dos])
    directo = CentroFactory(modalidad=Modalidad.DIRECTA)
    OperacionAnualFactory(centro=directo, anio=HOY.year)
    CentroFactory(modalidad=Modalidad.CONVENIO_MIES)  # does not operate this year

    assert avisos_de_convenios(hoy=HOY).centros == []


def test_the_warnings_take_one_query_however_many_rows(django_assert_num_queries):
    for n in range(10):
        centro = _centro_mies()
        _mies(HOY + dias(n), [centro])
        _convenio(HOY + dias(n))

    with django_assert_num_queries(1):
        avisos = avisos_de_convenios(hoy=HOY)

    assert len(avisos.por_vencer) == 20
    assert len(avisos.centros) == 10


# --- Home page ---------------------------------------------------------------------------------


@pytest.mark.parametrize("rol", [Rol.COORDINACION, Rol.ADMINISTRACION])
def test_coordination_and_administration_see_the_card_on_their_home(client, rol):
    convenio = _convenio(HOY + dias(12), numero="MIES-DI-0099", titulo="Convenio <i>DI</i>")
    centro = _centro_mies(nombre_corto="CDI Sin Convenio")
    client.force_login(UserFactory(roles=[rol]))

    texto = client.get(reverse("inicio")).text

    assert "Vencen en los próximos 60 días" in texto
    assert reverse("convenios:detalle", args=[convenio.pk]) in texto
    assert "MIES-DI-0099" in texto
    assert "Convenio &lt;i&gt;DI&lt;/i&gt;" in texto
    assert convenio.fecha_fin.strftime("%d/%m/%Y") in texto
    assert "en <strong>12 días</strong>" in texto
    assert "CDI Sin Convenio" in texto
    assert reverse("rendicion:centro", args=[centro.pk]) in texto


def test_centre_staff_do_not_see_the_card(client):
    centro = _centro_mies()
    _convenio(HOY + dias(12), numero="MIES-DI-0099", centros=[centro])
    client.force_login(UserFactory(roles=[Rol.PERSONAL_CENTRO]))
    centro.personal_asignado.add(client.session["_auth_user_id"])

    texto = client.get(reverse("inicio")).text

    assert "MIES-DI-0099" not in texto
    assert "Vencen en los próximos" not in texto
