"""The beneficiaries' list: filters, the cédula search by POST, masking per role in the list
and the export, the personal-data log, and query counts that do not grow with the rows."""

import datetime
import logging
import re
from io import BytesIO

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from casmul.roles import Rol
from centros.models import Beneficiario
from centros.selectors.beneficiarios import hace_anios
from tests.factories import (
    BeneficiarioFactory,
    CentroFactory,
    IndicadorFactory,
    InscripcionFactory,
    UserFactory,
    cedula_valida,
    centro_con_indicador_usuarios,
    cifras_del_anio,
)

CEDULA = "1104680135"
ENMASCARADA = "******0135"
LISTA = "centros:beneficiarios"


def _hoy():
    return timezone.localdate()


@pytest.fixture
def personal(db):
    return UserFactory(roles=[Rol.PERSONAL_CENTRO])


@pytest.fixture
def centro(personal):
    return CentroFactory(personal_asignado=[personal])


def _nacida_con(anios: int, *, dias_mas: int = 0) -> datetime.date:
    """A birth date giving `anios` of age today (`dias_mas` days older)."""
    return hace_anios(_hoy(), anios) - datetime.timedelta(days=dias_mas)


def _apellidos(respuesta) -> list[str]:
    return sorted(f["persona"].apellidos for f in respuesta.context["filas"])


# --- Filters ---------------------------------------------------------------------------------


def test_the_age_group_filter_uses_the_birthday_boundaries(client, personal, centro):
    for apellidos, anios, dias in [
        ("Once", 11, 300),  # 11 years and ~10 months: still niñez
        ("Doce", 12, 0),  # turns 12 today
        ("Diecisiete", 17, 300),
        ("Dieciocho", 18, 0),
        ("SesentaCuatro", 64, 300),
        ("SesentaCinco", 65, 0),
    ]:
        InscripcionFactory(
            centro=centro,
            beneficiario__apellidos=apellidos,
            beneficiario__fecha_nacimiento=_nacida_con(anios, dias_mas=dias),
        )
    client.force_login(personal)

    def grupo(valor):
        return _apellidos(client.get(reverse(LISTA), {"grupo_edad": valor}))

    assert grupo("ninez") == ["Once"]
    assert grupo("adolescencia") == ["Diecisiete", "Doce"]
    assert grupo("adultez") == ["Dieciocho", "SesentaCuatro"]
    assert grupo("adulto_mayor") == ["SesentaCinco"]


def test_the_sex_disability_and_name_filters(client, personal, centro):
    InscripcionFactory(
        centro=centro,
        beneficiario__apellidos="Peña",
        beneficiario__nombres="Ana Lucía",
        beneficiario__sexo=Beneficiario.Sexo.FEMENINO,
    )
    InscripcionFactory(
        centro=centro,
        beneficiario__apellidos="Torres",
        beneficiario__nombres="Luis",
        beneficiario__sexo=Beneficiario.Sexo.MASCULINO,
        beneficiario__tiene_discapacidad=True,
        beneficiario__porcentaje_discapacidad=45,
    )
    client.force_login(personal)

    assert _apellidos(client.get(reverse(LISTA), {"sexo": "M"})) == ["Torres"]
    assert _apellidos(client.get(reverse(LISTA), {"discapacidad": "si"})) == ["Torres"]
    assert _apellidos(client.get(reverse(LISTA), {"discapacidad": "no"})) == ["Peña"]
    assert _apellidos(client.get(reverse(LISTA), {"nombre": "ana peña"})) == ["Peña"]
    assert _apellidos(client.get(reverse(LISTA), {"nombre": "luis"})) == ["Torres"]


