"""What defines a year's approved totals: an indicator's rule and unit cannot change while a
year has approved months (a new rule is a new indicator, reported from a year on); a centre's
definition changes from a year on, the years before keeping theirs, and reaches a year whose
report rests on it only with a reason (its months reopened, or its erratum)."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.forms.models import model_to_dict
from django.urls import reverse

from centros.models import (
    Centro,
    Indicador,
    IndicadorCentro,
    LineaServicio,
    OperacionAnual,
    ReporteMensual,
)
from centros.selectors.mensual import anio_de_centro
from centros.services import centro_definir
from rendicion.models import FeDeErratas
from rendicion.selectors import informe_rendicion
from tests.factories import (
    AreaFactory,
    CentroFactory,
    IndicadorCentroFactory,
    IndicadorFactory,
    OperacionAnualFactory,
    PublicacionFactory,
    ReporteMensualFactory,
    UserFactory,
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


INLINES = ["indicadores_centro", "operaciones", "horarios", "instalaciones", "fotos"]


def _centro_con_2023_aprobado(**kwargs):
    """A centre that operated in 2023 and 2024, with an approved month of 2023."""
    centro = CentroFactory(**kwargs)
    OperacionAnualFactory(centro=centro, anio=2023)
    OperacionAnualFactory(centro=centro, anio=2024)
    reporte = ReporteMensualFactory(centro=centro, anio=2023, estado=ReporteMensual.Estado.APROBADO)
    return centro, reporte


def _post_centro(cliente, centro, **cambios):
    """The centre's admin form as it is, with `cambios`, and its inlines as they are (the
    years of operation posted back)."""
    operaciones = list(centro.operaciones.order_by("anio"))
    datos = _inlines_vacios([prefijo for prefijo in INLINES if prefijo != "operaciones"])
    datos |= {
        "operaciones-TOTAL_FORMS": len(operaciones),
        "operaciones-INITIAL_FORMS": len(operaciones),
        "operaciones-MIN_NUM_FORMS": 0,
        "operaciones-MAX_NUM_FORMS": 1000,
    }
    for i, operacion in enumerate(operaciones):
        datos |= {
            f"operaciones-{i}-id": operacion.pk,
            f"operaciones-{i}-centro": centro.pk,
            f"operaciones-{i}-anio": operacion.anio,
            f"operaciones-{i}-mes_inicio": operacion.mes_inicio,
            f"operaciones-{i}-mes_fin": operacion.mes_fin,
            f"operaciones-{i}-personal": operacion.personal or "",
        }
    return _post_admin(cliente, centro, **datos, **cambios)


@pytest.mark.parametrize(
    ("campo", "valor"),
    [("area", "otra"), ("modalidad", "convenio_mies"), ("linea_servicio", "adulto_mayor")],
)
def test_a_change_from_2024_on_keeps_what_2023_was_counted_with(admin_client, db, campo, valor):
    # Given: a centre with an approved month of 2023.
    centro, _ = _centro_con_2023_aprobado(
        modalidad="directa", linea_servicio=LineaServicio.DESARROLLO_INFANTIL
    )
    antes = model_to_dict(centro)[campo]
    nuevo = AreaFactory().pk if valor == "otra" else valor

    # When: the administration changes it from 2024 on.
    respuesta = _post_centro(admin_client, centro, **{campo: nuevo, "desde_anio": 2024})

    # Then: saved; 2023 keeps the old value as its own, 2024 follows the centre's new one.
    assert respuesta.status_code == 302
    centro.refresh_from_db()
    assert model_to_dict(centro)[campo] == nuevo
    de_2023 = OperacionAnual.objects.get(centro=centro, anio=2023)
    assert de_2023.definicion_propia
    assert model_to_dict(de_2023)[campo] == antes
    assert not OperacionAnual.objects.get(centro=centro, anio=2024).definicion_propia


def test_without_desde_el_anio_the_change_applies_from_the_year_in_course(admin_client, db):
    centro, _ = _centro_con_2023_aprobado(modalidad="directa")

    respuesta = _post_centro(admin_client, centro, modalidad="convenio_mies")

    assert respuesta.status_code == 302
    assert Centro.objects.get(pk=centro.pk).modalidad == "convenio_mies"
    # Both years before the one in course keep what they had.
    assert list(OperacionAnual.objects.filter(centro=centro).values_list("anio", "modalidad")) == [
        (2023, "directa"),
        (2024, "directa"),
    ]


def test_a_change_reaching_an_approved_year_is_refused_saying_what_to_do(admin_client, db):
    centro, reporte = _centro_con_2023_aprobado(modalidad="directa")

    respuesta = _post_centro(
        admin_client, centro, modalidad="convenio_mies", desde_anio=2023, capacidad=99
    )

    # Then: the form comes back with what was typed, a message naming the year and both ways
    # out; nothing changed.
    assert respuesta.status_code == 200
    formulario = respuesta.context["adminform"].form
    mensaje = formulario.errors["modalidad"][0]
    assert "2023" in mensaje
    assert "motivo" in mensaje
    assert "«Desde el año» 2024" in mensaje
    assert formulario.data["capacidad"] == "99"
    centro.refresh_from_db()
    assert (centro.modalidad, centro.capacidad) == ("directa", 40)
    assert not OperacionAnual.objects.filter(centro=centro, definicion_propia=True).exists()
    reporte.refresh_from_db()
    assert reporte.aprobado


def test_with_a_reason_the_approved_months_reopen_for_review_under_the_new_definition(
    admin_client, db
):
    centro, reporte = _centro_con_2023_aprobado(modalidad="directa")

    respuesta = _post_centro(
        admin_client,
        centro,
        modalidad="convenio_mies",
        desde_anio=2023,
        motivo="Era un CDI en convenio desde enero; se registró mal.",
    )

    assert respuesta.status_code == 302
    centro.refresh_from_db()
    assert centro.modalidad == "convenio_mies"
    reporte.refresh_from_db()
    assert reporte.estado == ReporteMensual.Estado.BORRADOR
    assert reporte.motivo_reapertura == "Era un CDI en convenio desde enero; se registró mal."
    # 2023 follows the corrected definition: it keeps none of its own.
    assert not OperacionAnual.objects.filter(centro=centro, definicion_propia=True).exists()


def test_a_published_year_changes_only_in_its_erratum(db):
    # Given: 2023 published, the centre with an approved month in it.
    centro, reporte = _centro_con_2023_aprobado(modalidad="directa")
    PublicacionFactory(anio=2023)
    usuario = UserFactory()

    # When: the change reaches 2023 without a reason, then with one.
    with pytest.raises(ValidationError) as rechazo:
        centro_definir(centro=centro, cambios={"capacidad": 45}, desde_anio=2023, usuario=usuario)
    centro_definir(
        centro=centro,
        cambios={"capacidad": 45},
        desde_anio=2023,
        usuario=usuario,
        motivo="La capacidad autorizada era 45.",
    )

    # Then: refused first, naming the published report; then it is part of the erratum
    # opened with that reason, and the approved month stays (the erratum republishes).
    assert "publicado" in rechazo.value.messages[0]
    errata = FeDeErratas.objects.get(anio=2023, publicacion=None)
    assert errata.motivo == "La capacidad autorizada era 45."
    reporte.refresh_from_db()
    assert reporte.aprobado
    assert Centro.objects.get(pk=centro.pk).capacidad == 45


def test_a_centre_with_drafts_only_can_still_be_corrected_from_any_year(admin_client, db):
    centro = CentroFactory(modalidad="directa")
    OperacionAnualFactory(centro=centro, anio=2023)
    ReporteMensualFactory(centro=centro, anio=2023, estado=ReporteMensual.Estado.ENVIADO)

    respuesta = _post_centro(admin_client, centro, modalidad="convenio_mies", desde_anio=2023)

    assert respuesta.status_code == 302
    assert Centro.objects.get(pk=centro.pk).modalidad == "convenio_mies"
    assert not OperacionAnual.objects.filter(centro=centro, definicion_propia=True).exists()


@pytest.mark.usefixtures("datos_2023")
def test_a_new_rule_from_2024_takes_over_in_every_centre_and_2023_keeps_its_total(
    admin_client,
):
    # Given: the children enrolled, counted by their monthly maximum in the approved 2023.
    indicador = Indicador.objects.get(codigo="usuarios_inscritos")
    centros = set(
        IndicadorCentro.objects.filter(indicador=indicador).values_list("centro_id", flat=True)
    )
    usuarios_de = set(
        Centro.objects.filter(indicador_usuarios=indicador).values_list("pk", flat=True)
    )

    # When: the administration counts it as a sum from 2024 on.
    respuesta = _post_admin(
        admin_client, indicador, agregacion=Indicador.Agregacion.SUMA, desde_anio=2024
    )

    # Then: the indicator of 2023 keeps its rule and Tabla 1; a new one of the same name,
    # summed, takes its place from 2024 in the same centres, as their users figure too.
    assert respuesta.status_code == 302
    indicador.refresh_from_db()
    assert indicador.agregacion == Indicador.Agregacion.MAXIMO
    nuevo = Indicador.objects.get(codigo="usuarios_inscritos-2024")
    assert (nuevo.nombre, nuevo.agregacion) == (indicador.nombre, Indicador.Agregacion.SUMA)
    assert (
        set(
            IndicadorCentro.objects.filter(indicador=indicador, hasta_anio=2023).values_list(
                "centro_id", flat=True
            )
        )
        == centros
    )
    assert (
        set(
            IndicadorCentro.objects.filter(indicador=nuevo, desde_anio=2024).values_list(
                "centro_id", flat=True
            )
        )
        == centros
    )
    assert (
        usuarios_de
        and set(Centro.objects.filter(indicador_usuarios=nuevo).values_list("pk", flat=True))
        == usuarios_de
    )
    assert informe_rendicion(anio=2023).desarrollo_infantil.total == USUARIOS_TABLA_1
    # Each centre's history says the old one was retired after 2023, and by whom.
    retirados = IndicadorCentro.history.filter(indicador=indicador, hasta_anio=2023)
    assert set(retirados.values_list("centro_id", flat=True)) == centros
    assert {r.history_user.username for r in retirados} == {"admin"}


@pytest.mark.usefixtures("datos_2023")
def test_a_new_rule_from_a_year_with_approved_months_is_refused_naming_the_year_to_use(
    admin_client,
):
    indicador = Indicador.objects.get(codigo="usuarios_inscritos")

    respuesta = _post_admin(
        admin_client, indicador, agregacion=Indicador.Agregacion.SUMA, desde_anio=2023
    )

    assert respuesta.status_code == 200
    mensaje = respuesta.context["adminform"].form.errors["agregacion"][0]
    assert "meses aprobados de 2023" in mensaje
    assert "«Desde el año» 2024" in mensaje
    assert not Indicador.objects.filter(codigo__startswith="usuarios_inscritos-").exists()


def test_a_name_from_2024_on_leaves_2023_printed_as_it_was(admin_client, db):
    # Given: a centre reporting «Raciones» with an approved month of 2023.
    centro, reporte = _centro_con_2023_aprobado()
    indicador = IndicadorFactory(nombre="Raciones")
    IndicadorCentroFactory(centro=centro, indicador=indicador)
    reporte.cifras.create(indicador=indicador, valor=10)

    # When: it is renamed from 2024 on; then a typo of the new one is corrected everywhere.
    respuesta = _post_admin(
        admin_client, indicador, nombre="Raciones alimenticias", desde_anio=2024
    )
    nuevo = Indicador.objects.get(codigo=f"{indicador.codigo}-2024")
    _post_admin(admin_client, nuevo, nombre="Raciones alimentarias")

    # Then: each year's month form names the figure as it was named that year.
    assert respuesta.status_code == 302
    hoy = datetime.date(2025, 1, 15)
    nombres = {
        anio: [i.nombre for i in anio_de_centro(centro=centro, anio=anio, hoy=hoy).indicadores]
        for anio in (2023, 2024)
    }
    assert nombres == {2023: ["Raciones"], 2024: ["Raciones alimentarias"]}
