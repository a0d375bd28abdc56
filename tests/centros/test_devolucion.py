"""The coordination sends a submitted month back with a remark, optionally per figure; staff
see it on their home page and beside the figures, correct or explain, and submit again with an
answer; the next review shows what changed."""

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from casmul.meses import Mes
from casmul.roles import Rol
from centros.models import Devolucion, Indicador, ReporteMensual
from centros.selectors.mensual import historial_de_mes
from centros.services import (
    reporte_devolver,
    reporte_guardar,
    reporte_reabrir,
    reportes_aprobar,
)
from tests.factories import (
    CentroFactory,
    IndicadorCentroFactory,
    IndicadorFactory,
    OperacionAnualFactory,
    UserFactory,
)

E = ReporteMensual.Estado
ANIO = 2024


@pytest.fixture
def centro(db):
    centro = CentroFactory(numero=1001, nombre_corto="CDI Las Peñas", capacidad=40)
    usuarios = IndicadorFactory(codigo="usuarios", nombre="Niños atendidos")
    raciones = IndicadorFactory(
        codigo="raciones", nombre="Raciones", unidad=Indicador.Unidad.SERVICIOS
    )
    IndicadorCentroFactory(centro=centro, indicador=usuarios, orden=1)
    IndicadorCentroFactory(centro=centro, indicador=raciones, orden=2)
    OperacionAnualFactory(centro=centro, anio=ANIO)
    return centro


@pytest.fixture
def personal(centro):
    usuario = UserFactory(roles=[Rol.PERSONAL_CENTRO])
    centro.personal_asignado.add(usuario)
    return usuario


@pytest.fixture
def coordinadora(db):
    return UserFactory(roles=[Rol.COORDINACION])


@pytest.fixture
def enviado(centro, personal):
    return reporte_guardar(
        centro=centro,
        mes=Mes(ANIO, 3),
        valores={"usuarios": 30, "raciones": 600},
        version=0,
        usuario=personal,
        comentario="Marzo normal.",
        enviar=True,
    )


def _cliente(usuario):
    cliente = Client()
    cliente.force_login(usuario)
    return cliente


def _devolver(reporte, coordinadora, **kwargs):
    datos = {
        "motivo": "Las raciones no cuadran con 30 niños.",
        "observaciones": {"raciones": "¿600 raciones para 30 niños en 20 días?"},
    } | kwargs
    return reporte_devolver(reporte=reporte, version=reporte.version, usuario=coordinadora, **datos)


# --- The return --------------------------------------------------------------------------------


def test_a_returned_month_is_the_centre_s_again_with_the_remarks_and_the_figures_as_they_were(
    enviado, coordinadora
):
    devolucion = _devolver(
        enviado, coordinadora, observaciones={"raciones": "¿600?", "otra": "no la reporta"}
    )

    enviado.refresh_from_db()
    assert enviado.estado == E.DEVUELTO
    assert enviado.version == devolucion.version + 1
    assert devolucion.cifras == {"usuarios": "30.00", "raciones": "600.00"}
    # A remark on a figure the month does not have is dropped.
    assert devolucion.observaciones == {"raciones": "¿600?"}
    assert devolucion.comentario == "Marzo normal."
    historia = enviado.history.first()
    assert historia.history_change_reason.startswith("Devuelto: Las raciones no cuadran")
    assert historia.history_user == coordinadora


@pytest.mark.parametrize(
    ("cambio", "codigo"),
    [("motivo", None), ("version", "version_cambiada"), ("estado", "no_enviado")],
)
def test_a_return_without_reason_of_another_version_or_of_a_month_not_submitted_is_refused(
    enviado, coordinadora, cambio, codigo
):
    version = enviado.version
    if cambio == "estado":
        ReporteMensual.objects.filter(pk=enviado.pk).update(estado=E.BORRADOR)
    with pytest.raises(ValidationError) as rechazo:
        reporte_devolver(
            reporte=enviado,
            version=version - 1 if cambio == "version" else version,
            motivo="" if cambio == "motivo" else "Revise las raciones.",
            usuario=coordinadora,
        )

    if codigo:
        assert rechazo.value.code == codigo
    else:
        assert "motivo" in rechazo.value.message_dict
    assert not Devolucion.objects.exists()


def test_the_review_page_returns_the_month_and_keeps_what_was_typed_when_refused(
    enviado, coordinadora
):
    cliente = _cliente(coordinadora)
    url = reverse("centros:revisar", args=[enviado.pk])

    sin_motivo = cliente.post(
        url,
        {
            "accion": "devolver",
            "version": enviado.version,
            "motivo": "",
            "observacion_raciones": "¿600?",
        },
    )
    devuelto = cliente.post(
        url,
        {
            "accion": "devolver",
            "version": enviado.version,
            "motivo": "Revise las raciones.",
            "observacion_raciones": "¿600?",
        },
    )

    assert sin_motivo.status_code == 400
    pagina = sin_motivo.content.decode()
    assert "Escriba qué debe revisar el centro" in pagina
    assert 'value="¿600?"' in pagina
    assert devuelto.status_code == 302
    enviado.refresh_from_db()
    assert enviado.estado == E.DEVUELTO
    assert enviado.devoluciones.get().observaciones == {"raciones": "¿600?"}