def test_the_state_year_and_centre_filters(client, personal, centro):
    segundo = CentroFactory(personal_asignado=[personal])
    hoy = _hoy()
    InscripcionFactory(centro=centro, beneficiario__apellidos="Abierta", desde=hoy)
    InscripcionFactory(
        centro=centro, beneficiario__apellidos="HastaHoy", desde=hoy.replace(day=1), hasta=hoy
    )
    InscripcionFactory(
        centro=segundo,
        beneficiario__apellidos="Cerrada",
        desde=datetime.date(2020, 1, 6),
        hasta=datetime.date(2020, 12, 18),
    )
    client.force_login(personal)

    assert _apellidos(client.get(reverse(LISTA), {"estado": "activa"})) == ["Abierta", "HastaHoy"]
    assert _apellidos(client.get(reverse(LISTA), {"estado": "finalizada"})) == ["Cerrada"]
    assert _apellidos(client.get(reverse(LISTA), {"anio": "2020"})) == ["Cerrada"]
    assert _apellidos(client.get(reverse(LISTA), {"centro": segundo.pk})) == ["Cerrada"]


def test_the_list_is_paginated_and_keeps_the_filters_in_the_page_links(client, personal, centro):
    for _ in range(55):
        InscripcionFactory(centro=centro, beneficiario__sexo="M")
    client.force_login(personal)

    primera = client.get(reverse(LISTA), {"sexo": "M"})
    segunda = client.get(reverse(LISTA), {"sexo": "M", "pagina": 2})

    assert len(primera.context["filas"]) == 50
    assert len(segunda.context["filas"]) == 5
    assert "sexo=M&amp;pagina=2" in primera.content.decode()


# --- Cédula: search by POST, masking ---------------------------------------------------------


def test_the_cedula_search_is_a_post_and_echoes_the_cedula_nowhere(
    client, personal, centro, caplog
):
    inscripcion = InscripcionFactory(centro=centro, beneficiario__cedula=CEDULA)
    InscripcionFactory(centro=centro)
    client.force_login(personal)

    with caplog.at_level(logging.INFO, logger="casmul.datos_personales"):
        respuesta = client.post(reverse("centros:beneficiarios_buscar"), {"cedula": "110468013-5"})

    assert respuesta.status_code == 200
    assert respuesta.request["PATH_INFO"] == reverse("centros:beneficiarios_buscar")
    assert CEDULA not in respuesta.request.get("QUERY_STRING", "")
    assert [f["inscripcion"].pk for f in respuesta.context["filas"]] == [inscripcion.pk]
    contenido = respuesta.content.decode()
    assert CEDULA not in contenido  # not in links, not written back into the form either
    assert ENMASCARADA in contenido
    enlaces = re.findall(r'href="([^"]*)"', contenido)
    assert reverse("centros:beneficiario", args=[inscripcion.beneficiario_id]) in enlaces
    assert not [e for e in enlaces if "0135" in e]
    assert caplog.records and all(CEDULA not in r.getMessage() for r in caplog.records)


def test_the_cedula_search_finds_nobody_of_another_centre(client, personal, centro):
    InscripcionFactory(centro=CentroFactory(), beneficiario__cedula=CEDULA)
    client.force_login(personal)

    respuesta = client.post(reverse("centros:beneficiarios_buscar"), {"cedula": CEDULA})

    assert respuesta.context["filas"] == []
    assert "Ninguna persona de sus centros" in respuesta.content.decode()


def test_an_invalid_cedula_in_the_search_gets_the_validators_message(client, personal):
    client.force_login(personal)

    respuesta = client.post(reverse("centros:beneficiarios_buscar"), {"cedula": "1104680136"})

    assert respuesta.status_code == 400
    assert "El dígito verificador de la cédula no es válido." in respuesta.content.decode()


def test_the_search_form_is_never_a_get(client, personal):
    client.force_login(personal)

    assert client.get(reverse("centros:beneficiarios_buscar")).status_code == 405


@pytest.mark.parametrize("rol", ["personal", "administracion"])
def test_the_list_masks_the_cedula_for_every_role(client, personal, centro, rol):
    InscripcionFactory(centro=centro, beneficiario__cedula=CEDULA)
    usuario = personal if rol == "personal" else UserFactory(roles=[Rol.ADMINISTRACION])
    client.force_login(usuario)

    contenido = client.get(reverse(LISTA)).content.decode()

    assert ENMASCARADA in contenido
    assert CEDULA not in contenido


