"""A centre's month in the browser: what the form shows, what it saves, what it refuses (and
that a refusal writes nothing and keeps what the user typed)."""

import datetime
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from casmul.meses import Mes
from casmul.roles import Rol
from centros.models import CifraMensual, Indicador, LineaServicio, ReporteMensual
from centros.services import reporte_guardar
from tests.factories import (
    CentroFactory,
    CifraMensualFactory,
    IndicadorCentroFactory,
    IndicadorFactory,
    OperacionAnualFactory,
    ReporteMensualFactory,
    UserFactory,
    centro_con_indicador_usuarios,
    cifras_del_anio,
)

ANIO, MES = 2024, 6


@pytest.fixture
def personal(db):
    return UserFactory(roles=[Rol.PERSONAL_CENTRO], first_name="María", last_name="Jaramillo")


@pytest.fixture
def centro(personal):
    """A centre reporting users (a stock) and income (money), with its staff."""
    centro = centro_con_indicador_usuarios(
        IndicadorFactory(
            codigo="usuarios",
            nombre="Usuarios inscritos",
            descripcion="Personas inscritas en el mes.",
            agregacion=Indicador.Agregacion.MAXIMO,
        ),
        capacidad=None,
    )
    IndicadorCentroFactory(
        centro=centro,
        orden=1,
        indicador=IndicadorFactory(
            codigo="ingresos", nombre="Ingresos brutos", unidad=Indicador.Unidad.DOLARES
        ),
    )
    centro.personal_asignado.add(personal)
    OperacionAnualFactory(centro=centro, anio=ANIO)
    return centro


@pytest.fixture
def cliente(client, personal):
    client.force_login(personal)
    return client


def _url(centro, anio=ANIO, mes=MES):
    return reverse("centros:mes", args=[centro.pk, anio, mes])


def _post(cliente, centro, anio=ANIO, mes=MES, accion="borrador", version=None, **valores):
    if version is None:
        reporte = ReporteMensual.objects.filter(centro=centro, anio=anio, mes=mes).first()
        version = reporte.version if reporte else 0
    datos = {"version": str(version), "accion": accion}
    datos.update({k if k == "comentario" else f"cifra_{k}": v for k, v in valores.items()})
    return cliente.post(_url(centro, anio, mes), datos)


def _foto():
    return (
        sorted(CifraMensual.objects.values_list("reporte_id", "indicador_id", "valor")),
        sorted(
            ReporteMensual.objects.values_list(
                "centro_id", "anio", "mes", "estado", "version", "comentario"
            )
        ),
    )


def _valor_del_campo(contenido: str, nombre: str) -> str | None:
    encontrado = re.search(rf'<input[^>]*name="{nombre}"[^>]*>', contenido)
    if not encontrado:
        return None
    valor = re.search(r'value="([^"]*)"', encontrado.group(0))
    return valor.group(1) if valor else ""


# --- What the form shows ------------------------------------------------------------------


def test_the_form_shows_exactly_the_figures_the_centre_reports(cliente, centro):
    IndicadorFactory(codigo="ajena", nombre="Cifra de otro centro")

    contenido = cliente.get(_url(centro)).content.decode()

    assert 'name="cifra_usuarios"' in contenido
    assert 'name="cifra_ingresos"' in contenido
    assert "cifra_ajena" not in contenido
    assert "Personas inscritas en el mes." in contenido
    assert 'name="accion" value="borrador"' in contenido
    assert 'name="accion" value="enviar"' in contenido
    assert "Sin datos" in contenido


def test_the_form_shows_last_months_value_and_the_years_so_far_by_the_figures_rule(cliente, centro):
    cifras_del_anio(centro, centro.indicador_usuarios, [30, 38, 34, 35, 36], anio=ANIO)

    respuesta = cliente.get(_url(centro))
    fila = respuesta.context["form"].filas()[0][0]

    assert fila.valor_mes_anterior == 36
    assert fila.valor_anual == 38  # a stock: the highest month, not the sum
    assert "máximo mensual" in respuesta.content.decode()


def test_stored_values_come_back_in_ecuadorian_format(cliente, centro):
    reporte = ReporteMensualFactory(centro=centro, anio=ANIO, mes=MES, version=3)
    CifraMensualFactory(reporte=reporte, indicador=centro.indicador_usuarios, valor=1234)
    ingresos = Indicador.objects.get(codigo="ingresos")
    CifraMensualFactory(reporte=reporte, indicador=ingresos, valor=Decimal("1600469.59"))

    contenido = cliente.get(_url(centro)).content.decode()

    assert _valor_del_campo(contenido, "cifra_usuarios") == "1.234"
    assert _valor_del_campo(contenido, "cifra_ingresos") == "1.600.469,59"
    assert _valor_del_campo(contenido, "version") == "3"


