"""The monthly report's write rules, at the service level: what is refused writes nothing."""

import datetime
import threading
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections

from casmul.meses import Mes
from centros.models import CifraMensual, Indicador, ReporteMensual
from centros.services import (
    ConflictoDeVersion,
    mes_en_edicion,
    reporte_guardar,
    reporte_reabrir,
    reportes_aprobar,
    reportes_enviar,
)
from tests.factories import (
    IndicadorCentroFactory,
    IndicadorFactory,
    OperacionAnualFactory,
    ReporteMensualFactory,
    UserFactory,
    centro_con_indicador_usuarios,
    cifras_del_anio,
)

HOY = datetime.date(2024, 6, 15)


@pytest.fixture
def usuario(db):
    return UserFactory()


@pytest.fixture
def centro(db):
    centro = centro_con_indicador_usuarios(
        IndicadorFactory(
            codigo="usuarios", unidad="personas", agregacion=Indicador.Agregacion.MAXIMO
        ),
        capacidad=40,
    )
    OperacionAnualFactory(centro=centro, anio=2024)
    return centro


def _guardar(centro, usuario, valores, version=0, **kwargs):
    return reporte_guardar(
        centro=centro,
        mes=Mes(2024, kwargs.pop("mes", 5)),
        valores={k: Decimal(v) for k, v in valores.items()},
        version=version,
        usuario=usuario,
        hoy=HOY,
        **kwargs,
    )


def test_a_draft_is_saved_with_its_figures_and_version(centro, usuario):
    reporte = _guardar(centro, usuario, {"usuarios": "36"})

    assert reporte.estado == ReporteMensual.Estado.BORRADOR
    assert reporte.version == 1
    assert reporte.cifras.get().valor == 36
    assert reporte.actualizado_por == usuario


def test_submitting_moves_the_month_to_enviado(centro, usuario):
    reporte = _guardar(centro, usuario, {"usuarios": "36"}, enviar=True)

    assert reporte.estado == ReporteMensual.Estado.ENVIADO
    assert reporte.enviado_en is not None


@pytest.mark.parametrize(
    ("valor", "mensaje"),
    [("-1", "negativa"), ("3.5", "entero")],
)
def test_invalid_counts_are_refused_and_nothing_is_written(centro, usuario, valor, mensaje):
    with pytest.raises(ValidationError, match=mensaje):
        _guardar(centro, usuario, {"usuarios": valor})

    assert not ReporteMensual.objects.exists()


def test_money_accepts_cents_but_not_more(usuario):
    centro = centro_con_indicador_usuarios()
    OperacionAnualFactory(centro=centro, anio=2024)
    IndicadorCentroFactory(
        centro=centro, indicador=IndicadorFactory(codigo="ingresos", unidad="dolares")
    )

    _guardar(centro, usuario, {"ingresos": "10.25"})
    with pytest.raises(ValidationError, match="dos decimales"):
        _guardar(centro, usuario, {"ingresos": "10.255"}, version=1)


def test_an_indicator_the_centre_does_not_report_is_refused(centro, usuario):
    IndicadorFactory(codigo="ajeno")

    with pytest.raises(ValidationError, match="no reporta"):
        _guardar(centro, usuario, {"ajeno": "1"})


def test_a_future_month_is_refused(centro, usuario):
    with pytest.raises(ValidationError, match="todavía no ha llegado"):
        _guardar(centro, usuario, {"usuarios": "30"}, mes=7)

    assert not ReporteMensual.objects.exists()


def test_submitting_with_warnings_needs_a_comment_and_writes_nothing_without_it(centro, usuario):
    cifras_del_anio(centro, centro.indicador_usuarios, [30, 31, 30, 32], anio=2024)

    with pytest.raises(ValidationError) as error:
        _guardar(centro, usuario, {"usuarios": "90"}, enviar=True)

    assert "comentario" in error.value.message_dict
    assert not ReporteMensual.objects.filter(mes=5).exists()
    reporte = _guardar(centro, usuario, {"usuarios": "90"}, enviar=True, comentario="Campaña")
    assert reporte.estado == ReporteMensual.Estado.ENVIADO
    assert any("muy lejos del promedio" in a for a in reporte.advertencias)
    assert any("supera la capacidad" in a for a in reporte.advertencias)


