"""Days a centre did not serve, explained once by its staff: their months' low figures raise
no range or jump warning, later months' ranges leave them out, and the reason is on the
review page and in the panel."""

import datetime
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse

from casmul.meses import Mes
from casmul.roles import Rol
from centros.models import ReporteMensual, SinAtencion
from centros.selectors.consistencia import cifras_atipicas
from centros.services import (
    advertencias_de_cifras,
    advertencias_de_meses,
    advertencias_del_mes,
    reporte_guardar,
    sin_atencion_registrar,
)
from rendicion.consistencia import observaciones
from tests.factories import (
    CentroFactory,
    IndicadorCentroFactory,
    IndicadorFactory,
    OperacionAnualFactory,
    UserFactory,
    cifras_del_anio,
)

ANIO = 2024
E = ReporteMensual.Estado


@pytest.fixture
def centro(db):
    centro = CentroFactory(nombre_corto="CDI Las Peñas")
    raciones = IndicadorFactory(codigo="raciones", nombre="Raciones servidas")
    IndicadorCentroFactory(centro=centro, indicador=raciones)
    OperacionAnualFactory(centro=centro, anio=ANIO)
    # January to April around 800 rations, approved.
    cifras_del_anio(centro, raciones, [800, 820, 790, 810], anio=ANIO)
    return centro


@pytest.fixture
def personal(centro):
    usuario = UserFactory(roles=[Rol.PERSONAL_CENTRO])
    centro.personal_asignado.add(usuario)
    return usuario


def _guardar(centro, personal, mes, valor):
    return reporte_guardar(
        centro=centro,
        mes=Mes(ANIO, mes),
        valores={"raciones": Decimal(valor)},
        version=0,
        usuario=personal,
    )


def _cerrado_en_mayo(centro, personal):
    return sin_atencion_registrar(
        centro=centro,
        desde=datetime.date(ANIO, 5, 1),
        hasta=datetime.date(ANIO, 5, 31),
        motivo="Cierre por emergencia sanitaria",
        usuario=personal,
    )


def test_a_month_without_service_explains_its_zero_and_the_draft_loses_its_warning(
    centro, personal
):
    # Given: May saved with 0 rations: far from the average, a jump.
    mayo = _guardar(centro, personal, 5, 0)
    assert mayo.advertencias

    # When: staff record that the centre did not serve in May.
    _cerrado_en_mayo(centro, personal)

    # Then: May's stored warnings were computed again: none.
    mayo.refresh_from_db()
    assert mayo.advertencias == []
    assert advertencias_del_mes(reporte=mayo) == []


def test_later_months_leave_the_month_without_service_out_of_their_range(centro, personal):
    # Given: May closed most of the month (100 rations), June back to 805.
    _guardar(centro, personal, 5, 100)
    antes = advertencias_de_cifras(centro=centro, mes=Mes(ANIO, 6), valores={"raciones": 805})
    _cerrado_en_mayo(centro, personal)

    despues = advertencias_de_cifras(centro=centro, mes=Mes(ANIO, 6), valores={"raciones": 805})

    # Before, June "jumped" from May's 100; now it is compared with April's 810.
    assert any("pasa de 100" in advertencia for advertencia in antes)
    assert despues == []


def test_many_months_at_once_get_the_same_warnings_as_each_month_alone(centro, personal):
    meses = [_guardar(centro, personal, mes, valor) for mes, valor in ((5, 0), (6, 805))]
    _cerrado_en_mayo(centro, personal)
    reportes = list(ReporteMensual.objects.filter(pk__in=[r.pk for r in meses]))

    assert advertencias_de_meses(reportes=reportes) == {
        r.pk: advertencias_del_mes(reporte=r) for r in reportes
    }


def test_staff_record_it_from_the_year_page_and_a_bad_range_changes_nothing(centro, personal):
    cliente = Client()
    cliente.force_login(personal)
    url = reverse("centros:sin_atencion", args=[centro.pk, ANIO])

    al_reves = cliente.post(
        url, {"desde": "2024-05-31", "hasta": "2024-05-01", "motivo": "Emergencia"}
    )
    sin_motivo = cliente.post(url, {"desde": "2024-05-01", "hasta": "2024-05-31", "motivo": ""})
    bien = cliente.post(url, {"desde": "2024-05-01", "hasta": "2024-05-31", "motivo": "Emergencia"})

    mensajes = [str(m) for r in (al_reves, sin_motivo) for m in get_messages(r.wsgi_request)]
    assert any("La fecha final es anterior a la inicial" in m for m in mensajes)
    assert any("Escriba por qué el centro no atendió" in m for m in mensajes)
    assert bien.status_code == 302
    assert list(SinAtencion.objects.values_list("motivo", "registrado_por")) == [
        ("Emergencia", personal.pk)
    ]
    anio = cliente.get(reverse("centros:anio", args=[centro.pk, ANIO])).content.decode()
    assert "Del 01/05/2024 al 31/05/2024: Emergencia" in anio


def test_the_coordination_cannot_record_it(centro):
    cliente = Client()
    cliente.force_login(UserFactory(roles=[Rol.COORDINACION]))

    respuesta = cliente.post(
        reverse("centros:sin_atencion", args=[centro.pk, ANIO]),
        {"desde": "2024-05-01", "hasta": "2024-05-31", "motivo": "Emergencia"},
    )

    assert respuesta.status_code == 403
    assert not SinAtencion.objects.exists()


def test_the_review_page_and_the_panel_give_the_reason_and_no_outlier(centro, personal):
    mayo = _guardar(centro, personal, 5, 40)
    assert any(a.centro_id == centro.pk and a.mes.numero == 5 for a in cifras_atipicas(anio=ANIO))
    _cerrado_en_mayo(centro, personal)
    mayo = reporte_guardar(
        centro=centro,
        mes=Mes(ANIO, 5),
        valores={"raciones": Decimal(40)},
        version=mayo.version,
        usuario=personal,
        enviar=True,
    )
    cliente = Client()
    cliente.force_login(UserFactory(roles=[Rol.COORDINACION]))

    revision = cliente.get(reverse("centros:revisar", args=[mayo.pk])).content.decode()
    panel = observaciones(anio=ANIO, hoy=datetime.date(ANIO, 12, 31))

    assert "Cierre por emergencia sanitaria" in revision.split('id="sin-atencion"')[1]
    assert not any(a.centro_id == centro.pk for a in cifras_atipicas(anio=ANIO))
    sin_atencion = [o.texto for o in panel if o.categoria == "Días sin atención"]
    assert sin_atencion == [
        f"{centro.numero}. CDI Las Peñas: no atendió del 01/05/2024 al 31/05/2024 "
        "(Cierre por emergencia sanitaria)."
    ]