def test_the_page_says_who_saved_last_and_when(cliente, centro, personal):
    _post(cliente, centro, usuarios="30")

    contenido = cliente.get(_url(centro)).content.decode()

    assert "Guardado por <strong>María Jaramillo</strong>" in contenido
    hoy = timezone.localdate().strftime("%d/%m/%Y")
    assert hoy in contenido
    assert "estado-borrador" in contenido


def test_the_clinic_month_is_sent_to_its_own_page(cliente, personal):
    clinica = CentroFactory(linea_servicio=LineaServicio.SALUD, personal_asignado=[personal])

    respuesta = cliente.get(_url(clinica))

    assert respuesta.status_code == 302
    assert respuesta.url == reverse("salud:mes", args=[clinica.pk, ANIO, MES])


# --- Saving ---------------------------------------------------------------------------------


def test_a_draft_is_saved_and_the_user_comes_back_to_the_month(cliente, centro):
    respuesta = _post(cliente, centro, usuarios="36", ingresos="1.234,56")

    assert respuesta.status_code == 302
    assert respuesta.url == _url(centro)
    reporte = ReporteMensual.objects.get(centro=centro, anio=ANIO, mes=MES)
    assert reporte.estado == ReporteMensual.Estado.BORRADOR
    assert dict(reporte.cifras.values_list("indicador__codigo", "valor")) == {
        "usuarios": Decimal("36"),
        "ingresos": Decimal("1234.56"),
    }
    assert "Se guardó el borrador" in cliente.get(_url(centro)).content.decode()


def test_submitting_sends_the_month_to_review(cliente, centro):
    respuesta = _post(cliente, centro, accion="enviar", usuarios="36", ingresos="0")

    assert respuesta.status_code == 302
    assert ReporteMensual.objects.get(centro=centro).estado == ReporteMensual.Estado.ENVIADO


@pytest.mark.parametrize(
    ("escrito", "guardado"),
    [("1.234", Decimal("1234")), ("1234", Decimal("1234")), (" 36 ", Decimal("36"))],
)
def test_counts_are_read_the_ecuadorian_way(cliente, centro, escrito, guardado):
    _post(cliente, centro, usuarios=escrito)

    assert CifraMensual.objects.get(indicador__codigo="usuarios").valor == guardado


@pytest.mark.parametrize(
    ("escrito", "guardado"),
    [
        ("1.234,5", Decimal("1234.50")),
        ("56,75", Decimal("56.75")),
        ("$8.104,90", Decimal("8104.9")),
    ],
)
def test_money_is_read_the_ecuadorian_way(cliente, centro, escrito, guardado):
    _post(cliente, centro, ingresos=escrito)

    assert CifraMensual.objects.get(indicador__codigo="ingresos").valor == guardado


# --- Hard errors: nothing written, typed values kept ---------------------------------------


@pytest.mark.parametrize(
    ("campo", "escrito", "mensaje"),
    [
        ("usuarios", "-3", "La cifra no puede ser negativa."),
        ("usuarios", "2,5", "Escriba un número entero (sin decimales)."),
        ("ingresos", "10,555", "Escriba el valor con dos decimales como máximo."),
        ("usuarios", "treinta", "Escriba solo un número"),
    ],
)
def test_an_invalid_value_comes_back_next_to_its_field_and_nothing_is_written(
    cliente, centro, campo, escrito, mensaje
):
    otro = "ingresos" if campo == "usuarios" else "usuarios"
    antes = _foto()

    respuesta = _post(cliente, centro, **{campo: escrito, otro: "12"})

    assert respuesta.status_code == 400
    assert _foto() == antes
    contenido = respuesta.content.decode()
    assert mensaje in contenido
    assert "No se guardó nada" in contenido
    assert _valor_del_campo(contenido, f"cifra_{campo}") == escrito
    assert _valor_del_campo(contenido, f"cifra_{otro}") == "12"
    form = respuesta.context["form"]
    assert mensaje in " ".join(form.errors[f"cifra_{campo}"])


def test_a_future_month_is_refused_and_nothing_is_written(cliente, centro):
    futuro = timezone.localdate() + datetime.timedelta(days=40)
    antes = _foto()

    respuesta = _post(cliente, centro, anio=futuro.year, mes=futuro.month, usuarios="30")

    assert respuesta.status_code == 400
    assert _foto() == antes
    contenido = respuesta.content.decode()
    assert "todavía no ha llegado" in contenido
    assert _valor_del_campo(contenido, "cifra_usuarios") == "30"


