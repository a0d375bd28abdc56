"""Once a year's report is published, its agreements, budget and procurement change only
through an erratum: opened with its reason, closed by publishing the next version."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.forms.models import model_to_dict
from django.test import Client
from django.urls import reverse

from casmul.roles import Rol
from convenios.models import Convenio
from presupuesto.models import LineaPresupuestaria, ProcesoContratacion
from rendicion.models import FeDeErratas, Publicacion
from rendicion.services import fe_de_erratas_abrir, informe_publicar
from tests.factories import LineaPresupuestariaFactory, UserFactory

pytestmark = pytest.mark.usefixtures("datos_2023")

HOY = datetime.date(2024, 3, 1)


@pytest.fixture
def coordinacion(db):
    return UserFactory(roles=[Rol.COORDINACION])


@pytest.fixture
def publicado(coordinacion):
    return informe_publicar(anio=2023, usuario=coordinacion, hoy=HOY)


def _cambiar_linea(linea: LineaPresupuestaria) -> None:
    linea.codificado += Decimal("100.00")
    linea.full_clean()
    linea.save()


def test_the_budget_agreements_and_procurement_of_a_published_year_are_closed(publicado):
    linea = LineaPresupuestaria.objects.filter(anio=2023).first()
    proceso = ProcesoContratacion.objects.filter(anio=2023).first()
    convenio = Convenio.objects.filter(fecha_inicio__year=2023).first()
    del_anio_siguiente = LineaPresupuestariaFactory(anio=2024, area=linea.area)

    for registro in (linea, proceso, convenio):
        with pytest.raises(ValidationError, match="está publicado \\(versión 1\\)"):
            registro.full_clean()
    _cambiar_linea(del_anio_siguiente)  # 2024 is not published


def test_a_record_cannot_be_moved_out_of_a_published_year_either(publicado):
    linea = LineaPresupuestaria.objects.filter(anio=2023).first()
    linea.anio = 2024

    with pytest.raises(ValidationError, match="2023 está publicado"):
        linea.full_clean()


def test_an_erratum_opens_the_year_and_publishing_it_closes_it(publicado, coordinacion):
    linea = LineaPresupuestaria.objects.filter(anio=2023).first()

    fe_de_erratas_abrir(anio=2023, usuario=coordinacion, motivo="Línea mal codificada")
    _cambiar_linea(linea)
    segunda = informe_publicar(anio=2023, usuario=coordinacion, hoy=HOY)

    assert segunda.version == 2
    assert segunda.motivo == "Línea mal codificada"
    assert FeDeErratas.objects.get().publicacion == segunda
    assert any("total" in errata["cifra"] for errata in segunda.erratas)
    with pytest.raises(ValidationError, match="versión 2"):
        _cambiar_linea(linea)


def test_an_erratum_needs_its_reason_a_published_year_and_only_one_open(coordinacion):
    with pytest.raises(ValidationError, match="no está publicado"):
        fe_de_erratas_abrir(anio=2023, usuario=coordinacion, motivo="x")
    informe_publicar(anio=2023, usuario=coordinacion, hoy=HOY)
    with pytest.raises(ValidationError, match="motivo"):
        fe_de_erratas_abrir(anio=2023, usuario=coordinacion, motivo="  ")
    fe_de_erratas_abrir(anio=2023, usuario=coordinacion, motivo="Primera")
    with pytest.raises(ValidationError, match="Ya hay una fe de erratas abierta"):
        fe_de_erratas_abrir(anio=2023, usuario=coordinacion, motivo="Segunda")


def test_the_admin_says_why_and_the_publish_page_opens_the_erratum(
    publicado, coordinacion, admin_client
):
    administracion = admin_client
    linea = LineaPresupuestaria.objects.filter(anio=2023).first()
    datos = {k: ("" if v is None else v) for k, v in model_to_dict(linea).items()}
    datos["codificado"] = "1.000,00"
    url = reverse("admin:presupuesto_lineapresupuestaria_change", args=[linea.pk])

    cerrado = administracion.post(url, datos)
    coordinador = Client()
    coordinador.force_login(coordinacion)
    coordinador.post(
        reverse("rendicion:publicar", args=[2023]),
        {"accion": "abrir", "motivo": "Corrección del presupuesto"},
    )
    abierto = administracion.post(url, datos)

    assert cerrado.status_code == 200
    assert "sus registros solo cambian con una fe de erratas" in cerrado.content.decode()
    assert abierto.status_code == 302
    linea.refresh_from_db()
    assert linea.codificado == Decimal("1000.00")
    assert Publicacion.objects.count() == 1


def test_records_of_a_published_year_are_not_deleted_one_by_one_or_in_bulk(publicado, admin_client):
    lineas = list(LineaPresupuestaria.objects.filter(anio=2023).values_list("pk", flat=True))
    una = reverse("admin:presupuesto_lineapresupuestaria_delete", args=[lineas[0]])

    individual = admin_client.post(una, {"post": "yes"})
    en_bloque = admin_client.post(
        reverse("admin:presupuesto_lineapresupuestaria_changelist"),
        {"action": "delete_selected", "_selected_action": lineas[:2], "post": "yes"},
    )

    assert (individual.status_code, en_bloque.status_code) == (403, 403)
    assert LineaPresupuestaria.objects.filter(pk__in=lineas).count() == len(lineas)


def test_a_later_version_needs_an_open_erratum_even_when_figures_changed(publicado, coordinacion):
    linea = LineaPresupuestaria.objects.filter(anio=2023).first()
    # A figure changed without an erratum (as a month reopened before this closed the door).
    LineaPresupuestaria.objects.filter(pk=linea.pk).update(codificado=linea.codificado + 100)

    with pytest.raises(ValidationError) as error:
        informe_publicar(anio=2023, usuario=coordinacion, motivo="sin cambios", hoy=HOY)

    assert error.value.code == "sin_fe_de_erratas"
    assert "Ábrala con su motivo" in error.value.messages[0]
    assert Publicacion.objects.count() == 1


def test_an_erratum_opened_twice_at_once_answers_already_open_not_an_error(
    publicado, coordinacion, monkeypatch
):
    """Two «abrir fe de erratas» at the same moment: the second finds none open when it looks
    (the race), and its insert meets the first's row; it says «ya abierta», never a 500."""
    from rendicion import services

    fe_de_erratas_abrir(anio=2023, usuario=coordinacion, motivo="Primera")
    sin_ver_la_primera = FeDeErratas.objects.none()
    monkeypatch.setattr(services.FeDeErratas.objects, "filter", lambda **kwargs: sin_ver_la_primera)

    with pytest.raises(ValidationError) as error:
        fe_de_erratas_abrir(anio=2023, usuario=coordinacion, motivo="Segunda")

    monkeypatch.undo()
    assert error.value.code == "ya_abierta"
    assert list(FeDeErratas.objects.values_list("motivo", flat=True)) == ["Primera"]


def test_the_publish_page_answers_the_race_in_spanish(publicado, coordinacion, client):
    client.force_login(coordinacion)
    url = reverse("rendicion:publicar", args=[2023])
    client.post(url, {"accion": "abrir", "motivo": "Primera"})

    segunda = client.post(url, {"accion": "abrir", "motivo": "Segunda"})

    assert segunda.status_code == 400
    assert "Ya hay una fe de erratas abierta para 2023" in segunda.content.decode()