# --- Staff see it and answer -------------------------------------------------------------------


def test_staff_see_the_returned_month_on_their_home_page_and_the_remark_beside_its_figure(
    centro, personal, enviado, coordinadora
):
    _devolver(enviado, coordinadora)
    cliente = _cliente(personal)

    inicio = cliente.get(reverse("inicio")).content.decode()
    mes = cliente.get(reverse("centros:mes", args=[centro.pk, ANIO, 3])).content.decode()

    seccion = inicio.split('id="titulo-esperan"')[1].split("</section>")[0]
    assert "CDI Las Peñas: marzo de 2024" in seccion
    assert "Las raciones no cuadran con 30 niños." in seccion
    assert reverse("centros:mes", args=[centro.pk, ANIO, 3]) in seccion
    assert "La Coordinación devolvió este mes" in mes
    fila = mes.split('id="id_raciones"')[0].rsplit('<tr class="fila-cifra', 1)[1]
    assert "¿600 raciones para 30 niños en 20 días?" in fila


def test_a_returned_month_saved_as_a_draft_still_waits_and_needs_an_answer_to_be_submitted(
    centro, personal, enviado, coordinadora
):
    _devolver(enviado, coordinadora)
    enviado.refresh_from_db()

    borrador = reporte_guardar(
        centro=centro,
        mes=Mes(ANIO, 3),
        valores={"usuarios": 30, "raciones": 540},
        version=enviado.version,
        usuario=personal,
        comentario="Marzo normal.",
    )
    with pytest.raises(ValidationError) as sin_respuesta:
        reporte_guardar(
            centro=centro,
            mes=Mes(ANIO, 3),
            valores={"usuarios": 30, "raciones": 540},
            version=borrador.version,
            usuario=personal,
            comentario="Marzo normal.",
            enviar=True,
        )
    enviado_otra_vez = reporte_guardar(
        centro=centro,
        mes=Mes(ANIO, 3),
        valores={"usuarios": 30, "raciones": 540},
        version=borrador.version,
        usuario=personal,
        comentario="Eran 540: contamos dos veces la semana del feriado.",
        enviar=True,
    )

    assert borrador.estado == E.DEVUELTO
    assert "responda a su observación" in sin_respuesta.value.message_dict["comentario"][0]
    assert enviado_otra_vez.estado == E.ENVIADO
    devolucion = enviado_otra_vez.devoluciones.get()
    assert devolucion.respuesta == "Eran 540: contamos dos veces la semana del feriado."
    assert devolucion.respondida


def test_the_next_review_shows_each_figure_before_and_now_and_the_answer(
    centro, personal, enviado, coordinadora
):
    _devolver(enviado, coordinadora)
    enviado.refresh_from_db()
    reporte_guardar(
        centro=centro,
        mes=Mes(ANIO, 3),
        valores={"usuarios": 30, "raciones": 540},
        version=enviado.version,
        usuario=personal,
        comentario="Eran 540.",
        enviar=True,
    )

    pagina = _cliente(coordinadora).get(reverse("centros:revisar", args=[enviado.pk]))

    texto = pagina.content.decode()
    tabla = texto.split('id="cambios-desde-la-devolucion"')[1].split("</table>")[0]
    assert "Eran 540." in texto
    filas = {fila.split("<td>")[1].split("</td>")[0]: fila for fila in tabla.split("<tr")[2:]}
    assert "600" in filas["Raciones"] and "<strong>540</strong>" in filas["Raciones"]
    assert 'class="cambiada"' in "<tr" + filas["Raciones"]
    assert 'class="cambiada"' not in "<tr" + filas["Niños atendidos"]


def test_the_matrix_shows_the_returned_month_as_returned(centro, enviado, coordinadora):
    _devolver(enviado, coordinadora)

    matriz = _cliente(coordinadora).get(reverse("centros:completitud", args=[ANIO]))

    assert matriz.context["matriz"].devueltos == 1
    assert "Devuelto al centro <strong>1</strong>" in matriz.content.decode()


def test_the_month_s_history_gives_a_return_and_a_reopen_their_whole_reason(
    centro, personal, enviado, coordinadora
):
    largo = "Las raciones no cuadran con los niños atendidos; " * 4
    _devolver(enviado, coordinadora, motivo=largo)
    enviado.refresh_from_db()
    reenviado = reporte_guardar(
        centro=centro,
        mes=Mes(ANIO, 3),
        valores={"usuarios": 30, "raciones": 540},
        version=enviado.version,
        usuario=personal,
        comentario="Eran 540.",
        enviar=True,
    )
    reportes_aprobar(versiones={reenviado.pk: reenviado.version}, usuario=coordinadora)
    reporte_reabrir(reporte=reenviado, motivo="Reabierto por " + largo, usuario=coordinadora)

    motivos = [
        cambio.motivo
        for cambio in historial_de_mes(reporte=reenviado)
        if cambio.es_estado and cambio.despues in ("Devuelto", "Borrador")
    ]

    assert len(largo) > 100
    assert f"Devuelto: {largo.strip()}" in motivos
    assert f"Reabierto: Reabierto por {largo.strip()}" in motivos