def test_a_future_month_is_shown_without_buttons(cliente, centro):
    futuro = timezone.localdate() + datetime.timedelta(days=40)

    contenido = cliente.get(_url(centro, futuro.year, futuro.month)).content.decode()

    assert "todavía no ha llegado" in contenido
    assert "Enviar a revisión" not in contenido


def test_an_approved_month_is_read_only(cliente, centro):
    reporte = ReporteMensualFactory(
        centro=centro, anio=ANIO, mes=MES, estado=ReporteMensual.Estado.APROBADO, version=4
    )
    CifraMensualFactory(reporte=reporte, indicador=centro.indicador_usuarios, valor=36)

    contenido = cliente.get(_url(centro)).content.decode()

    assert 'name="cifra_usuarios"' not in contenido
    assert "Guardar borrador" not in contenido
    assert "Enviar a revisión" not in contenido
    assert "Coordinación de planificación que lo reabra" in contenido
    assert "36" in contenido


def test_saving_an_approved_month_is_refused_and_nothing_changes(cliente, centro):
    reporte = ReporteMensualFactory(
        centro=centro, anio=ANIO, mes=MES, estado=ReporteMensual.Estado.APROBADO, version=4
    )
    CifraMensualFactory(reporte=reporte, indicador=centro.indicador_usuarios, valor=36)
    antes = _foto()

    respuesta = _post(cliente, centro, version=4, usuarios="40")

    assert respuesta.status_code == 400
    assert _foto() == antes
    contenido = respuesta.content.decode()
    assert "está aprobado" in contenido
    assert _valor_del_campo(contenido, "cifra_usuarios") == "40"
    assert "Enviar a revisión" not in contenido


def test_leaving_a_stored_figure_blank_is_refused(cliente, centro):
    _post(cliente, centro, usuarios="30", ingresos="10")
    antes = _foto()

    respuesta = _post(cliente, centro, usuarios="", ingresos="10")

    assert respuesta.status_code == 400
    assert _foto() == antes
    assert "escriba 0 si no hubo ninguno" in respuesta.content.decode()


def test_a_month_is_submitted_only_with_every_figure(cliente, centro):
    antes = _foto()

    respuesta = _post(cliente, centro, accion="enviar", usuarios="30", ingresos="")

    assert respuesta.status_code == 400
    assert _foto() == antes
    assert "Escriba la cifra para enviar el mes" in respuesta.content.decode()


def test_a_post_without_the_version_writes_nothing(cliente, centro):
    antes = _foto()

    respuesta = cliente.post(_url(centro), {"cifra_usuarios": "30", "accion": "borrador"})

    assert respuesta.status_code == 400
    assert _foto() == antes
    assert "recargue la página" in respuesta.content.decode()


# --- Warnings: submitted only with a comment -------------------------------------------------


@pytest.fixture
def con_historia(centro):
    """Five months around 30 users, so that 90 in June is far outside the range."""
    cifras_del_anio(centro, centro.indicador_usuarios, [30, 31, 29, 30, 30], anio=ANIO)
    return centro


def test_submitting_with_warnings_and_no_comment_lists_them_and_keeps_the_values(
    cliente, con_historia
):
    antes = _foto()

    respuesta = _post(cliente, con_historia, accion="enviar", usuarios="90", ingresos="15,50")

    assert respuesta.status_code == 400
    assert _foto() == antes
    contenido = respuesta.content.decode()
    assert "Antes de enviar, explique estas advertencias" in contenido
    assert "Usuarios inscritos: 90 está muy lejos del promedio" in contenido
    assert re.search(r'<textarea[^>]*name="comentario"[^>]*aria-invalid="true"', contenido)
    assert "tarjeta-comentario con-error" in contenido
    assert _valor_del_campo(contenido, "cifra_usuarios") == "90"
    assert _valor_del_campo(contenido, "cifra_ingresos") == "15,50"


def test_submitting_with_warnings_and_a_comment_stores_both(cliente, con_historia):
    respuesta = _post(
        cliente,
        con_historia,
        accion="enviar",
        usuarios="90",
        ingresos="0",
        comentario="Se abrió el turno vespertino.",
    )

    assert respuesta.status_code == 302
    reporte = ReporteMensual.objects.get(centro=con_historia, anio=ANIO, mes=MES)
    assert reporte.estado == ReporteMensual.Estado.ENVIADO
    assert reporte.comentario == "Se abrió el turno vespertino."
    assert len(reporte.advertencias) == 1
    contenido = cliente.get(_url(con_historia)).content.decode()
    assert "Advertencias de las cifras guardadas" in contenido
    assert "90 está muy lejos del promedio" in contenido


