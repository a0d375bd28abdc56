"""A centre's page: its figures by year as each year's report counts them, its agreements and
the months they cover, its budget lines and photos; for the centre's own staff and the
coordination."""

import datetime
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from casmul.roles import Rol
from centros.models import Centro, Indicador, Modalidad, OperacionAnual, ReporteMensual
from centros.services import centro_definir
from rendicion.selectors import informe_rendicion, pagina_del_centro
from tests.factories import (
    ConvenioFactory,
    FotoCentroFactory,
    IndicadorFactory,
    InstitucionFactory,
    LineaPresupuestariaFactory,
    UserFactory,
    centro_con_indicador_usuarios,
    cifras_del_anio,
)


@pytest.fixture
def coordinacion(db):
    return UserFactory(roles=[Rol.COORDINACION])


@pytest.fixture
def centro(db):
    usuarios = IndicadorFactory(agregacion=Indicador.Agregacion.MAXIMO, nombre="Niños")
    centro = centro_con_indicador_usuarios(usuarios, modalidad=Modalidad.CONVENIO_MIES)
    cifras_del_anio(centro, usuarios, [30] * 12, anio=2022)
    cifras_del_anio(centro, usuarios, [35] * 11 + [300], anio=2023)
    return centro


def _url(centro) -> str:
    return reverse("rendicion:centro", args=[centro.pk])


def test_each_year_shows_the_figure_its_report_counts(centro, coordinacion):
    ReporteMensual.objects.filter(centro=centro, anio=2023, mes=12).update(
        estado=ReporteMensual.Estado.BORRADOR
    )

    ficha = pagina_del_centro(centro_id=centro.pk, usuario=coordinacion).ficha

    assert [anio.anio for anio in ficha.anios] == [2022, 2023]
    assert [anio.meses_aprobados for anio in ficha.anios] == [12, 11]
    niños = next(cifra for cifra in ficha.cifras if cifra.nombre == "Niños")
    # December's draft of 300 is not counted: 2023's figure is the approved maximum.
    assert niños.valores == [Decimal("30.00"), Decimal("35.00")]
    assert niños.regla == "máximo mensual"


def test_a_month_outside_the_operation_is_not_counted(centro, coordinacion):
    OperacionAnual.objects.filter(centro=centro, anio=2022).update(mes_inicio=1, mes_fin=6)
    ReporteMensual.objects.filter(centro=centro, anio=2022, mes=9).first().cifras.update(valor=99)

    ficha = pagina_del_centro(centro_id=centro.pk, usuario=coordinacion).ficha

    assert ficha.anios[0].operacion.cantidad == 6
    assert ficha.anios[0].meses_aprobados == 6
    assert ficha.cifras[0].valores[0] == Decimal("30.00")


def test_the_mies_months_without_an_agreement_are_marked(centro, coordinacion, client):
    ConvenioFactory(
        centros=[centro],
        fecha_inicio=datetime.date(2023, 1, 15),
        fecha_fin=datetime.date(2023, 6, 30),
        numero="MIES-1",
    )

    pagina = pagina_del_centro(centro_id=centro.pk, usuario=coordinacion)
    meses_2023 = next(c for c in pagina.cobertura if c.anio == 2023).meses

    assert [mes.cubierto for mes in meses_2023] == [True] * 6 + [False] * 6
    assert meses_2023[0].convenios == ("MIES-1",)
    client.force_login(coordinacion)
    html = client.get(_url(centro)).content.decode()
    assert html.count('class="sin-convenio falta"') == 6 + 12  # July–December 2023, all 2022


def test_budget_lines_are_listed_by_year_with_their_totals(centro, coordinacion):
    for codificado in ("1000.00", "250.50"):
        LineaPresupuestariaFactory(
            anio=2023, area=centro.area, centro=centro, codificado=Decimal(codificado)
        )
    LineaPresupuestariaFactory(anio=2023, area=centro.area)  # the área's, not the centre's

    presupuesto = pagina_del_centro(centro_id=centro.pk, usuario=coordinacion).presupuesto

    assert [(anio.anio, anio.codificado, len(anio.lineas)) for anio in presupuesto] == [
        (2023, Decimal("1250.50"), 2)
    ]


def test_staff_see_their_own_centre_and_no_other(centro, client):
    propio = UserFactory(roles=[Rol.PERSONAL_CENTRO])
    centro.personal_asignado.add(propio)
    otro = Centro.objects.exclude(pk=centro.pk).first() or centro_con_indicador_usuarios()

    client.force_login(propio)
    assert client.get(_url(centro)).status_code == 200
    assert client.get(_url(otro)).status_code == 404
    client.logout()
    assert client.get(_url(centro)).status_code == 302


