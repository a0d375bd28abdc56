"""A cédula typed in the beneficiaries list's name box never stays in a URL: the browser refuses
digits there, and the server, if they arrive, sends the user back to the list without them."""

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse
from django.utils import timezone

from casmul.roles import Rol
from centros.filters import BeneficiariosFilter
from centros.models import Centro, Inscripcion
from tests.factories import CentroFactory, InscripcionFactory, UserFactory

CEDULA = "1104680135"
LISTA = "centros:beneficiarios"


@pytest.fixture
def personal(db):
    return UserFactory(roles=[Rol.PERSONAL_CENTRO])


@pytest.fixture
def centro(personal):
    return CentroFactory(personal_asignado=[personal])


def _entrada_nombre(html: str) -> str:
    return re.search(r'<input[^>]*name="nombre"[^>]*>', html).group(0)


def test_the_name_box_refuses_digits_in_the_browser_with_a_spanish_title(client, personal):
    client.force_login(personal)

    html = client.get(reverse(LISTA)).content.decode()

    entrada = _entrada_nombre(html)
    # The browser anchors the pattern (^(?:…)$): any digit makes the form invalid, and it is
    # not submitted, so the value never reaches the URL. No JavaScript involved.
    assert 'pattern="[^0-9]*"' in entrada
    titulo = re.search(r'title="([^"]*)"', entrada).group(1)
    assert "sin números" in titulo and "buscador de cédula" in titulo
    formulario = re.search(r'<form method="get" class="filtros-beneficiarios"[^>]*>', html)
    assert formulario and "novalidate" not in formulario.group(0)


@pytest.mark.parametrize("nombre", [CEDULA, "110468013-5", "Rosa 1104680135", " 0135 "])
def test_digits_in_the_name_redirect_to_the_list_without_them_keeping_the_other_filters(
    client, personal, centro, nombre
):
    client.force_login(personal)

    respuesta = client.get(
        reverse(LISTA), {"nombre": nombre, "sexo": "F", "centro": centro.pk, "pagina": 2}
    )

    assert respuesta.status_code == 303
    destino = urlsplit(respuesta["Location"])
    assert destino.path == reverse(LISTA)
    assert parse_qs(destino.query) == {"sexo": ["F"], "centro": [str(centro.pk)]}
    assert "0135" not in respuesta["Location"]


def test_after_the_redirect_the_page_url_holds_no_cedula_and_says_why(client, personal, centro):
    client.force_login(personal)

    respuesta = client.get(reverse(LISTA), {"nombre": CEDULA}, follow=True)

    assert respuesta.redirect_chain == [(reverse(LISTA), 303)]
    assert respuesta.status_code == 200
    assert respuesta.request["QUERY_STRING"] == ""
    html = respuesta.content.decode()
    assert "Para buscar por cédula use el buscador de cédula" in html
    assert "la cédula no se escribe en la dirección de la página" in html
    assert CEDULA not in html  # not written back into the name box either


def test_the_export_with_digits_in_the_name_goes_back_to_the_list_and_exports_nothing(
    client, personal, centro
):
    InscripcionFactory(centro=centro, beneficiario__cedula=CEDULA)
    client.force_login(personal)

    respuesta = client.get(
        reverse("centros:beneficiarios_exportar"), {"nombre": CEDULA, "formato": "csv"}
    )

    assert respuesta.status_code == 303
    assert respuesta["Location"] == f"{reverse(LISTA)}?formato=csv"


def test_a_name_with_letters_still_filters(client, personal, centro):
    InscripcionFactory(centro=centro, beneficiario__apellidos="Guamán Quizhpe")
    InscripcionFactory(centro=centro, beneficiario__apellidos="Peña")
    client.force_login(personal)

    respuesta = client.get(reverse(LISTA), {"nombre": "guamán", "sexo": ""})

    assert respuesta.status_code == 200
    assert [f["persona"].apellidos for f in respuesta.context["filas"]] == ["Guamán Quizhpe"]
    assert 'value="guamán"' in _entrada_nombre(respuesta.content.decode())


def test_the_filter_itself_does_not_use_a_name_with_digits(db):
    """The same rule below the view: a name with digits is an invalid field, so it filters
    nothing (the other filters still apply)."""
    centro = CentroFactory()
    InscripcionFactory(centro=centro, beneficiario__cedula=CEDULA)
    filtro = BeneficiariosFilter(
        {"nombre": CEDULA},
        queryset=Inscripcion.objects.all(),
        centros=Centro.objects.all(),
        hoy=timezone.localdate(),
    )

    assert not filtro.form.is_valid()
    assert "buscador de cédula" in filtro.form.errors["nombre"][0]
    assert filtro.qs.count() == 1