def test_a_draft_with_warnings_is_saved_and_the_warnings_are_shown(cliente, con_historia):
    respuesta = _post(cliente, con_historia, usuarios="90")

    assert respuesta.status_code == 302
    assert ReporteMensual.objects.get(centro=con_historia, mes=MES).advertencias
    contenido = cliente.get(_url(con_historia)).content.decode()
    assert "con advertencias" in contenido
    assert "90 está muy lejos del promedio" in contenido


# --- Conflicts -------------------------------------------------------------------------------


@pytest.fixture
def abierto_y_guardado_por_otro(centro, personal):
    """The user opened the month at version 1; then a colleague saved it (version 2)."""
    reporte_guardar(
        centro=centro,
        mes=Mes(ANIO, MES),
        valores={"usuarios": Decimal(30)},
        version=0,
        usuario=personal,
    )
    colega = UserFactory(roles=[Rol.PERSONAL_CENTRO], first_name="Pedro", last_name="Ochoa")
    centro.personal_asignado.add(colega)
    reporte_guardar(
        centro=centro,
        mes=Mes(ANIO, MES),
        valores={"usuarios": Decimal(33), "ingresos": Decimal("99.90")},
        version=1,
        usuario=colega,
        comentario="Faltaban tres inscritos.",
    )
    return centro


def test_a_stale_version_gets_409_lists_the_stored_values_and_writes_nothing(
    cliente, abierto_y_guardado_por_otro
):
    centro = abierto_y_guardado_por_otro
    antes = _foto()

    respuesta = _post(cliente, centro, version=1, usuarios="35", ingresos="99,90")

    assert respuesta.status_code == 409
    assert _foto() == antes
    contenido = respuesta.content.decode()
    assert "Otra persona guardó este mes" in contenido
    assert "Pedro Ochoa" in contenido
    assert "No se guardó nada de lo que usted escribió" in contenido
    filas = {fila["nombre"]: fila for fila in respuesta.context["conflicto"]["filas"]}
    assert filas["Usuarios inscritos"]["guardado"] == "33"
    assert filas["Usuarios inscritos"]["escrito"] == "35"
    assert filas["Usuarios inscritos"]["distinto"]
    assert not filas["Ingresos brutos"]["distinto"]
    assert "Faltaban tres inscritos." in contenido
    assert _valor_del_campo(contenido, "cifra_usuarios") == "35"
    assert _valor_del_campo(contenido, "version") == "2"


def test_after_a_conflict_a_deliberate_second_save_wins(cliente, abierto_y_guardado_por_otro):
    centro = abierto_y_guardado_por_otro
    primera = _post(cliente, centro, version=1, usuarios="35", ingresos="99,90")
    version = _valor_del_campo(primera.content.decode(), "version")

    segunda = _post(cliente, centro, version=version, usuarios="35", ingresos="99,90")

    assert segunda.status_code == 302
    assert CifraMensual.objects.get(indicador__codigo="usuarios").valor == 35


# --- Extra POST fields ------------------------------------------------------------------------


def test_extra_post_fields_change_nothing_but_the_figures_of_the_url_month(
    cliente, centro, personal
):
    otro = centro_con_indicador_usuarios(IndicadorFactory(), personal_asignado=[personal])
    datos = {
        "version": "0",
        "accion": "borrador",
        "cifra_usuarios": "30",
        "centro": str(otro.pk),
        "centro_id": str(otro.pk),
        "anio": "2019",
        "mes": "1",
        "estado": "aprobado",
        "aprobado_por": str(personal.pk),
        "advertencias": '["nada"]',
        "reporte": "1",
    }

    respuesta = cliente.post(_url(centro), datos)

    assert respuesta.status_code == 302
    reporte = ReporteMensual.objects.get()
    assert (reporte.centro_id, reporte.anio, reporte.mes) == (centro.pk, ANIO, MES)
    assert reporte.estado == ReporteMensual.Estado.BORRADOR
    assert reporte.aprobado_por is None
    assert reporte.advertencias == []


