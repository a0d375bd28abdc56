"""The link check of the CPCCS form against a running portal: every link of the published
2023 form answers 200 with the document recorded, and a broken one is listed in the panel."""

import datetime
import io

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from casmul.roles import Rol
from participacion.models import Evidencia, Mecanismo
from rendicion.consistencia import observaciones
from rendicion.cpccs import formulario_cpccs
from rendicion.enlaces import enlaces_comprobar
from rendicion.models import ComprobacionDeEnlace
from rendicion.services import informe_publicar
from tests.factories import UserFactory

pytestmark = pytest.mark.usefixtures("datos_2023")

HOY = datetime.date(2024, 3, 1)


@pytest.fixture
def portal(live_server, settings):
    """The form's links point at the running portal, as they point at the institution's."""
    settings.PORTAL_URL = live_server.url
    return live_server


def test_every_link_of_the_published_2023_form_answers_200_with_its_recorded_document(portal):
    informe_publicar(anio=2023, usuario=UserFactory(roles=[Rol.COORDINACION]), hoy=HOY)

    resultados = enlaces_comprobar(anio=2023)

    urls = {r.url for r in resultados}
    assert {f"{portal.url}/publicaciones/2023/v1/{tipo}/" for tipo in ("pdf", "libro", "cpccs")}
    assert {
        f"{portal.url}/publicaciones/2023/v1/{tipo}/" for tipo in ("pdf", "libro", "cpccs")
    } <= urls
    assert all(r.correcto for r in resultados), [
        (r.url, r.problema) for r in resultados if not r.correcto
    ]
    # The publication's files are compared by their fingerprints, not only by the status.
    assert all(r.sha256_esperado == r.sha256_obtenido for r in resultados if "/v1/" in r.url)
    assert not [o for o in observaciones(anio=2023, hoy=HOY) if "CPCCS" in o.categoria]


def test_a_link_that_does_not_answer_or_changed_its_document_is_listed_in_the_panel(portal):
    informe_publicar(anio=2023, usuario=UserFactory(roles=[Rol.COORDINACION]), hoy=HOY)
    perdida = Evidencia.objects.create(
        anio=2023, titulo="Informe de la veeduría", url=f"{portal.url}/publicaciones/no-existe/"
    )
    Mecanismo.objects.create(
        anio=2023,
        clase="control_social",
        nombre="Veeduría",
        implementado=True,
        veces=1,
        evidencia=perdida,
    )

    enlaces_comprobar(anio=2023)
    # Someone replaces a published file behind the portal's back.
    ComprobacionDeEnlace.objects.filter(url__endswith="/v1/libro/").update(sha256_esperado="0" * 64)
    rotos = {c.url: c.problema for c in ComprobacionDeEnlace.objects.all() if not c.correcto}

    assert rotos[f"{portal.url}/publicaciones/no-existe/"] == "respondió 404"
    assert "otro documento" in rotos[f"{portal.url}/publicaciones/2023/v1/libro/"]
    panel = [o.texto for o in observaciones(anio=2023, hoy=HOY) if "CPCCS" in o.categoria]
    assert any("Veeduría" in texto and "respondió 404" in texto for texto in panel)
    coordinacion = Client()
    coordinacion.force_login(UserFactory(roles=[Rol.COORDINACION]))
    pagina = coordinacion.get(reverse("rendicion:cpccs", args=[2023])).content.decode()
    assert "/publicaciones/no-existe/" in pagina and "respondió 404" in pagina


def test_before_publishing_the_report_s_links_do_not_answer_yet(portal):
    resultados = enlaces_comprobar(anio=2023)

    rotos = {r.url for r in resultados if not r.correcto}
    assert f"{portal.url}/publicaciones/2023/v1/pdf/" in rotos
    assert len(formulario_cpccs(anio=2023).enlaces()) == len(resultados)


def test_the_command_writes_the_workbook_and_the_pdf_and_fails_on_a_broken_link(portal, tmp_path):
    salida = io.StringIO()
    call_command(
        "cpccs",
        "2023",
        "--xlsx",
        str(tmp_path / "f.xlsx"),
        "--pdf",
        str(tmp_path / "f.pdf"),
        stdout=salida,
    )

    assert (tmp_path / "f.xlsx").read_bytes().startswith(b"PK")
    assert (tmp_path / "f.pdf").read_bytes().startswith(b"%PDF-")
    assert "filas sin medio de verificación" in salida.getvalue()
    with pytest.raises(CommandError, match="enlaces correctos"):
        call_command("cpccs", "2023", "--comprobar", stdout=io.StringIO())
