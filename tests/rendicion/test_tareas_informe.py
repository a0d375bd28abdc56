"""The report's long work runs as background tasks: publishing from the page and preparing the
PDF enqueue a task and lead to its page, which ends with the result (the archive, the file) or
with the reason it failed and a way to retry; only who asked sees it (the immediate backend of
the test settings runs each task inside the request)."""

from unittest import mock

import pytest
from django.test import Client
from django.urls import reverse

from casmul.roles import Rol
from rendicion.models import Publicacion
from rendicion.services import informe_publicar
from tests.factories import UserFactory

pytestmark = pytest.mark.usefixtures("datos_2023")


@pytest.fixture
def coordinacion(db):
    return UserFactory(roles=[Rol.COORDINACION])


def _cliente(usuario) -> Client:
    cliente = Client()
    cliente.force_login(usuario)
    return cliente


def _publicar(cliente) -> str:
    """Publishes 2023 from its page; returns the task page it leads to."""
    respuesta = cliente.post(reverse("rendicion:publicar", args=[2023]), {"revisado": "on"})
    assert respuesta.status_code == 302
    return respuesta["Location"]


def test_publishing_from_the_page_runs_as_a_task_whose_page_links_the_archive(coordinacion):
    cliente = _cliente(coordinacion)

    pagina_tarea = _publicar(cliente)
    pagina = cliente.get(pagina_tarea)
    estado = cliente.get(pagina_tarea.rstrip("/") + ".json")

    assert Publicacion.objects.get().publicado_por == coordinacion
    contenido = pagina.content.decode()
    assert "terminado" in contenido
    assert "Se publicó" in contenido
    assert f'href="{reverse("publicaciones:archivo")}"' in contenido
    assert estado.json() == {"estado": "terminado", "terminada": True}
    # The page names the task and what it is for, not only its state.
    assert "<h1>Publicar el informe de rendición de cuentas 2023</h1>" in contenido
    assert "Genera y guarda el PDF, el HTML, el libro de tablas" in contenido
    # Finished: nothing left to poll.
    assert "tarea.js" not in contenido


def test_a_task_is_seen_only_by_who_asked_and_by_the_administration(coordinacion):
    pagina_tarea = _publicar(_cliente(coordinacion))
    otra = _cliente(UserFactory(roles=[Rol.COORDINACION]))
    administracion = _cliente(UserFactory(roles=[Rol.ADMINISTRACION]))

    assert otra.get(pagina_tarea).status_code == 404
    assert otra.get(pagina_tarea.rstrip("/") + ".json").status_code == 404
    assert otra.post(pagina_tarea + "reintentar/").status_code == 404
    assert administracion.get(pagina_tarea).status_code == 200
    assert Client().get(pagina_tarea).status_code == 302  # to the login page


def test_a_publication_failing_half_way_writes_nothing_and_reintentar_publishes(coordinacion):
    cliente = _cliente(coordinacion)
    guardar = Publicacion.save

    def guardar_y_fallar(publicacion, *args, **kwargs):
        guardar(publicacion, *args, **kwargs)
        raise RuntimeError("disco lleno")

    # Given a failure after the publication's row is written
    with mock.patch.object(Publicacion, "save", guardar_y_fallar):
        pagina_tarea = _publicar(cliente)
    # When the task's page is read, then retried
    fallida = cliente.get(pagina_tarea).content.decode()
    publicadas_tras_el_fallo = Publicacion.objects.count()
    reintento = cliente.post(pagina_tarea + "reintentar/")
    nueva = cliente.get(reintento["Location"]).content.decode()

    # Then nothing was published, the page says so in Spanish, and the retry publishes
    assert publicadas_tras_el_fallo == 0
    assert "falló" in fallida
    assert "error inesperado" in fallida and "disco lleno" not in fallida
    assert "Reintentar" in fallida
    assert reintento["Location"] != pagina_tarea
    assert "terminado" in nueva
    assert Publicacion.objects.get().version == 1


def test_a_refused_publication_shows_the_services_reason(coordinacion):
    informe_publicar(anio=2023, usuario=coordinacion)
    cliente = _cliente(coordinacion)

    respuesta = cliente.post(
        reverse("rendicion:publicar", args=[2023]), {"motivo": "Nada", "revisado": "on"}
    )
    pagina = cliente.get(respuesta["Location"]).content.decode()

    assert "falló" in pagina
    assert "una nueva versión es una fe de erratas" in pagina
    assert Publicacion.objects.count() == 1


def test_the_prepared_pdf_is_served_only_to_its_owner_and_never_cached(coordinacion, settings):
    cliente = _cliente(coordinacion)

    respuesta = cliente.post(reverse("rendicion:informe_pdf", args=[2023]) + "?borrador=1")
    pagina_tarea = respuesta["Location"]
    pagina = cliente.get(pagina_tarea).content.decode()
    descarga = cliente.get(pagina_tarea + "archivo/")
    ajena = _cliente(UserFactory(roles=[Rol.COORDINACION])).get(pagina_tarea + "archivo/")

    assert "terminado" in pagina
    assert f'href="{pagina_tarea}archivo/"' in pagina
    assert descarga.status_code == 200
    assert b"".join(descarga.streaming_content).startswith(b"%PDF")
    assert descarga["Cache-Control"] == "no-store"
    assert 'filename="informe-rendicion-2023-borrador.pdf"' in descarga["Content-Disposition"]
    assert ajena.status_code == 404
    # Kept under MEDIA_ROOT/generados/ with a random name, reachable only through the task.
    generados = list((settings.MEDIA_ROOT / "generados").iterdir())
    assert len(generados) == 1 and generados[0].suffix == ".pdf"


def test_the_report_page_offers_the_pdf_in_the_background_and_the_direct_download(
    coordinacion,
):
    pagina = _cliente(coordinacion).get(reverse("rendicion:informe", args=[2023]))

    contenido = pagina.content.decode()
    assert "Preparar el PDF en segundo plano" in contenido
    assert 'data-descarga="estado-descarga"' in contenido
