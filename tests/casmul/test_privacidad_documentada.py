"""Each claim of docs/privacy.md, numbered as there ([P1]…[P12]), checked against the portal."""

import json
import logging
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from casmul.roles import Rol
from centros.models import Beneficiario
from centros.services import beneficiario_anonimizar
from tests.factories import CentroFactory, InscripcionFactory, UserFactory

CEDULA = "1104680135"
DOCUMENTO = Path(__file__).resolve().parents[2] / "docs" / "privacy.md"


@pytest.fixture
def mundo(db):
    propio = UserFactory(roles=[Rol.PERSONAL_CENTRO])
    centro = CentroFactory(personal_asignado=[propio])
    otro = CentroFactory()
    mia = InscripcionFactory(
        centro=centro, beneficiario__cedula=CEDULA, beneficiario__apellidos="Quezada"
    )
    ajena = InscripcionFactory(centro=otro)
    return {
        "propio": propio,
        "mia": mia.beneficiario,
        "ajena": ajena.beneficiario,
        "coordinacion": UserFactory(roles=[Rol.COORDINACION], is_staff=True),
        "administracion": UserFactory(roles=[Rol.ADMINISTRACION], is_staff=True),
    }


def _cliente(usuario) -> Client:
    cliente = Client()
    cliente.force_login(usuario)
    return cliente


def _ficha(persona) -> str:
    return reverse("centros:beneficiario", args=[persona.pk])


def test_every_claim_of_the_document_has_its_test():
    marcas = set(re.findall(r"\[P(\d+)\]", DOCUMENTO.read_text(encoding="utf-8")))
    probadas = {m for nombre in globals() for m in re.findall(r"^test_p(\d+)_", nombre) if nombre}
    assert marcas == probadas


def test_p1_staff_see_their_centres_people_and_no_other(mundo):
    cliente = _cliente(mundo["propio"])

    assert cliente.get(_ficha(mundo["mia"])).status_code == 200
    assert cliente.get(_ficha(mundo["ajena"])).status_code == 404


def test_p2_the_coordination_sees_counts_not_people(mundo):
    cliente = _cliente(mundo["coordinacion"])

    assert cliente.get(reverse("centros:beneficiarios")).status_code == 403
    assert cliente.get(_ficha(mundo["mia"])).status_code == 403
    assert cliente.get(reverse("centros:beneficiarios_resumen", args=[2024])).status_code == 200
    admin = cliente.get(reverse("admin:centros_beneficiario_changelist"))
    assert admin.status_code == 302 and admin["Location"].startswith(reverse("admin:login"))


def test_p3_the_cedula_is_searched_by_post_and_never_by_the_admin_s_get_box(mundo):
    cliente = _cliente(mundo["administracion"])

    assert cliente.get(reverse("centros:beneficiarios_buscar")).status_code == 405
    por_get = cliente.get(reverse("admin:centros_beneficiario_changelist"), {"q": CEDULA})
    assert "Quezada" not in por_get.content.decode()
    encontrada = cliente.post(reverse("centros:beneficiarios_buscar"), {"cedula": CEDULA})
    assert CEDULA not in encontrada.get("Location", "")


def test_p4_lists_and_downloads_mask_the_cedula_but_for_the_administration(mundo):
    personal = _cliente(mundo["propio"])

    lista = personal.get(reverse("centros:beneficiarios")).content.decode()
    descarga = personal.get(reverse("centros:beneficiarios_exportar"), {"formato": "csv"})
    assert CEDULA not in lista and mundo["mia"].cedula_enmascarada in lista
    assert CEDULA not in descarga.content.decode("utf-8-sig")
    assert CEDULA in personal.get(_ficha(mundo["mia"])).content.decode()


