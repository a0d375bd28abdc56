"""A request is bounded before its body is read: over 12 MB it is refused with 413 and a page
in Spanish (a 50 MB upload kept a worker busy until its timeout); below that, the forms' own
limits speak."""

import io

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import HttpResponse
from django.test import Client, RequestFactory
from django.urls import reverse

from casmul import hojas
from casmul.cargas import LimiteDeSolicitud
from casmul.roles import Rol
from casmul.services import usuario_con_rol_guardar
from centros.models import CifraMensual

MB = 1024 * 1024
LIMITE = "casmul.cargas.LimiteDeSolicitud"
CABECERAS = "casmul.middleware.CabecerasDeSeguridad"


class CuerpoQueNoSeLee(io.RawIOBase):
    """A request body that fails the test if anyone reads it."""

    def read(self, *args):
        raise AssertionError("the body was read")

    readline = readinto = read


def _vista(request):
    return HttpResponse("leída")


def _post(ruta: str, tamano: int):
    return RequestFactory().generic(
        "POST",
        ruta,
        content_type="multipart/form-data; boundary=x",
        CONTENT_LENGTH=str(tamano),
        **{"wsgi.input": CuerpoQueNoSeLee()},
    )


def test_the_limit_is_the_first_middleware_so_nothing_reads_a_refused_request():
    # Only the security headers' middleware is outside it, and reads nothing of the request
    # (tests/casmul/test_seguridad_cabeceras.py: the 413 carries the headers).
    assert settings.MIDDLEWARE[:2] == [CABECERAS, LIMITE]


def test_the_settings_bound_what_a_request_may_carry():
    assert settings.SOLICITUD_TAMANO_MAXIMO == 12 * MB
    # Larger than the largest file a form takes, so that the form's message speaks first.
    assert settings.SOLICITUD_TAMANO_MAXIMO > hojas.TAMANO_MAXIMO
    # Files above this go to a temporary file while they arrive, not to memory.
    assert settings.FILE_UPLOAD_MAX_MEMORY_SIZE <= 2.5 * MB
    assert settings.DATA_UPLOAD_MAX_MEMORY_SIZE <= 2.5 * MB
    assert settings.DATA_UPLOAD_MAX_NUMBER_FIELDS == 1000
    assert settings.DATA_UPLOAD_MAX_NUMBER_FILES == 10
    assert settings.MIDDLEWARE_CARGAS == [CABECERAS, LIMITE]


def test_a_request_over_the_limit_is_refused_with_413_before_its_body_is_read():
    respuesta = LimiteDeSolicitud(_vista)(_post("/importar/cifras/", 50 * MB))

    assert respuesta.status_code == 413
    html = respuesta.content.decode()
    assert "El archivo es demasiado grande" in html
    assert "Lo que intentó enviar pesa 50,0 MB y el máximo es 12 MB." in html


def test_a_request_within_the_limit_reaches_the_view():
    for tamano in (0, 12 * MB):
        respuesta = LimiteDeSolicitud(_vista)(_post("/importar/cifras/", tamano))

        assert (respuesta.status_code, respuesta.content) == (200, "leída".encode())


def test_a_request_without_a_readable_length_reaches_the_view():
    # Django then reads no body at all: nothing to bound.
    for longitud in ("", "muchos"):
        solicitud = RequestFactory().get("/")
        solicitud.META["CONTENT_LENGTH"] = longitud

        assert LimiteDeSolicitud(_vista)(solicitud).status_code == 200


def test_the_public_verification_takes_a_published_pdf_of_up_to_50_mb():
    ruta = reverse("publicaciones:verificar")

    assert LimiteDeSolicitud(_vista)(_post(ruta, 40 * MB)).status_code == 200
    assert LimiteDeSolicitud(_vista)(_post(ruta, 60 * MB)).status_code == 413


@pytest.fixture
def administracion(db):
    usuario = usuario_con_rol_guardar(
        username="administracion", password="clave-de-prueba-1", rol=Rol.ADMINISTRACION
    )
    cliente = Client()
    cliente.force_login(usuario)
    return cliente


@pytest.mark.parametrize(
    "ruta",
    [reverse("admin:centros_ciframensual_import"), reverse("importar_tipo", args=["cifras"])],
    ids=["admin", "portal"],
)
def test_an_import_over_the_limit_is_refused_at_once_in_spanish(administracion, ruta, monkeypatch):
    def _no_leer(*args, **kwargs):
        raise AssertionError("the file was read")

    # Where the formats read the file (casmul.hojas.resources.FormatoHoja).
    monkeypatch.setattr(hojas.resources, "hoja_leer", _no_leer)
    archivo = SimpleUploadedFile("cifras.csv", b"a" * (13 * MB))

    respuesta = administracion.post(ruta, {"format": "0", "import_file": archivo})

    assert respuesta.status_code == 413
    assert "pesa 13,0 MB y el máximo es 12 MB" in respuesta.content.decode()
    assert CifraMensual.objects.count() == 0


def test_an_import_within_the_request_limit_gets_the_forms_own_message(administracion):
    archivo = SimpleUploadedFile("cifras.csv", b"a" * (11 * MB))

    respuesta = administracion.post(
        reverse("admin:centros_ciframensual_import"), {"format": "0", "import_file": archivo}
    )

    assert respuesta.status_code == 200
    assert respuesta.context["form"].errors["import_file"] == [
        "El archivo pesa 11,0 MB y el máximo es 10 MB: quite las hojas y filas que no sean "
        "datos, o divídalo en varios archivos."
    ]
