"""Read functions of `centros`: users per centre, centres per área, yearly figures, and which
centres a user may see."""

from decimal import Decimal

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.test.utils import CaptureQueriesContext

from casmul.roles import Rol
from centros.models import Indicador, LineaServicio, Modalidad, ReporteMensual
from centros.selectors.acceso import centros_de_usuario
from centros.selectors.anuales import cifras_anuales
from centros.selectors.informe import centros_por_area, cifras_de_area, usuarios_por_centro
from tests.factories import (
    AreaFactory,
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

pytestmark = pytest.mark.django_db

SUMA = Indicador.Agregacion.SUMA
MAXIMO = Indicador.Agregacion.MAXIMO
PROMEDIO = Indicador.Agregacion.PROMEDIO


def centro_operando(agregacion, valores, anio=2023, **kwargs):
    """A centre operating in `anio` whose users figure has the rule and monthly values."""
    indicador = IndicadorFactory(agregacion=agregacion)
    centro = centro_con_indicador_usuarios(indicador, **kwargs)
    OperacionAnualFactory(centro=centro, anio=anio)
    cifras_del_anio(centro, indicador, valores, anio=anio)
    return centro


def usuarios_de(tabla, centro):
    [fila] = [fila for fila in tabla.filas if fila.centro_id == centro.pk]
    return fila.usuarios


def numero_de_consultas(funcion) -> int:
    with CaptureQueriesContext(connection) as consultas:
        funcion()
    return len(consultas)


# --- usuarios_por_centro -------------------------------------------------------------------


def test_stock_indicator_with_maximo_counts_the_highest_month_not_the_sum():
    centro = centro_operando(MAXIMO, [36] * 12)
    assert usuarios_de(usuarios_por_centro(anio=2023), centro) == 36


def test_stock_indicator_with_maximo_takes_the_highest_month():
    centro = centro_operando(MAXIMO, [30, 41, 38, 35])
    assert usuarios_de(usuarios_por_centro(anio=2023), centro) == 41


def test_flow_indicator_with_suma_adds_the_months():
    centro = centro_operando(SUMA, [10, 20, 30, 5])
    assert usuarios_de(usuarios_por_centro(anio=2023), centro) == 65


def test_stock_indicator_with_promedio_averages_the_reported_months():
    centro = centro_operando(PROMEDIO, [30, 40, 50])
    assert usuarios_de(usuarios_por_centro(anio=2023), centro) == 40


def test_each_centre_uses_its_own_indicators_rule():
    maximo = centro_operando(MAXIMO, [36] * 12)
    suma = centro_operando(SUMA, [36] * 12)
    tabla = usuarios_por_centro(anio=2023)
    assert usuarios_de(tabla, maximo) == 36
    assert usuarios_de(tabla, suma) == 432


@pytest.mark.parametrize(
    ("valores", "esperado"),
    [([36, 37], 37), ([37, 38], 38), ([10, 10, 11], 10), ([10, 11, 11], 11)],
    ids=["36,5", "37,5", "10,33", "10,67"],
)
def test_average_users_are_rounded_half_up(valores, esperado):
    # Same rule as casmul.formato.numero: 36,5 users are printed as 37, not 36.
    centro = centro_operando(PROMEDIO, valores)
    assert usuarios_de(usuarios_por_centro(anio=2023), centro) == esperado


def test_only_the_centres_users_indicator_is_counted():
    centro = centro_operando(MAXIMO, [36] * 12)
    atenciones = IndicadorFactory(agregacion=SUMA)
    IndicadorCentroFactory(centro=centro, indicador=atenciones)
    cifras_del_anio(centro, atenciones, [500] * 12)
    assert usuarios_de(usuarios_por_centro(anio=2023), centro) == 36


def test_users_indicator_reported_by_another_centre_is_not_counted_for_this_one():
    indicador = IndicadorFactory(agregacion=SUMA)
    centro = centro_con_indicador_usuarios(indicador)
    OperacionAnualFactory(centro=centro, anio=2023)
    otro = centro_con_indicador_usuarios(indicador)
    OperacionAnualFactory(centro=otro, anio=2023)
    cifras_del_anio(centro, indicador, [5, 5])
    cifras_del_anio(otro, indicador, [100, 100])
    tabla = usuarios_por_centro(anio=2023)
    assert usuarios_de(tabla, centro) == 10
    assert usuarios_de(tabla, otro) == 200


def test_figures_of_other_years_are_not_counted():
    centro = centro_operando(SUMA, [10, 10])
    OperacionAnualFactory(centro=centro, anio=2022)
    cifras_del_anio(centro, centro.indicador_usuarios, [1000] * 12, anio=2022)
    assert usuarios_de(usuarios_por_centro(anio=2023), centro) == 20
    assert usuarios_de(usuarios_por_centro(anio=2022), centro) == 12000


def test_only_centres_operating_in_the_year_are_listed():
    en_2023 = centro_operando(SUMA, [10])
    solo_2022 = centro_operando(SUMA, [10], anio=2022)
    # Figures in 2023 do not make a centre operate in 2023.
    reporte = ReporteMensualFactory(
        centro=solo_2022, anio=2023, mes=1, estado=ReporteMensual.Estado.APROBADO
    )
    CifraMensualFactory(reporte=reporte, indicador=solo_2022.indicador_usuarios, valor=10)
    ids = [fila.centro_id for fila in usuarios_por_centro(anio=2023).filas]
    assert ids == [en_2023.pk]


def test_operating_centre_without_figures_is_listed_with_zero_users():
    centro = centro_operando(SUMA, [])
    assert usuarios_de(usuarios_por_centro(anio=2023), centro) == 0


def test_centre_without_users_indicator_is_left_out():
    centro = CentroFactory()
    OperacionAnualFactory(centro=centro, anio=2023)
    assert usuarios_por_centro(anio=2023).filas == []


def test_rows_are_ordered_by_centre_number_and_carry_the_centres_data():
    segundo = centro_operando(SUMA, [1], numero=2002, modalidad=Modalidad.CONVENIO_MIES)
    primero = centro_operando(SUMA, [1], numero=2001)
    filas = usuarios_por_centro(anio=2023).filas
    assert [fila.centro_id for fila in filas] == [primero.pk, segundo.pk]
    assert filas[0].numero == 2001
    assert filas[0].nombre == primero.nombre
    assert filas[0].area_id == primero.area_id
    assert (filas[0].marca_modalidad, filas[1].marca_modalidad) == ("*", "**")


def test_area_filter_keeps_only_that_areas_centres():
    area = AreaFactory(codigo="adulto-mayor")
    dentro = centro_operando(SUMA, [3], area=area)
    centro_operando(SUMA, [4])
    tabla = usuarios_por_centro(anio=2023, area_codigo="adulto-mayor")
    assert [fila.centro_id for fila in tabla.filas] == [dentro.pk]


def test_total_is_the_sum_of_the_rows_and_breakdowns_add_up():
    centro_operando(MAXIMO, [36] * 12, linea_servicio=LineaServicio.DESARROLLO_INFANTIL)
    centro_operando(
        SUMA,
        [10, 15],
        linea_servicio=LineaServicio.ADULTO_MAYOR,
        modalidad=Modalidad.CONVENIO_MIES,
    )
    centro_operando(PROMEDIO, [20, 40], linea_servicio=LineaServicio.DESARROLLO_INFANTIL)
    tabla = usuarios_por_centro(anio=2023)
    assert tabla.total == sum(fila.usuarios for fila in tabla.filas) == 36 + 25 + 30
    assert tabla.por_linea(LineaServicio.DESARROLLO_INFANTIL) == 66
    assert tabla.por_linea(LineaServicio.ADULTO_MAYOR) == 25
    assert tabla.por_modalidad(Modalidad.DIRECTA) == 2
    assert tabla.por_modalidad(Modalidad.CONVENIO_MIES) == 1


def test_users_per_centre_query_count_does_not_grow_with_the_data(
    django_assert_max_num_queries,
):
    reglas = [MAXIMO, SUMA, PROMEDIO]

    def construir(cantidad):
        for i in range(cantidad):
            centro_operando(reglas[i % 3], [30 + i] * 12)

    construir(3)
    pequeno = numero_de_consultas(lambda: usuarios_por_centro(anio=2023))
    construir(27)
    with django_assert_max_num_queries(pequeno):
        tabla = usuarios_por_centro(anio=2023)
    assert len(tabla.filas) == 30
    # The figures, the centres, their definitions of the year.
    assert numero_de_consultas(lambda: usuarios_por_centro(anio=2023)) == pequeno <= 3


# --- cifras_anuales ------------------------------------------------------------------------


def test_yearly_figures_apply_each_indicators_rule_per_centre():
    usuarios = IndicadorFactory(codigo="usuarios", agregacion=MAXIMO)
    atenciones = IndicadorFactory(codigo="atenciones", agregacion=SUMA)
    promedio = IndicadorFactory(codigo="promedio", agregacion=PROMEDIO)
    uno, dos = CentroFactory(), CentroFactory()
    cifras_del_anio(uno, usuarios, [36] * 12)
    cifras_del_anio(uno, atenciones, [100, 200, 300])
    cifras_del_anio(uno, promedio, [1, 2])
    cifras_del_anio(dos, atenciones, [7] * 12)
    cifras_del_anio(dos, atenciones, [999] * 12, anio=2022)
    assert cifras_anuales(anio=2023) == {
        (uno.pk, "usuarios"): Decimal("36"),
        (uno.pk, "atenciones"): Decimal("600"),
        (uno.pk, "promedio"): Decimal("1.5"),
        (dos.pk, "atenciones"): Decimal("84"),
    }


def test_yearly_figures_can_be_limited_to_some_centres():
    atenciones = IndicadorFactory(codigo="atenciones", agregacion=SUMA)
    uno, dos = CentroFactory(), CentroFactory()
    cifras_del_anio(uno, atenciones, [1, 2])
    cifras_del_anio(dos, atenciones, [5])
    assert cifras_anuales(anio=2023, centro_ids=[dos.pk]) == {(dos.pk, "atenciones"): 5}
    assert cifras_anuales(anio=2023, centro_ids=[]) == {}


def test_yearly_figures_keep_cents_of_money_indicators():
    ingresos = IndicadorFactory(codigo="ingresos", agregacion=SUMA, unidad=Indicador.Unidad.DOLARES)
    centro = CentroFactory()
    cifras_del_anio(centro, ingresos, ["10.25", "0.50"])
    assert cifras_anuales(anio=2023) == {(centro.pk, "ingresos"): Decimal("10.75")}


# --- centros_por_area ----------------------------------------------------------------------


def centro_en(area, *anios):
    centro = CentroFactory(area=area)
    for anio in anios:
        OperacionAnualFactory(centro=centro, anio=anio)
    return centro


def test_centres_are_counted_per_area_in_the_year_and_the_previous_one():
    infancia, mayores, vacia = AreaFactory(), AreaFactory(), AreaFactory()
    centro_en(infancia, 2022, 2023)
    centro_en(infancia, 2023)
    centro_en(infancia, 2023)
    centro_en(mayores, 2022)
    centro_en(mayores, 2021)
    centro_en(mayores, 2024)

    conteo = centros_por_area(anio=2023)

    assert conteo.anio == 2023
    filas = [(f.area_id, f.area, f.centros, f.centros_anio_anterior) for f in conteo.por_area]
    assert filas == [
        (infancia.pk, infancia.nombre, 3, 1),
        (mayores.pk, mayores.nombre, 0, 1),
        (vacia.pk, vacia.nombre, 0, 0),
    ]
    assert conteo.total == 3
    assert conteo.total_anio_anterior == 2
    assert conteo.variacion == 1
    assert conteo.variacion_relativa == Decimal("0.5")


def test_areas_are_listed_in_their_order():
    tercera = AreaFactory(orden=3)
    primera = AreaFactory(orden=1)
    segunda = AreaFactory(orden=2)
    ids = [fila.area_id for fila in centros_por_area(anio=2023).por_area]
    assert ids == [primera.pk, segunda.pk, tercera.pk]


def test_fewer_centres_than_the_previous_year_give_negative_variation():
    area = AreaFactory()
    centro_en(area, 2022, 2023)
    centro_en(area, 2022)
    centro_en(area, 2022)
    centro_en(area, 2022)
    conteo = centros_por_area(anio=2023)
    assert conteo.variacion == -3
    assert conteo.variacion_relativa == Decimal("-0.75")


def test_relative_variation_is_none_without_centres_the_previous_year():
    centro_en(AreaFactory(), 2023)
    conteo = centros_por_area(anio=2023)
    assert conteo.variacion == 1
    assert conteo.variacion_relativa is None


def test_centres_per_area_query_count_does_not_grow_with_the_data(
    django_assert_max_num_queries,
):
    def construir(cantidad):
        for _ in range(cantidad):
            area = AreaFactory()
            centro_en(area, 2022, 2023)
            centro_en(area, 2023)

    construir(2)
    pequeno = numero_de_consultas(lambda: centros_por_area(anio=2023))
    construir(18)
    with django_assert_max_num_queries(pequeno):
        conteo = centros_por_area(anio=2023)
    assert conteo.total == 40
    # Each year's centres grouped by the área they had that year, and the áreas.
    assert numero_de_consultas(lambda: centros_por_area(anio=2023)) == pequeno == 3


# --- centros_de_usuario --------------------------------------------------------------------


@pytest.fixture
def tres_centros():
    return CentroFactory(), CentroFactory(), CentroFactory()


def test_centre_staff_see_only_their_assigned_centres(tres_centros):
    uno, dos, _tres = tres_centros
    personal = UserFactory(roles=[Rol.PERSONAL_CENTRO])
    uno.personal_asignado.add(personal)
    dos.personal_asignado.add(personal)
    colega = UserFactory(roles=[Rol.PERSONAL_CENTRO])
    _tres.personal_asignado.add(colega)
    assert set(centros_de_usuario(personal)) == {uno, dos}


def test_centre_staff_without_assignments_see_none(tres_centros):
    assert list(centros_de_usuario(UserFactory(roles=[Rol.PERSONAL_CENTRO]))) == []


@pytest.mark.parametrize("rol", [Rol.COORDINACION, Rol.ADMINISTRACION])
def test_coordination_and_administration_see_every_centre(tres_centros, rol):
    assert set(centros_de_usuario(UserFactory(roles=[rol]))) == set(tres_centros)


def test_superuser_sees_every_centre(tres_centros):
    superusuario = UserFactory(is_superuser=True, is_staff=True)
    assert set(centros_de_usuario(superusuario)) == set(tres_centros)


def test_user_without_role_sees_no_centre_even_if_assigned(tres_centros):
    usuario = UserFactory()
    tres_centros[0].personal_asignado.add(usuario)
    assert list(centros_de_usuario(usuario)) == []


def test_inactive_coordinator_sees_no_centre(tres_centros):
    assert list(centros_de_usuario(UserFactory(roles=[Rol.COORDINACION], is_active=False))) == []


def test_anonymous_user_sees_no_centre(tres_centros):
    assert list(centros_de_usuario(AnonymousUser())) == []


def test_assigned_staff_can_be_given_through_the_factory():
    personal = UserFactory(roles=[Rol.PERSONAL_CENTRO])
    centro = CentroFactory(personal_asignado=[personal])
    assert list(centros_de_usuario(personal)) == [centro]


def test_a_centre_closed_in_march_averages_its_flows_over_its_three_months():
    area = AreaFactory(codigo="impulso-economico")
    piscina = CentroFactory(area=area)
    OperacionAnualFactory(centro=piscina, anio=2023, mes_inicio=1, mes_fin=3)
    visitas = IndicadorFactory(codigo="visitas", agregacion=Indicador.Agregacion.SUMA)
    IndicadorCentroFactory(centro=piscina, indicador=visitas)
    cifras_del_anio(piscina, visitas, [900, 900, 900])

    [centro] = cifras_de_area(anio=2023, area_codigo="impulso-economico")
    [cifra] = centro.cifras

    assert cifra.valor == 2700
    assert cifra.promedio_mensual == 900  # not 2.700 / 12
    assert cifra.promedio_diario == Decimal(2700) / (31 + 28 + 31)


def test_a_figure_stored_in_a_month_the_centre_did_not_operate_is_not_counted():
    centro = centro_operando(Indicador.Agregacion.SUMA, [10, 10, 10])
    centro.operaciones.update(mes_fin=2)

    codigo = centro.indicador_usuarios.codigo
    assert cifras_anuales(anio=2023)[(centro.pk, codigo)] == 20
    assert usuarios_de(usuarios_por_centro(anio=2023), centro) == 20
