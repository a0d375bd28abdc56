"""Publishing fixes the report: stored files with their SHA-256, never rendered again; a later
correction is an erratum (version 2, with its errata page); anyone can list and download the
published versions and nothing else; a file is verified by its fingerprint."""

import base64
import datetime
import hashlib
import io
import json
import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db import OperationalError
from django.test import Client
from django.urls import reverse
from pypdf import PdfReader

from casmul.meses import Mes
from casmul.roles import Rol
from centros.models import CifraMensual, ReporteMensual
from centros.services import reporte_guardar, reporte_reabrir, reportes_aprobar
from rendicion.models import Publicacion
from rendicion.services import fe_de_erratas_abrir, informe_publicar
from tests.factories import UserFactory

pytestmark = pytest.mark.usefixtures("datos_2023")

HOY = datetime.date(2024, 3, 1)


@pytest.fixture
def coordinacion(db):
    return UserFactory(roles=[Rol.COORDINACION], username="coordinacion")


def _bytes(campo) -> bytes:
    with campo.open("rb") as archivo:
        return archivo.read()


def _corregir_un_mes(coordinacion) -> CifraMensual:
    """The erratum's correction: a month reopened with a reason, corrected, resubmitted and
    approved again. Returns the figure corrected."""
    cifra = (
        CifraMensual.objects.filter(reporte__anio=2023, indicador__agregacion="suma")
        .select_related("reporte__centro", "indicador")
        .order_by("reporte__centro__numero", "reporte__mes")
        .first()
    )
    reporte = reporte_reabrir(
        reporte=cifra.reporte, motivo="Error de digitación", usuario=coordinacion
    )
    reporte = reporte_guardar(
        centro=reporte.centro,
        mes=Mes(2023, reporte.mes),
        valores={cifra.indicador.codigo: cifra.valor + 100},
        version=reporte.version,
        usuario=coordinacion,
        comentario="Se corrige la digitación.",
        enviar=True,
        hoy=HOY,
    )
    reportes_aprobar(
        versiones={reporte.pk: reporte.version}, usuario=coordinacion, advertencias_vistas=True
    )
    cifra.refresh_from_db()
    return cifra


def test_publishing_stores_the_four_files_with_the_sha256_of_their_bytes(coordinacion):
    publicacion = informe_publicar(anio=2023, usuario=coordinacion, hoy=HOY)

    assert (publicacion.version, publicacion.publicado_por) == (1, coordinacion)
    for campo in ("pdf", "html", "libro", "cifras"):
        contenido = _bytes(getattr(publicacion, campo))
        assert hashlib.sha256(contenido).hexdigest() == getattr(publicacion, f"{campo}_sha256")
    texto = "".join(p.extract_text() for p in PdfReader(io.BytesIO(_bytes(publicacion.pdf))).pages)
    assert "Versión 1, publicada el" in texto and "523" in texto
    cifras = json.loads(_bytes(publicacion.cifras))
    usuarios = [c for c in cifras["cifras"] if c["indicador"] == "usuarios_inscritos"]
    assert usuarios and all(c["regla"] == "Máximo mensual (existencia)" for c in usuarios)
    assert all(c["meses"] >= 1 for c in cifras["cifras"])
    assert (
        cifras["meses_de_operacion"]["aprobados"]
        == ReporteMensual.objects.filter(anio=2023, estado="aprobado").count()
    )


def test_a_publish_that_fails_after_writing_its_files_leaves_none_behind(
    coordinacion, settings, monkeypatch
):
    def base_caida(*args, **kwargs):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(Publicacion, "save", base_caida)

    with pytest.raises(OperationalError):
        informe_publicar(anio=2023, usuario=coordinacion, hoy=HOY)

    monkeypatch.undo()
    assert not Publicacion.objects.exists()
    assert [p for p in Path(settings.MEDIA_ROOT).rglob("*") if p.is_file()] == []


def test_a_published_version_is_never_rendered_again(coordinacion):
    publicacion = informe_publicar(anio=2023, usuario=coordinacion, hoy=HOY)
    antes = _bytes(publicacion.pdf)
    _corregir_un_mes(coordinacion)

    descargado = Client().get(reverse("publicaciones:descargar", args=[2023, 1, "pdf"]))

    assert b"".join(descargado.streaming_content) == antes


