"""An approved month is read-only through the Django admin, for everyone: its report, its figures
and the clinic's patients can be neither changed nor deleted (reopening it is the only way), and
the admin approves only through the service."""

from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from casmul.roles import Rol
from casmul.services import usuario_con_rol_guardar
from centros.models import CifraMensual, Indicador, ReporteMensual
from centros.services import MENSAJE_MES_APROBADO, reporte_reabrir
from salud.models import AtencionClinica, Servicio
from tests.factories import (
    AtencionClinicaFactory,
    CentroFactory,
    CifraMensualFactory,
    IndicadorCentroFactory,
    IndicadorFactory,
    OperacionAnualFactory,
    ReporteMensualFactory,
)

E = ReporteMensual.Estado


def _url(model, vista, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{vista}", args=args)


def _cliente(rol=Rol.ADMINISTRACION, nombre=None):
    usuario = usuario_con_rol_guardar(
        username=nombre or f"u-{rol.name.lower()}", password="clave-de-prueba-1", rol=rol
    )
    cliente = Client()
    cliente.force_login(usuario)
    cliente.usuario = usuario
    return cliente


def _mensajes(respuesta):
    return [str(m) for m in get_messages(respuesta.wsgi_request)]


class Mes:
    pass


@pytest.fixture
def mes(db):
    """A centre with two figures; an approved month and a draft one, each with figures and
    clinic patients."""
    m = Mes()
    m.centro = CentroFactory(numero=1001, nombre_corto="CDI Las Peñas")
    m.usuarios = IndicadorFactory(codigo="usuarios", unidad=Indicador.Unidad.PERSONAS)
    m.ingresos = IndicadorFactory(codigo="ingresos", unidad=Indicador.Unidad.DOLARES)
    m.ajeno = IndicadorFactory(codigo="ajeno")
    for orden, indicador in enumerate([m.usuarios, m.ingresos]):
        IndicadorCentroFactory(centro=m.centro, indicador=indicador, orden=orden)
    OperacionAnualFactory(centro=m.centro, anio=2023)
    m.aprobado = ReporteMensualFactory(centro=m.centro, anio=2023, mes=3, estado=E.APROBADO)
    m.borrador = ReporteMensualFactory(centro=m.centro, anio=2023, mes=4, estado=E.BORRADOR)
    m.cifra_aprobada = CifraMensualFactory(reporte=m.aprobado, indicador=m.usuarios, valor=36)
    m.cifra_borrador = CifraMensualFactory(reporte=m.borrador, indicador=m.usuarios, valor=30)
    m.atencion_aprobada = AtencionClinicaFactory(reporte=m.aprobado, pacientes=100)
    m.atencion_borrador = AtencionClinicaFactory(reporte=m.borrador, pacientes=90)
    return m


def _foto():
    return (
        list(ReporteMensual.objects.order_by("pk").values_list("pk", "estado", "version")),
        list(CifraMensual.objects.order_by("pk").values_list("pk", "reporte_id", "valor")),
        list(AtencionClinica.objects.order_by("pk").values_list("pk", "reporte_id", "pacientes")),
    )


def _datos_cifra(reporte, indicador, valor, comentario=""):
    return {
        "reporte": reporte.pk,
        "indicador": indicador.pk,
        "valor": valor,
        "comentario": comentario,
    }


def _datos_atencion(reporte, pacientes):
    return {"reporte": reporte.pk, "servicio": Servicio.CONSULTA_EXTERNA, "pacientes": pacientes}


def _datos_reporte(reporte, **cambios):
    datos = {
        "centro": reporte.centro_id,
        "anio": reporte.anio,
        "mes": reporte.mes,
        "comentario": "Cambio desde el admin",
        "version": reporte.version,
        "cifras-TOTAL_FORMS": 0,
        "cifras-INITIAL_FORMS": 0,
        "cifras-MIN_NUM_FORMS": 0,
        "cifras-MAX_NUM_FORMS": 1000,
    }
    return datos | cambios


def _objetos_aprobados(m):
    return [
        (CifraMensual, m.cifra_aprobada, _datos_cifra(m.aprobado, m.usuarios, "999")),
        (AtencionClinica, m.atencion_aprobada, _datos_atencion(m.aprobado, 999)),
        (ReporteMensual, m.aprobado, _datos_reporte(m.aprobado)),
    ]


MODELOS = [CifraMensual, AtencionClinica, ReporteMensual]


@pytest.mark.parametrize("model", MODELOS, ids=lambda m: m.__name__)
def test_the_admin_shows_an_approved_month_read_only_even_to_a_superuser(mes, model):
    cliente = _cliente()
    _, objeto, datos = next(o for o in _objetos_aprobados(mes) if o[0] is model)
    antes = _foto()

    pagina = cliente.get(_url(model, "change", objeto.pk))
    respuesta = cliente.post(_url(model, "change", objeto.pk), datos)

    assert cliente.usuario.is_superuser
    assert pagina.status_code == 200
    assert pagina.context["has_change_permission"] is False
    assert pagina.context["has_delete_permission"] is False
    assert respuesta.status_code == 403
    assert _foto() == antes


@pytest.mark.parametrize("model", MODELOS, ids=lambda m: m.__name__)
def test_the_admin_cannot_delete_anything_of_an_approved_month(mes, model):
    cliente = _cliente()
    _, objeto, _ = next(o for o in _objetos_aprobados(mes) if o[0] is model)
    antes = _foto()

    pagina = cliente.get(_url(model, "delete", objeto.pk))
    respuesta = cliente.post(_url(model, "delete", objeto.pk), {"post": "yes"})

    assert (pagina.status_code, respuesta.status_code) == (403, 403)
    assert _foto() == antes


@pytest.mark.parametrize("model", MODELOS, ids=lambda m: m.__name__)
def test_the_bulk_delete_action_refuses_an_approved_month(mes, model):
    cliente = _cliente()
    _, objeto, _ = next(o for o in _objetos_aprobados(mes) if o[0] is model)
    antes = _foto()

    respuesta = cliente.post(
        _url(model, "changelist"),
        {"action": "delete_selected", "_selected_action": [objeto.pk], "post": "yes"},
    )

    assert respuesta.status_code == 403
    assert _foto() == antes


def test_a_draft_month_can_still_be_deleted_with_its_figures(mes):
    cliente = _cliente()

    respuesta = cliente.post(_url(ReporteMensual, "delete", mes.borrador.pk), {"post": "yes"})

    assert respuesta.status_code == 302
    assert not ReporteMensual.objects.filter(pk=mes.borrador.pk).exists()
    assert ReporteMensual.objects.filter(pk=mes.aprobado.pk).exists()


@pytest.mark.parametrize(
    ("model", "datos"),
    [
        (CifraMensual, lambda m: _datos_cifra(m.aprobado, m.ingresos, "10.50")),
        (AtencionClinica, lambda m: _datos_atencion(m.aprobado, 5) | {"servicio": "emergencia"}),
    ],
    ids=["cifra", "atencion"],
)
def test_adding_to_an_approved_month_is_refused_in_spanish(mes, model, datos):
    cliente = _cliente()
    antes = _foto()

    respuesta = cliente.post(_url(model, "add"), datos(mes))

    assert respuesta.status_code == 200
    assert MENSAJE_MES_APROBADO in respuesta.content.decode()
    assert _foto() == antes


@pytest.mark.parametrize(
    ("model", "objeto", "datos"),
    [
        (CifraMensual, "cifra_borrador", lambda m: _datos_cifra(m.aprobado, m.ingresos, "5")),
        (AtencionClinica, "atencion_borrador", lambda m: _datos_atencion(m.aprobado, 5)),
    ],
    ids=["cifra", "atencion"],
)
def test_a_record_cannot_be_moved_into_an_approved_month(mes, model, objeto, datos):
    cliente = _cliente()
    antes = _foto()

    respuesta = cliente.post(_url(model, "change", getattr(mes, objeto).pk), datos(mes))

    assert respuesta.status_code == 200
    assert MENSAJE_MES_APROBADO in respuesta.content.decode()
    assert _foto() == antes


def test_the_approved_months_inline_figures_are_read_only(mes):
    pagina = _cliente().get(_url(ReporteMensual, "change", mes.aprobado.pk))

    (cifras,) = pagina.context["inline_admin_formsets"]
    assert (cifras.has_add_permission, cifras.has_change_permission) == (False, False)
    assert cifras.has_delete_permission is False
    html = pagina.content.decode()
    assert reverse("centros:reabrir", args=[mes.aprobado.pk]) in html


@pytest.mark.parametrize(
    ("model", "objeto"),
    [(CifraMensual, "cifra_aprobada"), (AtencionClinica, "atencion_aprobada")],
    ids=["cifra", "atencion"],
)
def test_an_approved_months_record_cannot_be_reverted_from_its_history(mes, model, objeto):
    registro = getattr(mes, objeto)
    inicial = registro.history.earliest()
    cliente = _cliente()
    antes = _foto()
    datos = (
        _datos_cifra(mes.aprobado, mes.usuarios, "1")
        if model is CifraMensual
        else _datos_atencion(mes.aprobado, 1)
    )
    url = reverse(
        f"admin:{model._meta.app_label}_{model._meta.model_name}_simple_history",
        args=[registro.pk, inicial.pk],
    )

    assert cliente.post(url, datos).status_code == 403
    assert _foto() == antes


def test_reverting_a_reopened_month_to_its_approved_copy_does_not_approve_it(mes):
    """The history keeps the approved copy; reverting to it restores the texts, not the state:
    only the approval service approves."""
    reporte_reabrir(reporte=mes.aprobado, motivo="Corregir usuarios", usuario=None)
    mes.aprobado.refresh_from_db()
    copia_aprobada = mes.aprobado.history.filter(estado=E.APROBADO).earliest()
    url = reverse(
        "admin:centros_reportemensual_simple_history",
        args=[mes.aprobado.pk, copia_aprobada.pk],
    )

    respuesta = _cliente().post(url, _datos_reporte(mes.aprobado, estado=E.APROBADO))

    assert respuesta.status_code == 302
    mes.aprobado.refresh_from_db()
    assert mes.aprobado.estado == E.BORRADOR
    assert mes.aprobado.motivo_reapertura == "Corregir usuarios"


@pytest.mark.parametrize(
    "cambios",
    [
        {"estado": E.APROBADO},
        {"aprobado_por": 1, "aprobado_en_0": "01/01/2024", "aprobado_en_1": "10:00"},
        {"motivo_reapertura": "Escrito a mano", "advertencias": '["nada"]'},
    ],
    ids=["estado", "aprobado_por", "motivo"],
)
def test_the_admin_form_does_not_take_the_months_workflow(mes, cambios):
    cliente = _cliente()

    respuesta = cliente.post(
        _url(ReporteMensual, "change", mes.borrador.pk), _datos_reporte(mes.borrador, **cambios)
    )

    assert respuesta.status_code == 302
    mes.borrador.refresh_from_db()
    assert mes.borrador.comentario == "Cambio desde el admin"
    assert mes.borrador.estado == E.BORRADOR
    assert (mes.borrador.aprobado_por, mes.borrador.aprobado_en) == (None, None)
    assert (mes.borrador.motivo_reapertura, mes.borrador.advertencias) == ("", [])
    assert mes.borrador.actualizado_por == cliente.usuario


def test_a_month_added_in_the_admin_starts_as_a_draft(mes):
    datos = _datos_reporte(ReporteMensual(centro=mes.centro, anio=2023, mes=9, version=1))

    respuesta = _cliente().post(_url(ReporteMensual, "add"), datos | {"estado": E.APROBADO})

    assert respuesta.status_code == 302
    assert ReporteMensual.objects.get(centro=mes.centro, anio=2023, mes=9).estado == E.BORRADOR


def test_a_future_month_cannot_be_added_in_the_admin(mes):
    hoy = timezone.localdate()
    anio, mes_futuro = (hoy.year, hoy.month + 1) if hoy.month < 12 else (hoy.year + 1, 1)
    datos = _datos_reporte(ReporteMensual(centro=mes.centro, anio=anio, mes=mes_futuro, version=1))

    respuesta = _cliente().post(_url(ReporteMensual, "add"), datos)

    assert respuesta.status_code == 200
    assert "todavía no ha llegado" in respuesta.content.decode()
    assert not ReporteMensual.objects.filter(anio=anio, mes=mes_futuro).exists()


# --- What stays editable -----------------------------------------------------------------------


def test_a_draft_months_figure_can_be_changed_and_the_month_takes_a_new_version(mes):
    version = mes.borrador.version

    respuesta = _cliente().post(
        _url(CifraMensual, "change", mes.cifra_borrador.pk),
        _datos_cifra(mes.borrador, mes.usuarios, "31"),
    )

    assert respuesta.status_code == 302
    mes.cifra_borrador.refresh_from_db()
    mes.borrador.refresh_from_db()
    assert mes.cifra_borrador.valor == Decimal("31")
    # A monthly form opened before this change can no longer overwrite it.
    assert mes.borrador.version == version + 1


@pytest.mark.parametrize(
    ("indicador", "valor", "campo", "error"),
    [
        ("usuarios", "30,5", "valor", "Escriba un número entero (sin decimales)."),
        ("ingresos", "10,505", "valor", "Escriba el valor con dos decimales como máximo."),
        ("ajeno", "3", "indicador", "CDI Las Peñas no reporta esta cifra en 2023."),
    ],
)
def test_figures_typed_in_the_admin_obey_the_monthly_forms_rules(
    mes, indicador, valor, campo, error
):
    antes = _foto()

    respuesta = _cliente().post(
        _url(CifraMensual, "add"), _datos_cifra(mes.borrador, getattr(mes, indicador), valor)
    )

    assert respuesta.status_code == 200
    assert error in respuesta.context["adminform"].form.errors[campo]
    assert _foto() == antes


def test_the_report_autocomplete_for_a_figure_offers_no_approved_month(mes):
    respuesta = _cliente().get(
        reverse("admin:autocomplete"),
        {"app_label": "centros", "model_name": "ciframensual", "field_name": "reporte"},
    )

    ids = {int(r["id"]) for r in respuesta.json()["results"]}
    assert ids == {mes.borrador.pk}


# --- Approving is not an admin action ----------------------------------------------------------


def test_the_admin_approves_nothing_and_the_coordination_does_not_enter_it(mes):
    """Months are approved on the completeness matrix, with the version the coordinator saw
    and their warnings in sight; the admin's list offers no approval of its own, and the
    admin site is the administration's only (`casmul.admin_sitio`)."""
    lista = _cliente(Rol.ADMINISTRACION).get(_url(ReporteMensual, "changelist"))
    coordinacion = _cliente(Rol.COORDINACION)
    cambio = coordinacion.post(
        _url(ReporteMensual, "change", mes.borrador.pk), _datos_reporte(mes.borrador)
    )

    acciones = [valor for valor, _ in lista.context["action_form"].fields["action"].choices]
    assert not [accion for accion in acciones if "aprob" in accion]
    assert cambio.status_code == 302
    assert cambio["Location"].startswith(reverse("admin:login"))
    mes.borrador.refresh_from_db()
    assert mes.borrador.estado == ReporteMensual.Estado.BORRADOR