@pytest.mark.parametrize("rol", ["personal", "administracion"])
def test_the_detail_shows_the_full_cedula_to_staff_of_the_centre_and_the_administration(
    client, personal, centro, rol
):
    inscripcion = InscripcionFactory(centro=centro, beneficiario__cedula=CEDULA)
    usuario = personal if rol == "personal" else UserFactory(roles=[Rol.ADMINISTRACION])
    client.force_login(usuario)

    respuesta = client.get(reverse("centros:beneficiario", args=[inscripcion.beneficiario_id]))

    assert CEDULA in respuesta.content.decode()


def test_a_detail_view_is_one_log_line_without_the_cedula(client, personal, centro, caplog):
    inscripcion = InscripcionFactory(centro=centro, beneficiario__cedula=CEDULA)
    client.force_login(personal)

    with caplog.at_level(logging.INFO, logger="casmul.datos_personales"):
        client.get(reverse("centros:beneficiario", args=[inscripcion.beneficiario_id]))

    lineas = [r.getMessage() for r in caplog.records if r.name == "casmul.datos_personales"]
    assert len(lineas) == 1
    assert f"beneficiario id {inscripcion.beneficiario_id}" in lineas[0]
    assert personal.username in lineas[0]
    assert re.match(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d", lineas[0])
    assert CEDULA not in lineas[0]


# --- Export ----------------------------------------------------------------------------------


def _exportar(client, formato, **filtros):
    return client.get(reverse("centros:beneficiarios_exportar"), {"formato": formato, **filtros})


def test_the_staff_export_masks_the_cedula_and_is_logged(client, personal, centro, caplog):
    InscripcionFactory(centro=centro, beneficiario__cedula=CEDULA, beneficiario__sexo="F")
    InscripcionFactory(centro=centro, beneficiario__sexo="M")
    client.force_login(personal)

    with caplog.at_level(logging.INFO, logger="casmul.datos_personales"):
        respuesta = _exportar(client, "xlsx", sexo="F")

    assert "no-store" in respuesta["Cache-Control"]
    hoja = load_workbook(BytesIO(respuesta.content)).active
    filas = list(hoja.iter_rows(values_only=True))
    assert len(filas) == 2  # header and the one filtered row
    assert filas[1][2] == ENMASCARADA
    lineas = [r.getMessage() for r in caplog.records if r.name == "casmul.datos_personales"]
    assert len(lineas) == 1
    assert "xlsx, 1 filas" in lineas[0]
    assert CEDULA not in lineas[0]


def test_the_administrations_export_has_the_full_cedula(client, centro, caplog):
    InscripcionFactory(centro=centro, beneficiario__cedula=CEDULA)
    client.force_login(UserFactory(roles=[Rol.ADMINISTRACION]))

    with caplog.at_level(logging.INFO, logger="casmul.datos_personales"):
        respuesta = _exportar(client, "csv")

    contenido = respuesta.content.decode("utf-8-sig")
    assert CEDULA in contenido
    assert all(CEDULA not in r.getMessage() for r in caplog.records)


def test_an_unknown_export_format_is_a_404(client, personal):
    client.force_login(personal)

    assert _exportar(client, "pdf").status_code == 404


# --- Header: distinct persons vs the users figure ---------------------------------------------


def test_the_header_shows_distinct_persons_beside_the_monthly_maximum(client, personal):
    anio = _hoy().year - 1
    centro = centro_con_indicador_usuarios(
        IndicadorFactory(agregacion="maximo"), personal_asignado=[personal]
    )
    cifras_del_anio(centro, centro.indicador_usuarios, [2, 2], anio=anio)
    for desde, hasta in [(1, 1), (1, 2), (2, 2)]:  # three children, never more than two a month
        InscripcionFactory(
            centro=centro,
            desde=datetime.date(anio, desde, 1),
            hasta=datetime.date(anio, hasta, 28),
        )
    client.force_login(personal)

    respuesta = client.get(reverse(LISTA), {"anio": str(anio)})

    [registro] = respuesta.context["registro"]
    assert (registro.personas, registro.usuarios, registro.diferencia) == (3, 2, 1)
    assert registro.discrepante
    assert "máximo mensual" in respuesta.content.decode()


# --- Query counts ----------------------------------------------------------------------------


def _poblar(centros, n):
    for i in range(n):
        InscripcionFactory(
            centro=centros[i % len(centros)],
            beneficiario__tiene_discapacidad=i % 2 == 0,
            beneficiario__porcentaje_discapacidad=40 if i % 2 == 0 else None,
        )


@pytest.mark.parametrize("rol", [Rol.PERSONAL_CENTRO, Rol.ADMINISTRACION])
@pytest.mark.parametrize("pagina", ["lista", "exportar"])
def test_the_list_and_export_query_counts_do_not_grow_with_the_rows(
    client, db, rol, pagina, django_assert_max_num_queries
):
    usuario = UserFactory(roles=[rol])
    centros = [
        centro_con_indicador_usuarios(IndicadorFactory(agregacion="maximo")) for _ in range(3)
    ]
    for centro in centros:
        centro.personal_asignado.add(usuario)
        cifras_del_anio(centro, centro.indicador_usuarios, [3, 3], anio=_hoy().year)
    _poblar(centros, 3)
    url = reverse(LISTA) if pagina == "lista" else reverse("centros:beneficiarios_exportar")
    client.force_login(usuario)
    with django_assert_max_num_queries(12) as consultas:
        client.get(url, {"formato": "xlsx", "discapacidad": "si"})

    _poblar(centros, 30)
    with django_assert_max_num_queries(len(consultas.captured_queries)):
        respuesta = client.get(url, {"formato": "xlsx", "discapacidad": "si"})
    assert respuesta.status_code == 200


def test_the_detail_and_cedula_search_query_counts_are_fixed(
    client, personal, centro, django_assert_max_num_queries
):
    persona = BeneficiarioFactory(cedula=cedula_valida(4242))
    for _ in range(3):
        InscripcionFactory(centro=centro, beneficiario=persona, desde=datetime.date(2021, 1, 4))
    client.force_login(personal)
    detalle = reverse("centros:beneficiario", args=[persona.pk])
    with django_assert_max_num_queries(8) as consultas:
        client.get(detalle)
    with django_assert_max_num_queries(8) as busqueda:
        client.post(reverse("centros:beneficiarios_buscar"), {"cedula": persona.cedula})

    for _ in range(30):
        InscripcionFactory(centro=centro, beneficiario=persona, desde=datetime.date(2021, 1, 4))
    with django_assert_max_num_queries(len(consultas.captured_queries)):
        client.get(detalle)
    with django_assert_max_num_queries(len(busqueda.captured_queries)):
        client.post(reverse("centros:beneficiarios_buscar"), {"cedula": persona.cedula})


def test_a_search_that_finds_nobody_offers_to_enrol_that_cedula_without_putting_it_in_a_url(
    client, personal, centro
):
    client.force_login(personal)

    busqueda = client.post(reverse("centros:beneficiarios_buscar"), {"cedula": CEDULA})
    formulario = client.post(reverse("centros:beneficiario_inscribir"), {"cedula_buscada": CEDULA})

    contenido = busqueda.content.decode()
    assert "Inscribir a una persona con esa cédula" in contenido
    assert f'action="{reverse("centros:beneficiario_inscribir")}"' in contenido
    assert not [e for e in re.findall(r'href="([^"]*)"', contenido) if CEDULA in e]
    # The enrolment form opens with the cédula typed, nothing submitted, nobody enrolled.
    assert formulario.status_code == 200
    assert not formulario.context["form"].is_bound
    assert f'value="{CEDULA}"' in formulario.content.decode()
    assert Beneficiario.objects.filter(cedula=CEDULA).count() == 0
