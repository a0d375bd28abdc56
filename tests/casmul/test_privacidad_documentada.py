"""Each claim of docs/privacy.md, numbered as there ([P1]…[P15]), checked against the portal."""

import datetime
import json
import logging
import re
import runpy
from pathlib import Path

import pytest
from axes.models import AccessAttempt, AccessLog
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from casmul.roles import Rol
from centros.models import Beneficiario
from centros.services import beneficiario_anonimizar
from tests.factories import CentroFactory, InscripcionFactory, UserFactory

CEDULA = "1104680135"
RAIZ = Path(__file__).resolve().parents[2]
DOCUMENTO = RAIZ / "docs" / "privacy.md"
INSTALACION = RAIZ / "docs" / "deploy.md"


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


def test_p13_a_cedula_typed_in_the_name_box_does_not_reach_a_url_or_a_log(mundo):
    cliente = _cliente(mundo["propio"])

    html = cliente.get(reverse("centros:beneficiarios")).content.decode()
    entrada = re.search(r'<input[^>]*name="nombre"[^>]*>', html).group(0)
    assert 'pattern="[^0-9]*"' in entrada
    respuesta = cliente.get(reverse("centros:beneficiarios"), {"nombre": CEDULA})
    assert respuesta.status_code == 303 and CEDULA not in respuesta["Location"]
    assert "buscador de cédula" in cliente.get(respuesta["Location"]).content.decode()
    # gunicorn: method and path, not the query (%(q)s, %(r)s) nor the referrer (%(f)s).
    formato = runpy.run_path(str(RAIZ / "gunicorn.conf.py"))["access_log_format"]
    assert "%(U)s" in formato
    assert not {"%(q)s", "%(r)s", "%(f)s"} & set(re.findall(r"%\(\w+\)s", formato))
    # nginx, as docs/deploy.md configures it: $uri, never $request, $args or $http_referer.
    nginx = re.search(r"log_format casmul (.*?);", INSTALACION.read_text(encoding="utf-8"), re.S)
    assert "$uri" in nginx.group(1)
    assert not re.search(r"\$(request|args|query_string|http_referer)\b", nginx.group(1))


def test_p14_the_server_keeps_the_journal_as_long_as_the_access_records():
    instalacion = INSTALACION.read_text(encoding="utf-8")

    retencion = re.search(r"^MaxRetentionSec=(\d+)day$", instalacion, re.M)
    assert retencion and int(retencion.group(1)) == settings.CASMUL_RETENCION_ACCESOS_DIAS
    assert "journald.conf.d" in instalacion


def test_p15_axes_records_are_deleted_daily_after_180_days_but_a_lockout_in_force(db, settings):
    assert settings.CASMUL_RETENCION_ACCESOS_DIAS == 180
    assert "ExecStart=/srv/casmul/app/.venv/bin/python manage.py accesos_depurar" in (
        INSTALACION.read_text(encoding="utf-8")
    )
    hace_181_dias = timezone.now() - datetime.timedelta(days=181)
    settings.AXES_COOLOFF_TIME = None  # locked out until the administration lifts it
    for usuario, fallos in (("tipeo", 1), ("bloqueada", settings.AXES_FAILURE_LIMIT)):
        AccessAttempt.objects.create(username=usuario, failures_since_start=fallos)
        AccessLog.objects.create(username=usuario)
    AccessAttempt.objects.update(attempt_time=hace_181_dias)
    AccessLog.objects.filter(username="tipeo").update(attempt_time=hace_181_dias)

    call_command("accesos_depurar", verbosity=0)

    assert list(AccessAttempt.objects.values_list("username", flat=True)) == ["bloqueada"]
    assert list(AccessLog.objects.values_list("username", flat=True)) == ["bloqueada"]
