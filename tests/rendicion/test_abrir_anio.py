"""Opening a year from the one before («Nuevo informe»): its report texts and every operating
centre's year, with its staff and the definition it has that year; then the comparison says
what changed once the administration edits the new year."""

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from casmul.roles import Rol
from centros.models import Modalidad, OperacionAnual
from centros.services import centro_definir
from rendicion.models import InformeAnual
from tests.factories import (
    CentroFactory,
    IndicadorCentroFactory,
    IndicadorFactory,
    InformeAnualFactory,
    OperacionAnualFactory,
    UserFactory,
)

URL_NUEVO = reverse("rendicion:informe_crear")


@pytest.fixture
def coordinacion(client, db):
    usuario = UserFactory(roles=[Rol.COORDINACION])
    client.force_login(usuario)
    return usuario


@pytest.fixture
def red_2023(db):
    """Three centres of 2023: a whole year, one that closed after June, one that changes
    modality from 2025 on (decided already)."""
    InformeAnualFactory(anio=2023)
    entero = OperacionAnualFactory(anio=2023, personal=7).centro
    parcial = OperacionAnualFactory(anio=2023, personal=3, mes_fin=6).centro
    cambia = OperacionAnualFactory(
        anio=2023, personal=5, centro=CentroFactory(modalidad=Modalidad.CONVENIO_MIES)
    ).centro
    centro_definir(
        centro=cambia,
        cambios={"modalidad": Modalidad.DIRECTA},
        desde_anio=2025,
        usuario=UserFactory(),
    )
    return entero, parcial, cambia


def test_opening_2024_copies_every_centre_s_year_with_its_staff_and_that_year_s_definition(
    client, coordinacion, red_2023
):
    entero, parcial, cambia = red_2023

    respuesta = client.post(URL_NUEVO, {"anio": 2024})

    # Then: the report of 2024 exists and each centre operates all of 2024 with last year's
    # staff; the centre that changes from 2025 keeps in 2024 what it had in 2023.
    assert respuesta.status_code == 302
    assert InformeAnual.objects.filter(anio=2024).exists()
    abiertos = {
        o.centro_id: o for o in OperacionAnual.objects.filter(anio=2024).select_related("centro")
    }
    assert {c: (o.mes_inicio, o.mes_fin, o.personal) for c, o in abiertos.items()} == {
        entero.pk: (1, 12, 7),
        parcial.pk: (1, 12, 3),
        cambia.pk: (1, 12, 5),
    }
    assert abiertos[cambia.pk].definicion_propia
    assert abiertos[cambia.pk].modalidad == Modalidad.CONVENIO_MIES
    assert not abiertos[entero.pk].definicion_propia
    # …and the page says so, naming the centre that operated only part of 2023.
    mensajes = [str(m) for m in get_messages(respuesta.wsgi_request)]
    assert any("3 centros que operaron en 2023 quedan en operación en 2024" in m for m in mensajes)
    assert any(parcial.nombre_corto in m and "revise sus meses de 2024" in m for m in mensajes)
    # History says who opened the year.
    historia = OperacionAnual.history.filter(anio=2024, centro_id=entero.pk).get()
    assert historia.history_user == coordinacion
    assert historia.history_change_reason == "Año 2024 abierto desde 2023"


def test_opening_a_year_whose_report_exists_opens_nothing(client, coordinacion, red_2023):
    InformeAnualFactory(anio=2024)

    respuesta = client.post(URL_NUEVO, {"anio": 2024})

    assert respuesta.status_code == 200
    assert not OperacionAnual.objects.filter(anio=2024).exists()


def test_the_comparison_names_what_the_administration_changed_in_the_new_year(
    client, coordinacion, red_2023
):
    # Given: 2024 opened; then the centre of half a year does not operate in 2024, the whole
    # year centre reports a new figure from 2024 and another one is opened in March.
    entero, parcial, _ = red_2023
    client.post(URL_NUEVO, {"anio": 2024})
    OperacionAnual.objects.filter(centro=parcial, anio=2024).delete()
    IndicadorCentroFactory(
        centro=entero, indicador=IndicadorFactory(nombre="Controles de salud"), desde_anio=2024
    )
    nuevo = OperacionAnualFactory(anio=2024, mes_inicio=3).centro

    pagina = client.get(reverse("rendicion:comparacion", args=[2024])).content.decode()

    seccion = pagina.split('id="cambios-del-anio"')[1].split("</section>")[0]
    assert "Nuevo en 2024: <a" in seccion and nuevo.nombre_corto in seccion
    assert "No opera en 2024" in seccion and parcial.nombre_corto in seccion
    assert "operó de marzo a diciembre de 2024" in seccion
    assert f"{entero.nombre_corto} reporta «Controles de salud» desde 2024" in seccion
