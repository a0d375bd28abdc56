"""The issue's checks on the 2023 data: the MIES agreement DI-07-11D01-17770-D ended on
31/07/2023, so its centres show uncovered from August to December; an agreement ending in 30
days is on the administration's home page."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from casmul.roles import Rol
from convenios.models import Convenio
from tests.factories import ConvenioFactory, UserFactory

pytestmark = pytest.mark.usefixtures("datos_2023")


@pytest.fixture
def administracion(client):
    client.force_login(UserFactory(roles=[Rol.ADMINISTRACION]))
    return client


def test_the_centres_of_an_agreement_ended_in_july_are_uncovered_august_to_december(
    administracion,
):
    convenio = Convenio.objects.get(numero="DI-07-11D01-17770-D")

    html = administracion.get(
        reverse("convenios:detalle", args=[convenio.pk]), {"anio": 2023}
    ).content.decode()

    tabla = re.search(
        r'<table class="tabla cobertura" id="tabla-cobertura">(.*?)</table>', html, re.S
    )[1]
    filas = re.findall(r"<tr>(.*?)</tr>", tabla, re.S)[1:]
    assert len(filas) == convenio.centros.count() == 2
    for fila in filas:
        celdas = re.findall(r'<td class="([^"]+)"', fila)
        assert celdas[:7] == ["cubierto"] * 7
        assert celdas[7:] == ["sin-convenio falta"] * 5


def test_an_agreement_ending_in_30_days_is_on_the_administration_s_home_page(administracion):
    hoy = timezone.localdate()
    ConvenioFactory(
        numero="CONV-2026-AVISO",
        fecha_inicio=hoy - datetime.timedelta(days=300),
        fecha_fin=hoy + datetime.timedelta(days=30),
    )

    html = administracion.get(reverse("inicio")).content.decode()

    assert "CONV-2026-AVISO" in html
    assert re.search(r"CONV-2026-AVISO.*?30 días", html, re.S)