def test_an_unknown_action_is_refused(cliente, centro):
    antes = _foto()

    respuesta = _post(cliente, centro, accion="aprobar", usuarios="30")

    assert respuesta.status_code == 400
    assert _foto() == antes
    assert "opción válida" in respuesta.content.decode()


# --- History ----------------------------------------------------------------------------------


def test_two_saves_show_in_the_history_newest_first(cliente, centro):
    _post(cliente, centro, usuarios="30")
    _post(cliente, centro, usuarios="35", comentario="Llegaron cinco niños nuevos.")

    respuesta = cliente.get(_url(centro))
    historial = respuesta.context["historial"]
    contenido = respuesta.content.decode()

    cambios = [(c.que, c.antes, c.despues) for c in historial if c.que == "Usuarios inscritos"]
    assert cambios == [
        ("Usuarios inscritos", Decimal(30), Decimal(35)),
        ("Usuarios inscritos", None, Decimal(30)),
    ]
    assert "Llegaron cinco niños nuevos." in contenido
    # The page writes the values the Ecuadorian way, an empty one as a dash.
    assert re.search(
        r'class="num antes">—</td>\s*<td[^>]*>→</td>\s*<td class="num despues">30<', contenido
    )
    tabla = contenido[contenido.index("Historial de cambios") :]
    assert tabla.index("Llegaron cinco niños nuevos.") < tabla.rindex("Borrador")


# --- Queries ----------------------------------------------------------------------------------


def _llenar(centro, personal, indicadores: int, meses: int):
    for _ in range(indicadores):
        IndicadorCentroFactory(centro=centro)
    codigos = [ic.indicador.codigo for ic in centro.indicadores_centro.select_related("indicador")]
    for mes in range(1, meses + 1):
        for vuelta in range(2):
            reporte = ReporteMensual.objects.filter(centro=centro, anio=ANIO, mes=mes).first()
            reporte_guardar(
                centro=centro,
                mes=Mes(ANIO, mes),
                valores={codigo: Decimal(20 + vuelta) for codigo in codigos},
                version=reporte.version if reporte else 0,
                usuario=personal,
            )


def test_the_month_page_queries_do_not_grow_with_the_data(
    cliente, centro, personal, django_assert_max_num_queries
):
    _llenar(centro, personal, indicadores=1, meses=MES)
    # 12 with the navigation's count of pending work; a month never returned reads no return.
    with django_assert_max_num_queries(12) as pocas:
        cliente.get(_url(centro))

    _llenar(centro, personal, indicadores=10, meses=MES)
    with django_assert_max_num_queries(len(pocas.captured_queries)):
        respuesta = cliente.get(_url(centro))
    assert len(respuesta.context["historial"]) > 20


def test_saving_a_month_of_two_figures_takes_exactly_its_queries(
    cliente, centro, django_assert_num_queries
):
    # Given: an empty month of a centre that reports two figures (users and income).
    # When: its staff save both from the month's page.
    # Then: 30 statements: the session and the user (3), the centre and the page's read of the
    # month (5: whether its year is closed is asked by the write, not by the form), the
    # figures' rules (1), the month opened (savepoint, its operation and year,
    # the locked read, its creation: 7), its figures written with their history (2 reads,
    # 2 × 2 writes), the month closed (its year, the centre's definition that year, the
    # figures of the month and of the months before it in one read, its days without service,
    # its save and history, the year's data marked as changed: 7) and the release. A read per
    # figure, the month's figures read apart from the months before, or the centre's users'
    # figure read on its own, shows here.
    with django_assert_num_queries(30):
        respuesta = _post(cliente, centro, version=0, usuarios="30", ingresos="1.234,56")

    assert respuesta.status_code == 302
    assert ReporteMensual.objects.get().version == 1
    assert CifraMensual.objects.count() == 2


def test_saving_a_month_again_reads_no_definition_it_already_holds(
    cliente, centro, django_assert_num_queries
):
    # Given: a month whose two figures are saved already.
    _post(cliente, centro, usuarios="30", ingresos="1.234,56")
    # When: its staff change both and save again (what a person does at month-end).
    # Then: 26 statements: as the first save, less the creation of the month (its savepoint,
    # insert and release) and less the centre's indicators, which only a new figure needs:
    # each figure's row already names its indicator.
    with django_assert_num_queries(26):
        respuesta = _post(cliente, centro, version=1, usuarios="31", ingresos="1.300,00")

    assert respuesta.status_code == 302
    assert ReporteMensual.objects.get().version == 2
    assert sorted(CifraMensual.objects.values_list("valor", flat=True)) == [
        Decimal("31"),
        Decimal("1300.00"),
    ]
