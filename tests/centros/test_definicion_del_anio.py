"""What defines a year's approved totals (an indicator's rule and unit; a centre's área,
modality, service line and users figure) cannot change while that year has approved months."""

import pytest
from django.forms.models import model_to_dict
from django.urls import reverse

from centros.models import Centro, Indicador, LineaServicio, ReporteMensual
from rendicion.selectors import informe_rendicion
from tests.factories import (
    AreaFactory,
    CentroFactory,
    IndicadorCentroFactory,
    IndicadorFactory,
    ReporteMensualFactory,
)

USUARIOS_TABLA_1 = 523  # Tabla 1 of the published 2023 report


def _post_admin(cliente, objeto, **cambios):
    """Posts the object's admin change form as it is, with `cambios`."""
    datos = {
        clave: ("" if valor is None else valor)
        for clave, valor in model_to_dict(objeto).items()
        if not isinstance(valor, list)
    }
    datos.update(cambios)
    url = reverse(f"admin:centros_{objeto._meta.model_name}_change", args=[objeto.pk])
    return cliente.post(url, datos)


def _inlines_vacios(prefijos):
    return {
        clave: valor
        for prefijo in prefijos
        for clave, valor in {
            f"{prefijo}-TOTAL_FORMS": 0,
            f"{prefijo}-INITIAL_FORMS": 0,
            f"{prefijo}-MIN_NUM_FORMS": 0,
            f"{prefijo}-MAX_NUM_FORMS": 1000,
        }.items()
    }


@pytest.mark.usefixtures("datos_2023")
def test_switching_the_users_rule_of_an_approved_year_is_refused_and_tabla_1_stays(
    admin_client,
):
    # Given: the indicator that counts child-care users, used by the approved 2023 months.
    indicador = Indicador.objects.get(codigo="usuarios_inscritos")

    # When: the administration switches its rule from maximum to sum.
    respuesta = _post_admin(admin_client, indicador, agregacion=Indicador.Agregacion.SUMA)

    # Then: refused with a message naming the year; the rule and Tabla 1 stay.
    assert respuesta.status_code == 200
    errores = respuesta.context["adminform"].form.errors
    assert "meses aprobados de 2023" in errores["agregacion"][0]
    indicador.refresh_from_db()
    assert indicador.agregacion == Indicador.Agregacion.MAXIMO
    assert informe_rendicion(anio=2023).desarrollo_infantil.total == USUARIOS_TABLA_1


def test_the_indicator_s_name_can_change_and_its_rule_when_no_month_is_approved(admin_client, db):
    indicador = IndicadorFactory(agregacion=Indicador.Agregacion.MAXIMO)
    centro = CentroFactory()
    IndicadorCentroFactory(centro=centro, indicador=indicador)
    reporte = ReporteMensualFactory(centro=centro, estado=ReporteMensual.Estado.ENVIADO)
    reporte.cifras.create(indicador=indicador, valor=10)

    renombrado = _post_admin(admin_client, indicador, nombre="Niños y niñas inscritos")
    indicador.refresh_from_db()
    regla = _post_admin(admin_client, indicador, agregacion=Indicador.Agregacion.SUMA)

    assert (renombrado.status_code, regla.status_code) == (302, 302)
    indicador.refresh_from_db()
    assert (indicador.nombre, indicador.agregacion) == ("Niños y niñas inscritos", "suma")


@pytest.mark.parametrize(
    ("campo", "valor"),
    [("area", "otra"), ("modalidad", "convenio_mies"), ("linea_servicio", "adulto_mayor")],
)
def test_a_centre_with_approved_months_keeps_what_its_totals_depend_on(
    admin_client, db, campo, valor
):
    centro = CentroFactory(modalidad="directa", linea_servicio=LineaServicio.DESARROLLO_INFANTIL)
    ReporteMensualFactory(centro=centro, anio=2023, estado=ReporteMensual.Estado.APROBADO)
    nuevo = AreaFactory().pk if valor == "otra" else valor
    antes = model_to_dict(centro)

    respuesta = _post_admin(
        admin_client,
        centro,
        **{campo: nuevo},
        **_inlines_vacios(
            ["indicadores_centro", "operaciones", "horarios", "instalaciones", "fotos"]
        ),
    )

    assert respuesta.status_code == 200
    assert "meses aprobados de 2023" in respuesta.context["adminform"].form.errors[campo][0]
    centro.refresh_from_db()
    assert model_to_dict(centro)[campo] == antes[campo]


def test_a_centre_with_drafts_only_can_still_be_corrected(admin_client, db):
    centro = CentroFactory(modalidad="directa")
    ReporteMensualFactory(centro=centro, anio=2023, estado=ReporteMensual.Estado.ENVIADO)

    respuesta = _post_admin(
        admin_client,
        centro,
        modalidad="convenio_mies",
        **_inlines_vacios(
            ["indicadores_centro", "operaciones", "horarios", "instalaciones", "fotos"]
        ),
    )

    assert respuesta.status_code == 302
    assert Centro.objects.get(pk=centro.pk).modalidad == "convenio_mies"