def test_p5_each_access_is_one_line_with_who_and_what_and_no_cedula(mundo, caplog):
    cliente = _cliente(mundo["propio"])

    with caplog.at_level(logging.INFO):
        cliente.get(_ficha(mundo["mia"]))
        cliente.post(reverse("centros:beneficiarios_buscar"), {"cedula": CEDULA})

    lineas = [r.getMessage() for r in caplog.records if r.name == "casmul.datos_personales"]
    assert len(lineas) == 2
    assert all(mundo["propio"].get_username() in linea for linea in lineas)
    assert not [r for r in caplog.records if CEDULA in r.getMessage()]
    assert not [r for r in caplog.records if "Quezada" in r.getMessage()]


def test_p6_the_access_log_goes_to_the_service_s_standard_output():
    registro = logging.getLogger("casmul.datos_personales")
    manejadores = [m for r in (registro, *_padres(registro)) for m in r.handlers]

    assert registro.getEffectiveLevel() <= logging.INFO
    assert any(isinstance(m, logging.StreamHandler) for m in manejadores)
    assert "casmul" in settings.LOGGING["loggers"]


def _padres(registro):
    while registro.parent is not None and registro.propagate:
        registro = registro.parent
        yield registro


def test_p7_pages_for_a_logged_in_user_are_not_stored(mundo):
    respuesta = _cliente(mundo["propio"]).get(reverse("centros:beneficiarios"))

    assert "no-store" in respuesta["Cache-Control"]


def test_p8_the_content_security_policy_allows_no_inline_script(mundo):
    politica = _cliente(mundo["propio"]).get(reverse("inicio"))["Content-Security-Policy"]

    assert "script-src 'self'" in politica and "unsafe-inline" not in politica


def test_p9_sessions_end_when_idle_after_a_maximum_and_on_a_password_change(mundo):
    assert settings.SESSION_INACTIVIDAD_SEGUNDOS == 30 * 60
    assert settings.SESSION_DURACION_MAXIMA_SEGUNDOS == 10 * 60 * 60
    cliente = _cliente(mundo["propio"])
    usuario = get_user_model().objects.get(pk=mundo["propio"].pk)
    usuario.set_password("otra-clave-larga-de-prueba-9")
    usuario.save()

    respuesta = cliente.get(reverse("centros:beneficiarios"))
    assert respuesta.status_code == 302 and reverse("login") in respuesta["Location"]


def test_p10_files_kept_for_an_import_are_outside_the_public_files():
    importaciones = Path(settings.IMPORTACIONES_ROOT).resolve()
    publicos = Path(settings.MEDIA_ROOT).resolve()

    assert publicos not in importaciones.parents and importaciones != publicos


def test_p11_the_administration_exports_a_person_s_data_and_it_is_logged(mundo, caplog):
    with caplog.at_level(logging.INFO, logger="casmul.datos_personales"):
        respuesta = _cliente(mundo["administracion"]).get(
            reverse("centros:beneficiario_exportar", args=[mundo["mia"].pk])
        )

    datos = json.loads(b"".join(respuesta) if respuesta.streaming else respuesta.content)
    assert CEDULA in json.dumps(datos)
    assert "no-store" in respuesta["Cache-Control"]
    assert [r for r in caplog.records if r.name == "casmul.datos_personales"]
    staff = _cliente(mundo["propio"])
    assert (
        staff.get(reverse("centros:beneficiario_exportar", args=[mundo["mia"].pk])).status_code
        == 403
    )


def test_p12_anonymising_erases_who_the_person_was_and_keeps_the_counts(mundo):
    persona = mundo["mia"]

    beneficiario_anonimizar(
        beneficiario=persona, usuario=mundo["administracion"], motivo="Pedido de la persona"
    )

    persona.refresh_from_db()
    assert (persona.apellidos, persona.nombres) == ("Persona", "anonimizada")
    assert not Beneficiario.objects.filter(cedula=CEDULA).exists()
    assert not Beneficiario.history.filter(cedula=CEDULA).exists()
    assert not Beneficiario.history.filter(apellidos="Quezada").exists()
    assert persona.inscripciones.count() == 1
