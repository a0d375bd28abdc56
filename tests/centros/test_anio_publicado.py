"""A published year is closed to every door that writes a month — the month form, the clinic's
grid, the admin, the portal's import, the command line, approval and submission — until an
erratum is open; reopening one of its months is how that erratum starts, with the reason typed
once."""

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from casmul.meses import Mes
from casmul.roles import Rol
from centros.models import CifraMensual, LineaServicio, ReporteMensual
from centros.services import reporte_guardar, reportes_aprobar
from rendicion.models import FeDeErratas
from rendicion.services import fe_de_erratas_abrir
from salud.models import AtencionClinica, Servicio
from tests.factories import (
    AtencionClinicaFactory,
    CentroFactory,
    CifraMensualFactory,
    IndicadorFactory,
    OperacionAnualFactory,
    PublicacionFactory,
    ReporteMensualFactory,
    UserFactory,
    admin_subir,
    centro_con_indicador_usuarios,
    csv_de_excel,
    filas_rechazadas,
)

E = ReporteMensual.Estado
ANIO = 2023
PUBLICADO = "El informe de 2023 está publicado (versión 1)"


@pytest.fixture
def personal(db):
    return UserFactory(roles=[Rol.PERSONAL_CENTRO])


@pytest.fixture
def coordinacion(db):
    return UserFactory(roles=[Rol.COORDINACION])


@pytest.fixture
def administracion(db):
    return UserFactory(roles=[Rol.ADMINISTRACION])


@pytest.fixture
def centro(personal):
    centro = centro_con_indicador_usuarios(
        IndicadorFactory(codigo="usuarios", nombre="Usuarios inscritos"), numero=7
    )
    centro.personal_asignado.add(personal)
    OperacionAnualFactory(centro=centro, anio=ANIO)
    return centro


@pytest.fixture
def enviado(centro):
    """A month submitted but not approved when the year was published."""
    reporte = ReporteMensualFactory(centro=centro, anio=ANIO, mes=5, estado=E.ENVIADO, version=3)
    CifraMensualFactory(reporte=reporte, indicador=centro.indicador_usuarios, valor=60)
    return reporte


@pytest.fixture
def aprobado(centro):
    reporte = ReporteMensualFactory(centro=centro, anio=ANIO, mes=4, estado=E.APROBADO, version=4)
    CifraMensualFactory(reporte=reporte, indicador=centro.indicador_usuarios, valor=60)
    return reporte


@pytest.fixture
def publicado(db):
    return PublicacionFactory(anio=ANIO, version=1)


def _foto():
    return (
        sorted(CifraMensual.objects.values_list("reporte_id", "indicador_id", "valor")),
        sorted(ReporteMensual.objects.values_list("pk", "estado", "version")),
        sorted(AtencionClinica.objects.values_list("reporte_id", "servicio", "pacientes")),
    )


def _cliente(client, usuario):
    client.force_login(usuario)
    return client


def _url_mes(reporte):
    return reverse("centros:mes", args=[reporte.centro_id, reporte.anio, reporte.mes])


def _csv(centro, mes, valor):
    return csv_de_excel(
        "Cifras mensuales 2023",
        ["Centro", "Año", "Mes", "Indicador", "Valor"],
        (centro.numero, ANIO, mes, "usuarios", valor),
    )


# --- Every door refuses --------------------------------------------------------------------


def test_the_month_form_shows_why_and_refuses_a_save(client, personal, enviado, publicado):
    cliente = _cliente(client, personal)
    antes = _foto()

    pagina = cliente.get(_url_mes(enviado))
    respuesta = cliente.post(
        _url_mes(enviado), {"version": "3", "accion": "borrador", "cifra_usuarios": "88"}
    )

    assert PUBLICADO in pagina.content.decode()
    assert 'name="cifra_usuarios"' not in pagina.content.decode()
    assert respuesta.status_code == 400
    assert PUBLICADO in respuesta.content.decode()
    # What was typed comes back, nothing is written.
    assert 'value="88"' in respuesta.content.decode()
    assert _foto() == antes


def test_the_service_refuses_whatever_door_calls_it(personal, enviado, publicado):
    with pytest.raises(ValidationError) as error:
        reporte_guardar(
            centro=enviado.centro,
            mes=Mes(ANIO, 5),
            valores={"usuarios": 88},
            version=3,
            usuario=personal,
        )

    assert error.value.code == "anio_cerrado"