def test_the_month_write_closes_the_month_when_its_block_ends(centro, usuario):
    with mes_en_edicion(
        centro=centro, mes=Mes(2024, 5), version=0, usuario=usuario, motivo="Prueba", hoy=HOY
    ) as edicion:
        edicion.fila_guardar(
            CifraMensual(reporte=edicion.reporte, indicador=centro.indicador_usuarios, valor=41)
        )
        assert edicion.reporte.version == 0

    reporte = ReporteMensual.objects.get()
    assert (reporte.version, reporte.actualizado_por) == (1, usuario)
    assert any("supera la capacidad" in a for a in reporte.advertencias)
    assert reporte.history.latest().history_change_reason == "Prueba"
    assert CifraMensual.objects.get().history.latest().history_user == usuario


def test_an_error_inside_the_month_write_writes_nothing(centro, usuario):
    with (
        pytest.raises(RuntimeError),
        mes_en_edicion(
            centro=centro, mes=Mes(2024, 5), version=0, usuario=usuario, motivo="x", hoy=HOY
        ) as edicion,
    ):
        edicion.fila_guardar(
            CifraMensual(reporte=edicion.reporte, indicador=centro.indicador_usuarios, valor=30)
        )
        raise RuntimeError

    # Not even the month it created to hold the row.
    assert not ReporteMensual.objects.exists()
    assert not CifraMensual.objects.exists()


def test_a_month_to_month_jump_is_a_warning(centro, usuario):
    cifras_del_anio(centro, centro.indicador_usuarios, [30, 20], anio=2024)

    reporte = _guardar(centro, usuario, {"usuarios": "32"}, mes=3)

    assert any("pasa de 20" in advertencia for advertencia in reporte.advertencias)


def test_a_stale_version_is_a_conflict_and_nothing_is_overwritten(centro, usuario):
    _guardar(centro, usuario, {"usuarios": "36"})
    _guardar(centro, UserFactory(username="otra"), {"usuarios": "38"}, version=1)

    with pytest.raises(ConflictoDeVersion, match="otra guardó este mes"):
        _guardar(centro, usuario, {"usuarios": "40"}, version=1)

    assert CifraMensual.objects.get().valor == 38


def _aprobar(usuario, *reportes, **kwargs):
    """Approves the months at the versions they have now (as the matrix shows them)."""
    return reportes_aprobar(
        versiones={r.pk: r.version for r in reportes}, usuario=usuario, **kwargs
    )


def test_an_approved_month_cannot_be_changed_until_reopened(centro, usuario):
    reporte = _guardar(centro, usuario, {"usuarios": "36"}, enviar=True)
    assert _aprobar(usuario, reporte).aprobados == 1

    with pytest.raises(ValidationError, match="aprobado"):
        _guardar(centro, usuario, {"usuarios": "37"}, version=2)

    reabierto = reporte_reabrir(reporte=reporte, motivo="Error de digitación", usuario=usuario)
    assert reabierto.estado == ReporteMensual.Estado.BORRADOR
    _guardar(centro, usuario, {"usuarios": "37"}, version=reabierto.version)
    assert CifraMensual.objects.get().valor == 37
    assert reporte.history.filter(history_change_reason__contains="Error de digitación").exists()


def test_approving_skips_drafts(centro, usuario):
    borrador = _guardar(centro, usuario, {"usuarios": "36"}, mes=4)
    enviado = _guardar(centro, usuario, {"usuarios": "36"}, mes=5, enviar=True)

    resultado = _aprobar(usuario, borrador, enviado)

    assert (resultado.aprobados, resultado.no_enviados) == (1, 1)
    borrador.refresh_from_db()
    assert borrador.estado == ReporteMensual.Estado.BORRADOR


def test_reopening_needs_a_reason(centro, usuario):
    reporte = _guardar(centro, usuario, {"usuarios": "36"}, enviar=True)
    _aprobar(usuario, reporte)

    with pytest.raises(ValidationError, match="por qué"):
        reporte_reabrir(reporte=reporte, motivo="  ", usuario=usuario)

    reporte.refresh_from_db()
    assert reporte.aprobado


