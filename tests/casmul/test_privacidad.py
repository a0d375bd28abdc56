"""What the browser may keep and load (LOPDP): `Cache-Control: no-store` on every response to
a logged-in user, the public archive cacheable, and a Content-Security-Policy without inline
scripts or styles on every page."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from casmul.roles import Rol
from centros.models import Centro
from tests.factories import UserFactory

POLITICA = [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "object-src 'none'",
    "base-uri 'self'",
    "frame-ancestors 'none'",
    "form-action 'self'",
]


@pytest.fixture
def administracion(client, datos_2023):
    client.force_login(UserFactory(roles=[Rol.ADMINISTRACION]))
    return client


def _paginas():
    centro = Centro.objects.order_by("pk").first()
    return {
        "inicio": reverse("inicio"),
        "mes": reverse("centros:mes", args=[centro.pk, 2023, 1]),
        "informe": reverse("rendicion:informe", args=[2023]),
        "pdf": reverse("rendicion:informe_pdf", args=[2023]),
        "exportacion": reverse("centros:beneficiarios_exportar") + "?formato=csv",
        "beneficiarios": reverse("centros:beneficiarios"),
        "completitud": reverse("centros:completitud", args=[2023]),
    }


@pytest.mark.parametrize(
    "pagina",
    ["inicio", "mes", "informe", "pdf", "exportacion", "beneficiarios", "completitud"],
)
def test_every_page_for_a_logged_in_user_is_no_store(administracion, pagina):
    respuesta = administracion.get(_paginas()[pagina])
    assert respuesta.status_code == 200
    assert "no-store" in respuesta["Cache-Control"]


def test_the_public_archive_may_be_cached_by_anonymous_visitors(datos_2023):
    respuesta = Client().get(reverse("publicaciones:archivo"))
    assert respuesta.status_code == 200
    assert "no-store" not in respuesta.get("Cache-Control", "")


def test_a_response_that_chose_its_cache_control_keeps_it(rf):
    from django.http import HttpResponse

    from casmul.privacidad import SinCacheParaUsuarios

    def vista(request):
        respuesta = HttpResponse("publicado")
        respuesta["Cache-Control"] = "public, max-age=31536000, immutable"
        return respuesta

    request = rf.get("/")
    request.COOKIES["sessionid"] = "x"
    request.user = UserFactory.build()
    respuesta = SinCacheParaUsuarios(vista)(request)
    assert respuesta["Cache-Control"] == "public, max-age=31536000, immutable"


def test_the_admin_is_no_store_too(admin_client, db):
    respuesta = admin_client.get(reverse("admin:centros_beneficiario_changelist"))
    assert "no-store" in respuesta["Cache-Control"]


@pytest.mark.parametrize("pagina", ["inicio", "informe", "admin"])
def test_every_page_sends_the_content_security_policy(administracion, admin_client, pagina):
    if pagina == "admin":
        respuesta = admin_client.get(reverse("admin:centros_beneficiario_changelist"))
    else:
        respuesta = administracion.get(_paginas()[pagina])
    politica = respuesta["Content-Security-Policy"]
    directivas = {d.strip() for d in politica.split(";")}
    estilos = next(d for d in directivas if d.startswith("style-src"))
    # Only the report page carries an inline stylesheet, allowed by this request's nonce.
    if pagina == "informe":
        assert re.fullmatch(r"style-src 'self' 'nonce-[\w+/=-]+'", estilos)
        directivas = (directivas - {estilos}) | {"style-src 'self'"}
    assert set(POLITICA) <= directivas
    assert "unsafe-inline" not in politica


def test_the_login_page_sends_the_policy_too(db):
    assert "script-src 'self'" in Client().get(reverse("login"))["Content-Security-Policy"]
