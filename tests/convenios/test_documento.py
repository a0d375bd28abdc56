"""The signed document: only a real PDF of at most 10 MB comes in, and it goes out only as a
download, to the coordination and the administration, never through MEDIA_URL."""

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from casmul.roles import Rol
from convenios.forms import TAMANO_MAXIMO_DOCUMENTO
from convenios.models import Convenio
from tests.factories import ConvenioFactory, UserFactory

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n"


def _datos(documento, **cambios):
    return {
        "titulo": "Convenio de cooperación",
        "tipo": "interinstitucional",
        "fecha_inicio": "01/01/2025",
        "fecha_fin": "31/12/2025",
        "objeto": "Cooperación.",
        "documento": documento,
        **cambios,
    }


@pytest.fixture
def admin_(client):
    client.force_login(UserFactory(roles=[Rol.ADMINISTRACION]))
    return client


def test_a_real_pdf_is_stored_under_a_pdf_name(admin_):
    subido = SimpleUploadedFile("Convenio firmado (final).PDF", PDF, "application/pdf")

    respuesta = admin_.post(reverse("convenios:crear"), _datos(subido))

    assert respuesta.status_code == 302
    convenio = Convenio.objects.get()
    assert convenio.documento.name.startswith("convenios/convenio-firmado-final")
    assert convenio.documento.name.endswith(".pdf")
    assert convenio.documento.read() == PDF


def test_a_fake_pdf_with_a_pdf_name_and_type_is_refused(admin_):
    falso = SimpleUploadedFile(
        "convenio.pdf", b"<html><script>x</script></html>", "application/pdf"
    )

    respuesta = admin_.post(reverse("convenios:crear"), _datos(falso))

    assert respuesta.status_code == 400
    assert "El documento no es un PDF" in respuesta.text
    assert not Convenio.objects.exists()


def test_a_pdf_over_10_mb_is_refused(admin_):
    grande = SimpleUploadedFile(
        "grande.pdf", PDF + b"0" * (TAMANO_MAXIMO_DOCUMENTO + 1 - len(PDF)), "application/pdf"
    )

    respuesta = admin_.post(reverse("convenios:crear"), _datos(grande))

    assert respuesta.status_code == 400
    assert "pesa más de 10 MB" in respuesta.text
    assert not Convenio.objects.exists()


def test_a_pdf_of_exactly_10_mb_is_accepted(admin_):
    justo = SimpleUploadedFile(
        "justo.pdf", PDF + b"0" * (TAMANO_MAXIMO_DOCUMENTO - len(PDF)), "application/pdf"
    )

    assert admin_.post(reverse("convenios:crear"), _datos(justo)).status_code == 302


def test_editing_without_a_new_file_keeps_the_stored_document(admin_):
    convenio = ConvenioFactory(fecha_inicio=None, fecha_fin=None)
    convenio.documento.save("firmado.pdf", ContentFile(PDF))

    respuesta = admin_.post(
        reverse("convenios:editar", args=[convenio.pk]),
        {k: v for k, v in _datos(None).items() if k != "documento"},
    )

    assert respuesta.status_code == 302
    convenio.refresh_from_db()
    assert convenio.documento.read() == PDF


# --- Download ----------------------------------------------------------------------------------


@pytest.fixture
def con_documento():
    convenio = ConvenioFactory()
    convenio.documento.save("firmado.pdf", ContentFile(PDF))
    return convenio


@pytest.mark.parametrize("rol", [Rol.ADMINISTRACION, Rol.COORDINACION])
def test_download_is_an_uncached_pdf_attachment(client, con_documento, rol):
    client.force_login(UserFactory(roles=[rol]))

    respuesta = client.get(reverse("convenios:documento", args=[con_documento.pk]))

    assert respuesta.status_code == 200
    assert b"".join(respuesta.streaming_content) == PDF
    assert respuesta["Content-Type"] == "application/pdf"
    assert respuesta["Content-Disposition"] == (
        f'attachment; filename="convenio-{con_documento.pk}.pdf"'
    )
    assert respuesta["Cache-Control"] == "no-store"


def test_centre_staff_get_403_on_download(client, con_documento):
    client.force_login(UserFactory(roles=[Rol.PERSONAL_CENTRO]))

    assert client.get(reverse("convenios:documento", args=[con_documento.pk])).status_code == 403


def test_anonymous_download_goes_to_login(client, con_documento):
    respuesta = client.get(reverse("convenios:documento", args=[con_documento.pk]))

    assert respuesta.status_code == 302
    assert respuesta["Location"].startswith(reverse("login"))


def test_an_agreement_without_document_has_nothing_to_download(admin_):
    convenio = ConvenioFactory()

    assert admin_.get(reverse("convenios:documento", args=[convenio.pk])).status_code == 404


def test_the_page_links_the_download_view_never_the_media_file(admin_, con_documento):
    texto = admin_.get(reverse("convenios:detalle", args=[con_documento.pk])).text

    assert reverse("convenios:documento", args=[con_documento.pk]) in texto
    assert settings.MEDIA_URL not in texto
    assert con_documento.documento.name not in texto


def test_the_edit_form_links_the_stored_document_through_the_download_view(admin_, con_documento):
    texto = admin_.get(reverse("convenios:editar", args=[con_documento.pk])).text

    assert f'href="{reverse("convenios:documento", args=[con_documento.pk])}"' in texto
    assert settings.MEDIA_URL not in texto
    assert "documento-clear" in texto  # it can still be removed