def test_an_erratum_needs_a_reason_and_a_change_and_lists_each_changed_figure(coordinacion):
    informe_publicar(anio=2023, usuario=coordinacion, hoy=HOY)
    with pytest.raises(ValidationError, match="Ábrala con su motivo"):
        informe_publicar(anio=2023, usuario=coordinacion, motivo="Nada", hoy=HOY)
    fe_de_erratas_abrir(anio=2023, usuario=coordinacion, motivo="Revisión de los meses")
    with pytest.raises(ValidationError, match="Ninguna cifra cambió"):
        informe_publicar(anio=2023, usuario=coordinacion, hoy=HOY)
    cifra = _corregir_un_mes(coordinacion)

    segunda = informe_publicar(
        anio=2023, usuario=coordinacion, motivo="Error de digitación en un mes", hoy=HOY
    )

    assert segunda.version == 2
    nombre = f"{cifra.reporte.centro.numero}. {cifra.reporte.centro.nombre_corto}: "
    cambio = next(e for e in segunda.erratas if e["cifra"] == nombre + cifra.indicador.nombre)
    assert Decimal(cambio["despues"]) - Decimal(cambio["antes"]) == 100
    texto = "".join(p.extract_text() for p in PdfReader(io.BytesIO(_bytes(segunda.pdf))).pages)
    assert "Fe de erratas: versión 2" in texto
    assert "Error de digitación en un mes" in texto
    assert Publicacion.objects.filter(anio=2023).count() == 2


def test_anyone_lists_and_downloads_the_published_versions_and_nothing_else(coordinacion):
    publicacion = informe_publicar(anio=2023, usuario=coordinacion, hoy=HOY)
    anonimo = Client()

    archivo = anonimo.get(reverse("publicaciones:archivo"))
    descargas = {
        tipo: anonimo.get(reverse("publicaciones:descargar", args=[2023, 1, tipo]))
        for tipo in ("pdf", "html", "libro", "cifras")
    }

    assert archivo.status_code == 200
    contenido = archivo.content.decode()
    for _, _, huella in publicacion.archivos:
        assert huella in contenido
    for tipo, respuesta in descargas.items():
        assert respuesta.status_code == 200
        datos = b"".join(respuesta.streaming_content)
        assert hashlib.sha256(datos).hexdigest() == getattr(publicacion, f"{tipo}_sha256")
    for cerrada in (
        reverse("rendicion:informe", args=[2023]),
        reverse("rendicion:informe_pdf", args=[2023]),
        reverse("rendicion:publicar", args=[2023]),
        reverse("centros:completitud", args=[2023]),
    ):
        assert anonimo.get(cerrada).status_code == 302  # to the login page
    assert anonimo.get(reverse("publicaciones:descargar", args=[2023, 2, "pdf"])).status_code == 404
    assert anonimo.post(reverse("rendicion:publicar", args=[2023])).status_code == 302
    assert Publicacion.objects.count() == 1


def test_only_the_coordination_and_the_administration_publish(coordinacion):
    personal = UserFactory(roles=[Rol.PERSONAL_CENTRO])
    cliente = Client()
    cliente.force_login(personal)

    assert cliente.post(reverse("rendicion:publicar", args=[2023])).status_code == 403
    cliente.force_login(coordinacion)
    respuesta = cliente.post(reverse("rendicion:publicar", args=[2023]), {"revisado": "on"})
    assert respuesta.status_code == 302
    assert Publicacion.objects.get().publicado_por == coordinacion


