"""The admin's pages of django-axes, where the Administración unlocks an account, read in
Spanish (axes ships no Spanish: casmul/locale translates it), with a "Desbloquear" action."""

import gettext
import re
from pathlib import Path

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.apps import apps
from django.contrib.admin.models import DELETION, LogEntry
from django.test import Client
from django.urls import reverse

from casmul.roles import Rol
from casmul.services import usuario_con_rol_guardar

CLAVE = "clave-de-prueba-1"
DIRECCION = "203.0.113.7"
CATALOGO = Path(apps.get_app_config("casmul").path) / "locale" / "es" / "LC_MESSAGES"
MODELOS = ["accessattempt", "accesslog", "accessfailurelog"]


@pytest.fixture
def administracion(db):
    """An administration account as the portal creates it (`manage.py usuario`)."""
    usuario = usuario_con_rol_guardar(username="admin", password=CLAVE, rol=Rol.ADMINISTRACION)
    cliente = Client()
    cliente.force_login(usuario)
    return cliente


def _fallar(cliente, usuario: str, veces: int) -> None:
    for _ in range(veces):
        cliente.post(
            reverse("login"),
            {"username": usuario, "password": "no-es-la-clave"},
            REMOTE_ADDR=DIRECCION,
        )


def _ingresar(cliente, usuario: str):
    return cliente.post(
        reverse("login"), {"username": usuario, "password": CLAVE}, REMOTE_ADDR=DIRECCION
    )


@pytest.fixture
def registros(administracion):
    """A locked-out account, one with two typos, a login and a logged failure."""
    for usuario in ("maria", "pedro"):
        usuario_con_rol_guardar(username=usuario, password=CLAVE, rol=Rol.PERSONAL_CENTRO)
    _fallar(Client(), "maria", 5)
    _fallar(Client(), "pedro", 2)
    AccessLog.objects.create(username="pedro", ip_address=DIRECCION, path_info="/ingresar/")
    AccessFailureLog.objects.create(
        username="pedro", ip_address=DIRECCION, path_info="/ingresar/", locked_out=False
    )


def test_axes_is_installed_under_a_spanish_name():
    assert apps.get_app_config("axes").verbose_name == "Ingresos y bloqueos"


def test_the_admin_index_names_axes_and_its_models_in_spanish(administracion):
    html = administracion.get(reverse("admin:index")).content.decode()

    for texto in (
        "Ingresos y bloqueos",
        "Intentos fallidos de ingreso",
        "Ingresos al portal",
        "Fallos de ingreso",
    ):
        assert texto in html
    for ingles in (">Axes<", "Access attempts", "Access logs", "Access failures"):
        assert ingles not in html


def test_the_failed_attempts_page_reads_in_spanish_with_an_unlock_action(administracion, registros):
    html = administracion.get(reverse("admin:axes_accessattempt_changelist")).content.decode()

    for texto in (
        "Seleccione intento fallido de ingreso a modificar",
        "Fecha y hora",
        "Dirección IP",
        "Navegador",
        "Usuario",
        "Ruta",
        "Intentos fallidos",
        "Estado",
        "Bloqueado",
        "Le quedan 3 intentos",
        "Desbloquear: borrar los intentos fallidos seleccionados",
        "Borrar los intentos fallidos vencidos",
        "Eliminar intentos fallidos de ingreso seleccionado/s",
    ):
        assert texto in html, texto
    for ingles in (
        "Access attempt",
        "access attempt",
        "Attempt Time",
        "IP Address",
        "User Agent",
        "Username",
        "Failed Logins",
        "Status",
        "Locked Out",
        "Attempt Remaining",
        "Clean up expired attempts",
    ):
        assert ingles not in html, ingles


@pytest.mark.parametrize(
    ("modelo", "titulo", "columnas"),
    [
        ("accesslog", "Seleccione ingreso al portal a modificar", ["Salida", "Navegador"]),
        ("accessfailurelog", "Seleccione fallo de ingreso a modificar", ["Bloqueó el ingreso"]),
    ],
)
def test_the_logins_and_failures_pages_read_in_spanish(
    administracion, registros, modelo, titulo, columnas
):
    html = administracion.get(reverse(f"admin:axes_{modelo}_changelist")).content.decode()

    for texto in (titulo, "Fecha y hora", "Dirección IP", "Usuario", "Ruta", *columnas):
        assert texto in html, texto
    for ingles in ("Access log", "Access failure", "Attempt Time", "IP Address", "Username"):
        assert ingles not in html, ingles


@pytest.mark.parametrize("modelo", MODELOS)
def test_a_record_s_page_reads_in_spanish(administracion, registros, modelo):
    registro = apps.get_model("axes", modelo).objects.first()

    html = administracion.get(
        reverse(f"admin:axes_{modelo}_change", args=[registro.pk])
    ).content.decode()

    assert "Datos de la conexión" in html and "Cabecera Accept" in html
    assert "Meta Data" not in html and "HTTP Accept" not in html


def test_desbloquear_lets_the_locked_out_account_in_again_and_says_so(administracion, registros):
    persona = Client()
    assert _ingresar(persona, "maria").status_code == 429
    bloqueo = AccessAttempt.objects.get(username="maria")

    respuesta = administracion.post(
        reverse("admin:axes_accessattempt_changelist"),
        {"action": "desbloquear", "_selected_action": [bloqueo.pk]},
        follow=True,
    )

    assert "Desbloqueado (1 registro de intentos fallidos borrado)" in respuesta.content.decode()
    assert list(AccessAttempt.objects.values_list("username", flat=True)) == ["pedro"]
    assert LogEntry.objects.filter(action_flag=DELETION, object_id=str(bloqueo.pk)).exists()
    assert _ingresar(persona, "maria").status_code == 302


def _po(texto: str) -> dict[str, str]:
    """msgid → msgstr of a .po file (this file's simple form: no plurals); a message with a
    context is keyed as gettext keys it: the context, the EOT character, the msgid."""
    entradas = {}
    for bloque in re.split(r"\n\s*\n", texto):
        partes = re.search(r'^msgid ((?:".*"\n?)+)msgstr ((?:".*"\n?)+)', bloque, re.M)
        if partes:
            msgid, msgstr = (
                "".join(re.findall(r'"(.*)"', p)).replace("\\n", "\n").replace('\\"', '"')
                for p in partes.groups()
            )
            if contexto := re.search(r'^msgctxt "(.*)"$', bloque, re.M):
                msgid = f"{contexto[1]}\x04{msgid}"
            entradas[msgid] = msgstr
    return entradas


def test_the_compiled_catalogue_matches_its_source():
    """The .mo Django reads was compiled from the .po as it is now (msgfmt, see the .po)."""
    fuente = _po((CATALOGO / "django.po").read_text(encoding="utf-8"))
    with (CATALOGO / "django.mo").open("rb") as archivo:
        compilado = gettext.GNUTranslations(archivo)

    del fuente[""]
    assert len(fuente) >= 30
    assert {msgid: compilado.gettext(msgid) for msgid in fuente} == fuente
    assert set(compilado._catalog) - {""} == set(fuente)