def test_the_clinic_grid_refuses(client, personal, publicado):
    clinica = CentroFactory(linea_servicio=LineaServicio.SALUD, personal_asignado=[personal])
    OperacionAnualFactory(centro=clinica, anio=ANIO)
    reporte = ReporteMensualFactory(centro=clinica, anio=ANIO, mes=3, estado=E.ENVIADO, version=1)
    AtencionClinicaFactory(reporte=reporte, servicio=Servicio.EMERGENCIA, pacientes=190)
    antes = _foto()

    respuesta = _cliente(client, personal).post(
        reverse("salud:mes", args=[clinica.pk, ANIO, 3]),
        {"version": "1", "accion": "borrador", f"pacientes_{Servicio.EMERGENCIA}_sin": "200"},
    )

    assert respuesta.status_code == 400
    assert PUBLICADO in respuesta.content.decode()
    assert _foto() == antes


@pytest.mark.parametrize("rol", ["personal", "administracion"])
def test_the_portal_import_refuses_each_row_of_the_year(client, request, rol, enviado, publicado):
    usuario = request.getfixturevalue(rol)
    antes = _foto()

    respuesta = _cliente(client, usuario).post(
        reverse("importar_tipo", args=["cifras"]),
        {"archivo": SimpleUploadedFile("cifras.csv", _csv(enviado.centro, 5, 88))},
    )

    assert respuesta.status_code == 200
    rechazadas = respuesta.context["resumen"].rechazadas
    assert [(fila.encabezado, fila.mensaje.startswith(PUBLICADO)) for fila in rechazadas] == [
        ("Mes", True)
    ]
    assert respuesta.context["confirmacion"] is None
    assert _foto() == antes


def test_the_admin_import_refuses_each_row_of_the_year(admin_client, enviado, publicado):
    antes = _foto()

    vista_previa = admin_subir(
        admin_client, "centros_ciframensual", "cifras.csv", _csv(enviado.centro, 5, 88)
    )

    rechazadas = filas_rechazadas(vista_previa)
    assert [" ".join(errores["mes"]).startswith(PUBLICADO) for errores in rechazadas.values()] == [
        True
    ]
    assert "confirm_form" not in vista_previa.context
    assert _foto() == antes


def test_the_command_line_import_refuses(administracion, enviado, publicado, tmp_path):
    archivo = tmp_path / "cifras.csv"
    archivo.write_bytes(_csv(enviado.centro, 5, 88))
    antes = _foto()

    with pytest.raises(CommandError, match="1 rechazadas") as error:
        call_command(
            "importar", "cifras", str(archivo), "--usuario", administracion.username, "--confirmar"
        )

    assert error.value.returncode == 1
    assert _foto() == antes


def test_the_admin_shows_the_month_and_its_figures_read_only(admin_client, enviado, publicado):
    cifra = enviado.cifras.get()
    antes = _foto()

    pagina = admin_client.get(reverse("admin:centros_ciframensual_change", args=[cifra.pk]))
    cambio = admin_client.post(
        reverse("admin:centros_ciframensual_change", args=[cifra.pk]),
        {"reporte": enviado.pk, "indicador": cifra.indicador_id, "valor": "88"},
    )
    borrado = admin_client.post(
        reverse("admin:centros_ciframensual_delete", args=[cifra.pk]), {"post": "yes"}
    )
    mes = admin_client.post(
        reverse("admin:centros_reportemensual_change", args=[enviado.pk]),
        {"centro": enviado.centro_id, "anio": ANIO, "mes": 5, "version": 3, "comentario": "x"},
    )

    assert 'name="_save"' not in pagina.content.decode()
    assert (cambio.status_code, borrado.status_code, mes.status_code) == (403, 403, 403)
    assert _foto() == antes