def test_verificar_names_both_versions_and_refuses_a_copy_changed_by_one_byte(
    coordinacion, tmp_path
):
    primera = informe_publicar(anio=2023, usuario=coordinacion, hoy=HOY)
    _corregir_un_mes(coordinacion)
    segunda = informe_publicar(anio=2023, usuario=coordinacion, motivo="Corrección", hoy=HOY)
    archivos = {}
    for publicacion in (primera, segunda):
        archivos[publicacion.version] = tmp_path / f"v{publicacion.version}.pdf"
        archivos[publicacion.version].write_bytes(_bytes(publicacion.pdf))
    alterado = bytearray(_bytes(segunda.pdf))
    alterado[len(alterado) // 2] ^= 1
    (tmp_path / "alterado.pdf").write_bytes(bytes(alterado))

    salidas = {}
    for version, ruta in archivos.items():
        salida = io.StringIO()
        call_command("verificar", str(ruta), stdout=salida)
        salidas[version] = salida.getvalue()
    with pytest.raises(CommandError, match="no es ninguna versión publicada") as error:
        call_command("verificar", str(tmp_path / "alterado.pdf"))

    assert "versión 1 (PDF)" in salidas[1] and "versión 2 (PDF)" in salidas[2]
    assert "Reemplazada por la versión 2" in salidas[1]
    assert "Reemplazada" not in salidas[2]
    assert error.value.returncode == 1


def test_anyone_verifies_a_file_and_learns_when_a_later_version_replaced_it(coordinacion):
    """The archive is public, and so is checking a copy against it: an anonymous visitor
    (with the CSRF token of the page, as a browser sends it) learns which version it is, and
    that an erratum replaced it."""
    publicacion = informe_publicar(anio=2023, usuario=coordinacion, hoy=HOY)
    anonimo = Client(enforce_csrf_checks=True)
    url = reverse("publicaciones:verificar")
    pdf = _bytes(publicacion.pdf)

    def verificar(contenido: bytes) -> str:
        anonimo.get(url)
        token = anonimo.cookies["csrftoken"].value
        datos = {"archivo": io.BytesIO(contenido), "csrfmiddlewaretoken": token}
        return anonimo.post(url, datos).content.decode()

    bueno = verificar(pdf)
    malo = verificar(pdf + b"%")
    sin_token = Client(enforce_csrf_checks=True).post(url, {"archivo": io.BytesIO(pdf)})
    _corregir_un_mes(coordinacion)
    informe_publicar(anio=2023, usuario=coordinacion, hoy=HOY)
    reemplazada = verificar(pdf)

    assert "Rendición de cuentas 2023, versión 1" in bueno
    assert "reemplazada por la versión" not in bueno
    assert "no es</strong> ninguna versión publicada" in malo
    assert sin_token.status_code == 403
    assert "reemplazada por la versión 2</strong>" in reemplazada


def test_the_published_html_is_shown_with_its_own_stylesheet_allowed_by_hash(coordinacion):
    publicacion = informe_publicar(anio=2023, usuario=coordinacion, hoy=HOY)

    respuesta = Client().get(reverse("publicaciones:descargar", args=[2023, 1, "html"]))

    html = b"".join(respuesta.streaming_content)
    estilo = re.search(rb"<style[^>]*>(.*?)</style>", html, re.S)[1]
    huella = base64.b64encode(hashlib.sha256(estilo).digest()).decode()
    politica = respuesta["Content-Security-Policy"]
    assert hashlib.sha256(html).hexdigest() == publicacion.html_sha256
    assert f"style-src 'sha256-{huella}'" in politica
    assert "unsafe-inline" not in politica
    assert "script-src" not in politica and "default-src 'none'" in politica


def test_the_command_line_publishes_as_the_named_user(coordinacion):
    salida = io.StringIO()
    call_command("publicar", "2023", "--usuario", "coordinacion", stdout=salida)

    publicacion = Publicacion.objects.get()
    assert publicacion.pdf_sha256 in salida.getvalue()
    with pytest.raises(CommandError, match="no es un usuario de la Coordinación"):
        call_command("publicar", "2023", "--usuario", "nadie")


def test_the_publish_page_counts_the_approved_months_without_building_the_report(
    coordinacion, django_assert_max_num_queries
):
    cliente = Client()
    cliente.force_login(coordinacion)
    url = reverse("rendicion:publicar", args=[2023])
    cliente.get(url)  # warm-up: session, content types

    # The report itself takes some sixty queries; the page needs its texts, the months, the
    # days without service and the panel's observations (eighteen, with the CPCCS form's
    # broken links), which it asks to acknowledge, and the navigation's count of pending work.
    with django_assert_max_num_queries(33):
        respuesta = cliente.get(url)

    html = respuesta.content.decode()
    completitud = respuesta.context["completitud"]
    assert completitud.debidos > 0
    assert (
        f"cifras aprobadas de <strong>{completitud.aprobados} de {completitud.debidos} meses"
        in html
    )
    assert cliente.get(reverse("rendicion:publicar", args=[1999])).status_code == 404


def test_publishing_over_the_panel_s_open_observations_needs_them_acknowledged(coordinacion):
    # Given: 2023's panel has open observations.
    cliente = Client()
    cliente.force_login(coordinacion)
    url = reverse("rendicion:publicar", args=[2023])
    pagina = cliente.get(url)
    pendientes = len(pagina.context["observaciones"])
    assert pendientes > 0
    assert f"Antes de publicar: {pendientes} observaciones del panel" in pagina.content.decode()

    # When: the coordinator publishes without ticking that she read them.
    sin_revisar = cliente.post(url, {})

    # Then: refused, the page says why, and no task was queued.
    assert sin_revisar.status_code == 400
    assert f"El panel tiene {pendientes} observaciones abiertas" in sin_revisar.content.decode()
    assert not Publicacion.objects.exists()