def test_user_text_is_escaped(centro, coordinacion, client):
    FotoCentroFactory(centro=centro, anio=2023, leyenda='<script>alert("x")</script>')
    Centro.objects.filter(pk=centro.pk).update(nombre="Centro <b>negrita</b>")

    client.force_login(coordinacion)
    html = client.get(_url(centro)).content.decode()

    assert "<script>alert" not in html and "&lt;script&gt;alert" in html
    assert "<b>negrita</b>" not in html


def test_the_page_takes_the_same_queries_with_more_years_agreements_lines_and_photos(
    centro, coordinacion, client, django_assert_max_num_queries
):
    def un_anio_mas(anio):
        cifras_del_anio(centro, centro.indicador_usuarios, [20] * 12, anio=anio)
        ConvenioFactory(
            centros=[centro],
            instituciones=[InstitucionFactory()],
            fecha_inicio=datetime.date(anio, 1, 1),
            fecha_fin=datetime.date(anio, 12, 31),
        )
        LineaPresupuestariaFactory(anio=anio, area=centro.area, centro=centro)
        FotoCentroFactory(centro=centro, anio=anio)

    un_anio_mas(2021)
    client.force_login(coordinacion)
    with CaptureQueriesContext(connection) as consultas:
        assert client.get(_url(centro)).status_code == 200

    for anio in range(2014, 2021):
        un_anio_mas(anio)

    with django_assert_max_num_queries(len(consultas)):
        html = client.get(_url(centro)).content.decode()
    assert len(re.findall(r'<th scope="col" class="num">20\d\d</th>', html)) == 10


@pytest.mark.usefixtures("datos_2023")
def test_the_2023_column_is_the_2023_report(coordinacion):
    """Users of every centre of Tablas 1 and 6, and the clinic's patients of Tabla 2."""
    informe = informe_rendicion(anio=2023)

    for fila in informe.desarrollo_infantil.filas + informe.apoyo_social.filas:
        pagina = pagina_del_centro(centro_id=fila.centro_id, usuario=coordinacion)
        columna = [anio.anio for anio in pagina.ficha.anios].index(2023)
        usuarios = pagina.centro.indicador_usuarios.codigo
        cifra = next(c for c in pagina.ficha.cifras if c.codigo == usuarios)
        assert cifra.valores[columna] == fila.usuarios, fila.nombre

    clinica = Centro.objects.get(numero=13)
    pagina = pagina_del_centro(centro_id=clinica.pk, usuario=coordinacion)
    columna = [anio.anio for anio in pagina.ficha.anios].index(2023)
    assert [fila.valores[columna] for fila in pagina.pacientes] == [
        fila.pacientes for fila in informe.clinica.por_servicio
    ]


def test_each_year_shows_the_definition_it_had_and_the_page_says_what_changed(
    client, centro, coordinacion
):
    # Given: the centre, in convenio with MIES for 40 children, becomes directly funded with
    # a capacity of 45 from 2023 on (2022 approved, so it keeps its own definition).
    centro_definir(
        centro=centro,
        cambios={"modalidad": Modalidad.DIRECTA, "capacidad": 45},
        desde_anio=2023,
        usuario=coordinacion,
        motivo="Pasó a financiamiento municipal en 2023.",
    )
    client.force_login(coordinacion)

    # When: the coordination opens its page.
    ficha = pagina_del_centro(centro_id=centro.pk, usuario=coordinacion).ficha
    pagina = client.get(_url(centro)).content.decode()

    # Then: each year with its own modality and capacity, and the changes named with the year.
    assert [(a.anio, a.definicion.modalidad, a.definicion.capacidad) for a in ficha.anios] == [
        (2022, Modalidad.CONVENIO_MIES, 40),
        (2023, Modalidad.DIRECTA, 45),
    ]
    assert [str(cambio) for cambio in ficha.cambios] == [
        "Modalidad: Convenio MIES → Financiado por el CASMUL desde 2023",
        "Capacidad: 40 → 45 desde 2023",
    ]
    assert "Modalidad: Convenio MIES → Financiado por el CASMUL desde 2023" in pagina
    fila = re.search(
        r'<tr class="definicion"><th scope="row" colspan="2">Capacidad</th>(.*?)</tr>', pagina
    )
    assert re.findall(r"<td[^>]*>([^<]*)</td>", fila.group(1)) == ["40", "45"]
