"""The agreements' pages: the list with its filters and export, an agreement's page, and the
administration's create, edit and renew."""

import csv
import datetime
import io
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from casmul.roles import Rol
from convenios.models import Convenio
from tests.factories import (
    CentroFactory,
    ConvenioFactory,
    InstitucionFactory,
    OperacionAnualFactory,
    PublicacionFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

HOY = timezone.localdate()
fecha = datetime.date
dias = datetime.timedelta


@pytest.fixture
def admin_(client):
    client.force_login(UserFactory(roles=[Rol.ADMINISTRACION]))
    return client


@pytest.fixture
def coordinacion(client):
    client.force_login(UserFactory(roles=[Rol.COORDINACION]))
    return client


def _pks(respuesta) -> set[int]:
    return {convenio.pk for convenio in respuesta.context["pagina"].object_list}


def _lista(client, **filtros):
    respuesta = client.get(reverse("convenios:lista"), filtros)
    assert respuesta.status_code == 200
    return respuesta


# --- Access ------------------------------------------------------------------------------------


def _urls(convenio):
    return {
        "lista": reverse("convenios:lista"),
        "detalle": reverse("convenios:detalle", args=[convenio.pk]),
        "crear": reverse("convenios:crear"),
        "editar": reverse("convenios:editar", args=[convenio.pk]),
        "renovar": reverse("convenios:renovar", args=[convenio.pk]),
    }


@pytest.mark.parametrize("nombre", ["lista", "detalle", "crear", "editar", "renovar"])
def test_anonymous_user_is_sent_to_login(client, nombre):
    url = _urls(ConvenioFactory())[nombre]

    respuesta = client.get(url)

    assert respuesta.status_code == 302
    assert respuesta["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("nombre", ["lista", "detalle", "crear", "editar", "renovar"])
def test_centre_staff_get_403(client, nombre):
    url = _urls(ConvenioFactory())[nombre]
    client.force_login(UserFactory(roles=[Rol.PERSONAL_CENTRO]))

    assert client.get(url).status_code == 403


@pytest.mark.parametrize(("nombre", "estado"), [("lista", 200), ("detalle", 200)])
def test_coordination_reads_the_list_and_the_detail(coordinacion, nombre, estado):
    assert coordinacion.get(_urls(ConvenioFactory())[nombre]).status_code == estado


@pytest.mark.parametrize("nombre", ["crear", "editar", "renovar"])
def test_coordination_cannot_create_edit_or_renew(coordinacion, nombre):
    convenio = ConvenioFactory()
    url = _urls(convenio)[nombre]

    assert coordinacion.get(url).status_code == 403
    assert coordinacion.post(url, {"titulo": "Otro", "tipo": "mies"}).status_code == 403
    assert Convenio.objects.count() == 1


@pytest.mark.parametrize("nombre", ["lista", "detalle", "crear", "editar", "renovar"])
def test_administration_reaches_every_page(admin_, nombre):
    assert admin_.get(_urls(ConvenioFactory())[nombre]).status_code == 200


def test_the_navigation_links_the_list_for_coordination_not_for_staff(client):
    client.force_login(UserFactory(roles=[Rol.COORDINACION]))
    assert f'href="{reverse("convenios:lista")}"' in client.get(reverse("inicio")).text

    client.force_login(UserFactory(roles=[Rol.PERSONAL_CENTRO]))
    assert f'href="{reverse("convenios:lista")}"' not in client.get(reverse("inicio")).text


# --- Filters -----------------------------------------------------------------------------------


def test_filter_by_counterpart(coordinacion):
    utpl, mies = InstitucionFactory(), InstitucionFactory()
    con_utpl = ConvenioFactory(instituciones=[utpl, mies])
    ConvenioFactory(instituciones=[mies])

    assert _pks(_lista(coordinacion, institucion=utpl.pk)) == {con_utpl.pk}


def test_filter_by_type_and_mies_programme(coordinacion):
    di = ConvenioFactory(tipo=Convenio.Tipo.MIES, programa_mies="DI")
    am = ConvenioFactory(tipo=Convenio.Tipo.MIES, programa_mies="AM")
    ConvenioFactory(tipo=Convenio.Tipo.TRIPARTITO)

    assert _pks(_lista(coordinacion, tipo="mies")) == {di.pk, am.pk}
    assert _pks(_lista(coordinacion, programa_mies="AM")) == {am.pk}


# Every boundary of `Convenio.estado`: the day it starts, the day it ends, 60 and 61 days.
FECHAS_DE_ESTADO = [
    (HOY + dias(1), HOY + dias(100)),
    (HOY + dias(1), None),
    (HOY, HOY + dias(100)),
    (HOY, HOY),
    (HOY - dias(30), HOY),
    (HOY - dias(30), HOY + dias(60)),
    (HOY - dias(30), HOY + dias(61)),
    (HOY - dias(300), HOY - dias(1)),
    (HOY - dias(300), None),
    (None, HOY + dias(10)),
    (None, HOY - dias(10)),
    (None, None),
]


@pytest.mark.parametrize("estado", Convenio.Estado.values)
def test_status_filter_matches_the_models_status_on_every_boundary(coordinacion, estado):
    convenios = [ConvenioFactory(fecha_inicio=i, fecha_fin=f) for i, f in FECHAS_DE_ESTADO]
    esperados = {c.pk for c in convenios if c.estado(HOY) == estado}

    assert esperados  # each status has rows here, so the comparison says something
    assert _pks(_lista(coordinacion, estado=estado)) == esperados


def test_year_filter_lists_the_agreements_in_force_in_the_year(coordinacion):
    del_2023 = ConvenioFactory()
    hasta_2023 = ConvenioFactory(fecha_inicio=fecha(2021, 5, 1), fecha_fin=fecha(2023, 1, 1))
    ConvenioFactory(fecha_inicio=fecha(2024, 1, 1), fecha_fin=fecha(2024, 12, 31))

    assert _pks(_lista(coordinacion, anio=2023)) == {del_2023.pk, hasta_2023.pk}


def test_ends_within_n_days_counts_from_today_both_ends_included(coordinacion):
    hoy = ConvenioFactory(fecha_inicio=HOY - dias(100), fecha_fin=HOY)
    en_30 = ConvenioFactory(fecha_inicio=HOY - dias(100), fecha_fin=HOY + dias(30))
    ConvenioFactory(fecha_inicio=HOY - dias(100), fecha_fin=HOY + dias(31))
    ConvenioFactory(fecha_inicio=HOY - dias(100), fecha_fin=HOY - dias(1))
    ConvenioFactory(fecha_inicio=HOY - dias(100), fecha_fin=None, indefinido=True)

    assert _pks(_lista(coordinacion, vence_en_dias=30)) == {hoy.pk, en_30.pk}


def test_filters_combine(coordinacion):
    mies = InstitucionFactory()
    buscado = ConvenioFactory(tipo="mies", programa_mies="DI", instituciones=[mies])
    ConvenioFactory(tipo="mies", programa_mies="DI")
    ConvenioFactory(instituciones=[mies])

    assert _pks(_lista(coordinacion, tipo="mies", institucion=mies.pk, anio=2023)) == {buscado.pk}


def test_a_bad_filter_value_is_shown_in_spanish_not_a_crash(coordinacion):
    ConvenioFactory()

    respuesta = _lista(coordinacion, anio="dos mil", vence_en_dias="-3")

    assert respuesta.context["filtro"].form.errors.keys() == {"anio", "vence_en_dias"}
    assert "Vigente en el año" in respuesta.text


def test_list_is_paginated_by_50_and_ordered_by_end_date(coordinacion):
    for n in range(51):
        ConvenioFactory(fecha_inicio=fecha(2020, 1, 1), fecha_fin=fecha(2030, 1, 1) - dias(n))

    primera = _lista(coordinacion)
    segunda = _lista(coordinacion, pagina=2)

    fines = [c.fecha_fin for c in primera.context["pagina"].object_list]
    assert len(fines) == 50 and fines == sorted(fines)
    assert [c.fecha_fin for c in segunda.context["pagina"].object_list] == [fecha(2030, 1, 1)]
    assert "pagina=2" in primera.text


def test_each_row_shows_number_title_counterparts_type_dates_status_and_centres(coordinacion):
    convenio = ConvenioFactory(
        numero="MIES-DI-2023-0042",
        titulo="Convenio <b>técnico</b>",
        tipo="mies",
        programa_mies="DI",
        instituciones=[InstitucionFactory(nombre="Ministerio de Inclusión", siglas="MIES")],
        centros=[CentroFactory(), CentroFactory()],
        fecha_inicio=HOY - dias(10),
        fecha_fin=HOY + dias(20),
    )

    texto = _lista(coordinacion).text

    assert "MIES-DI-2023-0042" in texto
    assert "Convenio &lt;b&gt;técnico&lt;/b&gt;" in texto
    assert "Ministerio de Inclusión (MIES)" in texto
    assert "Técnico-económico MIES" in texto
    assert convenio.fecha_fin.strftime("%d/%m/%Y") in texto
    assert 'class="estado estado-por_vencer">Por vencer' in texto
    assert '<td class="num">2</td>' in texto


# --- Export ------------------------------------------------------------------------------------


def test_xlsx_export_has_every_filtered_row_of_every_page_and_no_formula(coordinacion):
    for _ in range(55):
        ConvenioFactory(tipo="mies", titulo='=HYPERLINK("http://x")')
    ConvenioFactory(tipo=Convenio.Tipo.DONACION)

    respuesta = coordinacion.get(reverse("convenios:lista"), {"tipo": "mies", "formato": "xlsx"})

    assert respuesta.status_code == 200
    assert respuesta["Content-Disposition"].startswith("attachment;")
    hoja = load_workbook(io.BytesIO(respuesta.content)).active
    filas = list(hoja.iter_rows(min_row=2, values_only=True))
    assert len(filas) == 55
    tipo = [celda.value for celda in hoja[1]].index("Tipo")
    assert {fila[tipo] for fila in filas} == {"Técnico-económico MIES"}
    assert all(celda.data_type != "f" for fila in hoja.iter_rows() for celda in fila)
    # A text cell as typed, with the quote prefix: no apostrophe for the clerk to see.
    assert filas[0][1] == '=HYPERLINK("http://x")'
    assert hoja.cell(row=2, column=2).quotePrefix


def test_csv_export_keeps_the_filters(coordinacion):
    buscado = ConvenioFactory(numero="+12", monto=Decimal("1234.50"), fecha_fin=HOY + dias(5))
    ConvenioFactory(fecha_fin=HOY + dias(200))

    respuesta = coordinacion.get(
        reverse("convenios:lista"), {"vence_en_dias": 10, "formato": "csv"}
    )

    filas = list(csv.reader(io.StringIO(respuesta.content.decode("utf-8-sig")), delimiter=";"))
    assert filas[0][0] == "Número"
    assert len(filas) == 2
    columna = {encabezado: indice for indice, encabezado in enumerate(filas[0])}
    assert filas[1][0] == "'+12"  # a leading + would run as a formula
    assert filas[1][columna["Hasta"]] == buscado.fecha_fin.isoformat()
    assert filas[1][columna["Monto"]] == "1234,50"


def test_the_export_links_keep_the_filters_and_drop_the_page(coordinacion):
    ConvenioFactory(tipo="mies")

    texto = _lista(coordinacion, tipo="mies", pagina=1).text

    assert 'href="?tipo=mies&amp;formato=xlsx"' in texto
    assert 'href="?tipo=mies&amp;formato=csv"' in texto


def test_unknown_export_format_is_404(coordinacion):
    assert coordinacion.get(reverse("convenios:lista"), {"formato": "pdf"}).status_code == 404


# --- Detail ------------------------------------------------------------------------------------


def test_detail_shows_fields_counterparts_centres_and_renewal_chain(coordinacion):
    centro = CentroFactory(nombre_corto="CDI Los Molinos")
    anterior = ConvenioFactory(numero="ANT-1")
    convenio = ConvenioFactory(
        numero="CONV-9",
        objeto="Atención a <script>niños</script>",
        monto=Decimal("1234567.89"),
        instituciones=[InstitucionFactory(nombre="Universidad Técnica Particular de Loja")],
        centros=[centro],
        renueva_a=anterior,
        fecha_inicio=fecha(2024, 1, 1),
        fecha_fin=fecha(2024, 12, 31),
    )
    siguiente = ConvenioFactory(
        numero="SIG-2", renueva_a=convenio, fecha_inicio=fecha(2025, 1, 1), fecha_fin=None
    )

    texto = coordinacion.get(reverse("convenios:detalle", args=[convenio.pk])).text

    assert "$1.234.567,89" in texto
    assert "Atención a &lt;script&gt;" in texto
    assert "Universidad Técnica Particular de Loja" in texto
    assert reverse("rendicion:centro", args=[centro.pk]) in texto
    assert "CDI Los Molinos" in texto
    assert reverse("convenios:detalle", args=[anterior.pk]) in texto
    assert reverse("convenios:detalle", args=[siguiente.pk]) in texto
    assert reverse("convenios:editar", args=[convenio.pk]) not in texto  # read-only role


def test_detail_of_a_missing_agreement_is_404(coordinacion):
    assert coordinacion.get(reverse("convenios:detalle", args=[999])).status_code == 404


def test_coverage_timeline_marks_each_month_of_the_chosen_year(coordinacion):
    centro = CentroFactory(modalidad="convenio_mies")
    OperacionAnualFactory(centro=centro, anio=2023, mes_inicio=2, mes_fin=11)
    este = ConvenioFactory(
        numero="ESTE",
        centros=[centro],
        fecha_inicio=fecha(2023, 3, 15),
        fecha_fin=fecha(2023, 6, 1),
    )
    ConvenioFactory(
        numero="OTRO",
        centros=[centro],
        fecha_inicio=fecha(2023, 8, 1),
        fecha_fin=fecha(2023, 9, 30),
    )

    respuesta = coordinacion.get(reverse("convenios:detalle", args=[este.pk]), {"anio": 2023})

    (fila,) = respuesta.context["cobertura"]
    marcas = [
        "—" if not mes.opera else "este" if de_este else "otro" if mes.cubierto else "no"
        for mes, de_este in fila.celdas
    ]
    assert marcas == ["—", "no", "este", "este", "este", "este", "no", "otro", "otro", "no",
                      "no", "—"]  # fmt: skip
    assert respuesta.context["anio"] == 2023


def test_coverage_year_defaults_to_this_year_and_ignores_a_bad_one(coordinacion):
    convenio = ConvenioFactory(
        fecha_inicio=HOY.replace(month=1, day=1), fecha_fin=None, indefinido=True
    )
    url = reverse("convenios:detalle", args=[convenio.pk])

    assert coordinacion.get(url).context["anio"] == HOY.year
    assert coordinacion.get(url, {"anio": "x"}).context["anio"] == HOY.year
    assert coordinacion.get(url, {"anio": 1500}).context["anio"] == HOY.year


# --- Create and edit ---------------------------------------------------------------------------


def _datos(**cambios):
    datos = {
        "numero": "MIES-DI-2025-001",
        "titulo": "Convenio de cooperación técnico-económica",
        "tipo": "mies",
        "programa_mies": "DI",
        "fecha_suscripcion": "20/12/2024",
        "fecha_inicio": "2025-01-01",
        "fecha_fin": "31/12/2025",
        "objeto": "Atención a niñas y niños de 12 a 36 meses.",
        "monto": "1.234,56",
        "orden": "0",
    }
    datos.update(cambios)
    return {k: v for k, v in datos.items() if v is not None}


def test_administration_creates_an_agreement_with_es_ec_money_and_dates(admin_):
    instituciones = InstitucionFactory.create_batch(2)
    centros = CentroFactory.create_batch(2)

    respuesta = admin_.post(
        reverse("convenios:crear"),
        _datos(instituciones=[i.pk for i in instituciones], centros=[centros[0].pk]),
    )

    convenio = Convenio.objects.get()
    assert respuesta.status_code == 302
    assert respuesta["Location"] == reverse("convenios:detalle", args=[convenio.pk])
    assert convenio.monto == Decimal("1234.56")
    assert (convenio.fecha_suscripcion, convenio.fecha_inicio, convenio.fecha_fin) == (
        fecha(2024, 12, 20),
        fecha(2025, 1, 1),
        fecha(2025, 12, 31),
    )
    assert set(convenio.instituciones.all()) == set(instituciones)
    assert list(convenio.centros.all()) == [centros[0]]
    assert convenio.renueva_a is None


def test_ambiguous_money_is_refused_with_the_readers_message_and_kept(admin_):
    respuesta = admin_.post(reverse("convenios:crear"), _datos(monto="1.250"))

    assert respuesta.status_code == 400
    assert "«1.250» es ambiguo" in respuesta.text
    assert 'value="1.250"' in respuesta.text
    assert 'value="MIES-DI-2025-001"' in respuesta.text
    assert not Convenio.objects.exists()


def test_end_before_start_is_refused_in_spanish_keeping_the_dates(admin_):
    respuesta = admin_.post(
        reverse("convenios:crear"), _datos(fecha_inicio="01/06/2025", fecha_fin="31/05/2025")
    )

    assert respuesta.status_code == 400
    assert "La fecha de terminación no puede ser anterior al inicio." in respuesta.text
    assert respuesta.context["form"]["fecha_fin"].value() == "31/05/2025"
    assert not Convenio.objects.exists()


def test_a_date_that_is_not_a_date_is_refused_in_spanish(admin_):
    respuesta = admin_.post(reverse("convenios:crear"), _datos(fecha_inicio="31/02/2025"))

    assert respuesta.status_code == 400
    assert "Escriba la fecha como dd/mm/aaaa." in respuesta.text
    assert 'value="31/02/2025"' in respuesta.text


def test_administration_edits_an_agreement(admin_):
    convenio = ConvenioFactory(fecha_inicio=fecha(2025, 1, 1), fecha_fin=fecha(2025, 12, 31))
    centro = CentroFactory()

    respuesta = admin_.post(
        reverse("convenios:editar", args=[convenio.pk]),
        _datos(numero="NUEVO-1", tipo="interinstitucional", programa_mies="", centros=[centro.pk]),
    )

    assert respuesta.status_code == 302
    convenio.refresh_from_db()
    assert convenio.numero == "NUEVO-1"
    assert list(convenio.centros.all()) == [centro]


def test_edit_form_shows_the_stored_amount_the_ecuadorian_way(admin_):
    convenio = ConvenioFactory(monto=Decimal("1600469.59"))

    texto = admin_.get(reverse("convenios:editar", args=[convenio.pk])).text

    assert 'value="1.600.469,59"' in texto


def test_an_agreement_of_a_published_year_is_refused(admin_):
    convenio = ConvenioFactory(numero="2023-1")  # all of 2023
    PublicacionFactory(anio=2023)

    respuesta = admin_.post(
        reverse("convenios:editar", args=[convenio.pk]),
        _datos(numero="CAMBIADO", fecha_inicio="01/01/2025", fecha_fin="31/12/2025"),
    )

    assert respuesta.status_code == 400
    assert "El informe de 2023 está publicado" in respuesta.text
    convenio.refresh_from_db()
    assert convenio.numero == "2023-1"


def test_a_new_agreement_dated_in_a_published_year_is_refused(admin_):
    PublicacionFactory(anio=2023)

    respuesta = admin_.post(
        reverse("convenios:crear"), _datos(fecha_inicio="01/03/2023", fecha_fin="31/12/2023")
    )

    assert respuesta.status_code == 400
    assert "El informe de 2023 está publicado" in respuesta.text
    assert not Convenio.objects.exists()


# --- Renewal -----------------------------------------------------------------------------------


def test_renew_opens_the_form_prefilled_with_the_following_period(admin_):
    instituciones = InstitucionFactory.create_batch(2)
    centro = CentroFactory()
    anterior = ConvenioFactory(
        tipo="mies", programa_mies="PD", instituciones=instituciones, centros=[centro]
    )

    form = admin_.get(reverse("convenios:renovar", args=[anterior.pk])).context["form"]

    assert form.initial["fecha_inicio"] == fecha(2024, 1, 1)
    assert form.initial["fecha_fin"] == fecha(2024, 12, 31)  # a whole year, leap day included
    assert (form.initial["tipo"], form.initial["programa_mies"]) == ("mies", "PD")
    assert set(form.initial["instituciones"]) == set(instituciones)
    assert form.initial["centros"] == [centro]
    assert form.initial["objeto"] == anterior.objeto
    assert "numero" not in form.initial


def test_renewing_records_the_link_even_when_the_old_year_is_published(admin_):
    anterior = ConvenioFactory()  # 2023
    PublicacionFactory(anio=2023)

    respuesta = admin_.post(
        reverse("convenios:renovar", args=[anterior.pk]),
        _datos(fecha_inicio="01/01/2024", fecha_fin="31/12/2024"),
    )

    nuevo = Convenio.objects.exclude(pk=anterior.pk).get()
    assert respuesta.status_code == 302
    assert nuevo.renueva_a == anterior
    assert list(anterior.renovaciones.all()) == [nuevo]


def test_a_renewal_with_bad_input_keeps_the_link_page(admin_):
    anterior = ConvenioFactory()

    respuesta = admin_.post(reverse("convenios:renovar", args=[anterior.pk]), _datos(monto="x"))

    assert respuesta.status_code == 400
    assert respuesta.context["renueva_a"] == anterior
    assert Convenio.objects.count() == 1


@pytest.mark.parametrize(
    ("inicio", "fin", "nuevo_inicio", "nuevo_fin"),
    [
        (fecha(2023, 1, 1), fecha(2023, 12, 31), fecha(2024, 1, 1), fecha(2024, 12, 31)),
        (fecha(2023, 4, 1), fecha(2023, 6, 30), fecha(2023, 7, 1), fecha(2023, 9, 30)),
        (fecha(2023, 1, 10), fecha(2023, 1, 19), fecha(2023, 1, 20), fecha(2023, 1, 29)),
        (None, fecha(2023, 12, 31), fecha(2024, 1, 1), None),
        (fecha(2023, 1, 1), None, None, None),
    ],
    ids=str,
)
def test_renewal_period_follows_with_the_same_duration(inicio, fin, nuevo_inicio, nuevo_fin):
    convenio = Convenio(fecha_inicio=inicio, fecha_fin=fin)

    assert convenio.periodo_de_renovacion() == (nuevo_inicio, nuevo_fin)


def test_an_agreement_cannot_renew_itself():
    convenio = ConvenioFactory()
    convenio.renueva_a = convenio

    with pytest.raises(ValidationError, match="renovarse a sí mismo"):
        convenio.full_clean()
    with pytest.raises(IntegrityError):
        Convenio.objects.filter(pk=convenio.pk).update(renueva_a=convenio.pk)


# --- Queries -----------------------------------------------------------------------------------


def _convenios(cantidad):
    instituciones = InstitucionFactory.create_batch(3)
    for _ in range(cantidad):
        ConvenioFactory(instituciones=instituciones, centros=[CentroFactory()])


def test_list_query_count_does_not_grow_with_agreements(
    coordinacion, django_assert_max_num_queries
):
    # Given a few agreements, the list page is read with a fixed number of queries:
    _convenios(4)
    with django_assert_max_num_queries(8) as pocas:  # 7 and the navigation's count of pending work
        _lista(coordinacion, tipo="interinstitucional")
    # when there are ten times as many, it takes the same number.
    _convenios(40)
    with django_assert_max_num_queries(len(pocas.captured_queries)):
        respuesta = _lista(coordinacion, tipo="interinstitucional")
    assert len(respuesta.context["pagina"].object_list) == 44


def test_detail_query_count_does_not_grow_with_centres_and_agreements(
    coordinacion, django_assert_max_num_queries
):
    centros = CentroFactory.create_batch(3)
    for centro in centros:
        OperacionAnualFactory(centro=centro, anio=2023)
    convenio = ConvenioFactory(centros=centros, instituciones=[InstitucionFactory()])
    url = reverse("convenios:detalle", args=[convenio.pk])
    with django_assert_max_num_queries(
        11
    ) as pocas:  # 10 and the navigation's count of pending work
        coordinacion.get(url, {"anio": 2023})

    mas = CentroFactory.create_batch(30)
    for centro in mas:
        OperacionAnualFactory(centro=centro, anio=2023)
        ConvenioFactory(centros=[centro])
    convenio.centros.add(*mas)
    convenio.instituciones.add(*InstitucionFactory.create_batch(10))
    ConvenioFactory.create_batch(10, renueva_a=convenio)
    with django_assert_max_num_queries(len(pocas.captured_queries)):
        respuesta = coordinacion.get(url, {"anio": 2023})
    assert len(respuesta.context["cobertura"]) == 33


def test_an_agreement_s_page_opens_on_a_year_it_covers(coordinacion):
    anterior = ConvenioFactory(
        fecha_inicio=datetime.date(2022, 1, 1),
        fecha_fin=HOY.replace(year=HOY.year - 2, month=12, day=31),
    )
    renovacion = ConvenioFactory(
        renueva_a=anterior,
        fecha_inicio=HOY.replace(year=HOY.year - 1, month=1, day=1),
        fecha_fin=None,
        indefinido=True,
    )
    futuro = ConvenioFactory(
        fecha_inicio=HOY.replace(year=HOY.year + 1, month=1, day=1), fecha_fin=None, indefinido=True
    )

    anios = {
        convenio.pk: coordinacion.get(reverse("convenios:detalle", args=[convenio.pk])).context[
            "anio"
        ]
        for convenio in (anterior, renovacion, futuro)
    }
    elegido = coordinacion.get(reverse("convenios:detalle", args=[anterior.pk]), {"anio": HOY.year})

    assert anios == {anterior.pk: HOY.year - 2, renovacion.pk: HOY.year, futuro.pk: HOY.year + 1}
    assert elegido.context["anio"] == HOY.year