def test_approval_leaves_the_month_and_says_why(client, coordinacion, enviado, publicado):
    cliente = _cliente(client, coordinacion)

    desde_la_matriz = cliente.post(
        reverse("centros:aprobar", args=[ANIO]), {"reportes": [f"{enviado.pk}:3"]}, follow=True
    )
    desde_la_revision = cliente.post(
        reverse("centros:revisar", args=[enviado.pk]), {"version": "3"}
    )

    assert PUBLICADO in desde_la_matriz.content.decode()
    assert desde_la_revision.status_code == 400
    assert PUBLICADO in desde_la_revision.content.decode()
    enviado.refresh_from_db()
    assert enviado.estado == E.ENVIADO


def test_staff_cannot_submit_the_year_s_drafts(client, personal, centro, publicado):
    borrador = ReporteMensualFactory(centro=centro, anio=ANIO, mes=6, estado=E.BORRADOR)
    CifraMensualFactory(reporte=borrador, indicador=centro.indicador_usuarios, valor=60)

    respuesta = _cliente(client, personal).post(
        reverse("centros:enviar_borradores", args=[centro.pk, ANIO]), follow=True
    )

    assert PUBLICADO in respuesta.content.decode()
    borrador.refresh_from_db()
    assert borrador.estado == E.BORRADOR


def test_another_year_stays_open(personal, centro, publicado):
    OperacionAnualFactory(centro=centro, anio=2024)

    reporte = reporte_guardar(
        centro=centro, mes=Mes(2024, 5), valores={"usuarios": 88}, version=0, usuario=personal
    )

    assert reporte.version == 1


# --- Reopening is how an erratum starts -------------------------------------------------------


def test_reopening_a_month_of_a_published_year_opens_its_erratum_with_the_same_reason(
    client, coordinacion, personal, aprobado, publicado
):
    cliente = _cliente(client, coordinacion)
    aviso = cliente.get(reverse("centros:reabrir", args=[aprobado.pk])).content.decode()

    cliente.post(
        reverse("centros:reabrir", args=[aprobado.pk]),
        {"motivo": "El centro reportó 60 niños; eran 58."},
    )

    assert "abre su <strong>fe de erratas</strong>" in aviso
    fe_de_erratas = FeDeErratas.objects.get()
    assert (fe_de_erratas.anio, fe_de_erratas.motivo, fe_de_erratas.abierta_por) == (
        ANIO,
        "El centro reportó 60 niños; eran 58.",
        coordinacion,
    )
    aprobado.refresh_from_db()
    assert aprobado.estado == E.BORRADOR
    # The year is open now: the centre corrects the month, the coordination approves it.
    reporte_guardar(
        centro=aprobado.centro,
        mes=Mes(ANIO, 4),
        valores={"usuarios": 58},
        version=aprobado.version,
        usuario=personal,
        comentario="Dos niños se retiraron en marzo.",
        enviar=True,
    )
    aprobado.refresh_from_db()
    resultado = reportes_aprobar(
        versiones={aprobado.pk: aprobado.version}, usuario=coordinacion, advertencias_vistas=True
    )
    assert resultado.aprobados == 1


def test_a_second_month_reopened_joins_the_open_erratum(coordinacion, centro, aprobado, publicado):
    from centros.services import reporte_reabrir

    otro = ReporteMensualFactory(centro=centro, anio=ANIO, mes=3, estado=E.APROBADO)

    reporte_reabrir(reporte=aprobado, motivo="Primera corrección", usuario=coordinacion)
    reporte_reabrir(reporte=otro, motivo="Segunda corrección", usuario=coordinacion)

    assert list(FeDeErratas.objects.values_list("motivo", flat=True)) == ["Primera corrección"]
    otro.refresh_from_db()
    assert otro.motivo_reapertura == "Segunda corrección"


def test_a_month_reopened_in_a_year_not_published_opens_no_erratum(coordinacion, aprobado):
    from centros.services import reporte_reabrir

    reporte_reabrir(reporte=aprobado, motivo="Corrección", usuario=coordinacion)

    assert not FeDeErratas.objects.exists()


def test_an_erratum_opened_on_the_publish_page_opens_the_months_too(
    personal, coordinacion, enviado, publicado
):
    fe_de_erratas_abrir(anio=ANIO, usuario=coordinacion, motivo="Cifras de mayo")

    reporte = reporte_guardar(
        centro=enviado.centro,
        mes=Mes(ANIO, 5),
        valores={"usuarios": 88},
        version=3,
        usuario=personal,
    )

    assert reporte.version == 4