def test_each_changed_figure_leaves_a_history_entry_with_user_and_comment(centro, usuario):
    _guardar(centro, usuario, {"usuarios": "36"})
    _guardar(centro, usuario, {"usuarios": "38"}, version=1, comentario="Dos ingresos nuevos")
    _guardar(centro, usuario, {"usuarios": "38"}, version=2)  # unchanged: no new entry

    historial = CifraMensual.history.order_by("history_date")
    assert [h.valor for h in historial] == [36, 38]
    assert historial.last().history_change_reason == "Dos ingresos nuevos"


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_saves_of_the_same_version_one_wins_one_conflicts():
    if connection.vendor != "postgresql":
        pytest.skip("row locks between connections: PostgreSQL")
    usuario = UserFactory()
    centro = centro_con_indicador_usuarios(IndicadorFactory(codigo="usuarios"))
    OperacionAnualFactory(centro=centro, anio=2024)
    _guardar(centro, usuario, {"usuarios": "30"})
    barrera = threading.Barrier(2)
    resultados = []

    def guardar(valor):
        try:
            barrera.wait()
            _guardar(centro, usuario, {"usuarios": valor}, version=1)
            resultados.append("ok")
        except ConflictoDeVersion:
            resultados.append("conflicto")
        finally:
            connections.close_all()

    hilos = [threading.Thread(target=guardar, args=(v,)) for v in ("31", "32")]
    for hilo in hilos:
        hilo.start()
    for hilo in hilos:
        hilo.join()

    assert sorted(resultados) == ["conflicto", "ok"]
    assert ReporteMensual.objects.get().version == 2


# --- Approval tied to what was reviewed ----------------------------------------------------------


def test_a_month_changed_after_the_coordinator_saw_it_is_not_approved_and_is_named(centro, usuario):
    # Given: the coordinator sees the month submitted with 10; staff resubmits 99 meanwhile.
    reporte = _guardar(centro, usuario, {"usuarios": "10"}, enviar=True)
    visto = reporte.version
    _guardar(centro, usuario, {"usuarios": "99"}, version=visto, enviar=True, comentario="Corrige")

    # When: the coordinator approves what they saw.
    resultado = reportes_aprobar(versiones={reporte.pk: visto}, usuario=usuario)

    # Then: nothing is approved and the message names the month.
    reporte.refresh_from_db()
    assert reporte.estado == ReporteMensual.Estado.ENVIADO
    assert (resultado.aprobados, [r.pk for r in resultado.cambiados]) == (0, [reporte.pk])
    assert "cambió después de que usted lo abrió" in resultado.mensaje
    assert f"{centro.nombre_corto}, mayo de 2024" in resultado.mensaje


def test_a_month_with_warnings_is_not_approved_in_bulk_only_from_its_review(centro, usuario):
    cifras_del_anio(centro, centro.indicador_usuarios, [30, 31, 30, 32], anio=2024)
    # 45 users: above the centre's capacity of 40.
    reporte = _guardar(
        centro, usuario, {"usuarios": "45"}, version=0, enviar=True, comentario="Subió"
    )
    assert reporte.advertencias

    en_bloque = _aprobar(usuario, reporte)
    reporte.refresh_from_db()
    assert (en_bloque.aprobados, reporte.estado) == (0, ReporteMensual.Estado.ENVIADO)
    assert "Con advertencias" in en_bloque.mensaje

    revisado = _aprobar(usuario, reporte, advertencias_vistas=True)
    reporte.refresh_from_db()
    assert (revisado.aprobados, reporte.estado) == (1, ReporteMensual.Estado.APROBADO)


def test_the_year_s_complete_drafts_without_warnings_are_submitted_in_one_step(centro, usuario):
    completo = _guardar(centro, usuario, {"usuarios": "30"}, mes=1)
    vacio = ReporteMensualFactory(centro=centro, anio=2024, mes=2)  # opened, nothing typed
    _guardar(centro, usuario, {"usuarios": "31"}, mes=3)
    advertido = _guardar(centro, usuario, {"usuarios": "90"}, mes=4)
    assert advertido.advertencias and not completo.advertencias

    enviados = reportes_enviar(centro=centro, anio=2024, usuario=usuario)

    estados = dict(ReporteMensual.objects.values_list("mes", "estado"))
    assert enviados == 2
    assert estados == {1: "enviado", 2: "borrador", 3: "enviado", 4: "borrador"}
    assert vacio.cifras.count() == 0
    ultimo = ReporteMensual.objects.get(mes=1).history.latest()
    assert (ultimo.history_user, ultimo.estado) == (usuario, "enviado")
