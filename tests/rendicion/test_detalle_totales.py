"""The drill-downs added for issue 8, item 5: the clinic's months behind Tabla 2, the
agreements behind the count of Tabla 9, and the rows behind the total rows of Tablas 1, 6, 11
and 12. Each gives back the figure it opens by the rule it states, is for the coordination
only, and takes the same queries whatever the data."""

import re
from decimal import Decimal

import pytest
from django.urls import reverse

from bench.sintetico import anio_multiplicar
from casmul.roles import Rol
from centros.models import OperacionAnual, ReporteMensual
from centros.selectors.informe import usuarios_por_centro
from convenios.selectors import conteo_convenios
from rendicion.selectors import APOYO_SOCIAL, DESARROLLO_INFANTIL, informe_rendicion
from salud.models import AtencionClinica, Servicio
from salud.selectors import resumen_clinica
from tests.factories import ConvenioFactory, InstitucionFactory, UserFactory

pytestmark = pytest.mark.usefixtures("datos_2023")

ANIO = 2023
ENLACE_TOTAL = re.compile(
    r'<th[^>]*><a href="(/rendicion/2023/detalle/[^"]+)" class="detalle"[^>]*>([^<]+)</a></th>'
)
CLINICA = 13


def _numero(texto: str) -> Decimal:
    """A figure as the page prints it: 1.234, $1.234,56."""
    return Decimal(texto.strip().replace("$", "").replace(".", "").replace(",", "."))


def _valores(html: str) -> list[Decimal]:
    """The rows the page counts, by their value."""
    return [Decimal(v) for v in re.findall(r'class="cuenta" data-valor="([^"]+)"', html)]


def _dato(html: str, nombre: str) -> str:
    return re.search(rf'data-{nombre}="([^"]+)"', html)[1]


@pytest.fixture
def cliente(client, db):
    client.force_login(UserFactory(roles=[Rol.COORDINACION]))
    return client


def _pagina(cliente) -> str:
    return cliente.get(reverse("rendicion:informe", args=[ANIO])).content.decode()


def _detalle(cliente, url: str) -> str:
    respuesta = cliente.get(url)
    assert respuesta.status_code == 200, url
    return respuesta.content.decode()


# --- The total rows ---------------------------------------------------------------------------


def test_the_total_rows_link_to_the_rows_behind_them_and_these_give_back_the_total(cliente):
    enlaces = ENLACE_TOTAL.findall(_pagina(cliente))

    # Tabla 2's clinic row, Tablas 1 and 6, Tabla 11, Tabla 12 twice (processes and amount).
    assert sorted(url for url, _ in enlaces) == sorted(
        [
            reverse("rendicion:detalle_clinica", args=[ANIO]),
            reverse("rendicion:detalle_usuarios_area", args=[ANIO, DESARROLLO_INFANTIL]),
            reverse("rendicion:detalle_usuarios_area", args=[ANIO, APOYO_SOCIAL]),
            reverse("rendicion:detalle_presupuesto_total", args=[ANIO]),
            reverse("rendicion:detalle_contratacion_total", args=[ANIO]),
            reverse("rendicion:detalle_contratacion_total", args=[ANIO]),
        ]
    )
    for url, texto in enlaces:
        html = _detalle(cliente, url)
        valores = _valores(html)
        assert _dato(html, "regla") == "suma", url
        if "/contratacion/" in url and "$" not in texto:
            assert len(valores) == _numero(texto), url
        else:
            assert sum(valores, Decimal(0)) == _numero(texto), url
            assert Decimal(_dato(html, "resultado")) == _numero(texto), url


@pytest.mark.parametrize("area", [DESARROLLO_INFANTIL, APOYO_SOCIAL])
def test_an_area_total_lists_every_centre_with_its_users_linking_to_its_months(cliente, area):
    tabla = usuarios_por_centro(anio=ANIO, area_codigo=area)

    html = _detalle(cliente, reverse("rendicion:detalle_usuarios_area", args=[ANIO, area]))

    meses = [
        reverse("rendicion:detalle_usuarios", args=[ANIO, fila.centro_id]) for fila in tabla.filas
    ]
    assert re.findall(r'<a href="(/rendicion/2023/detalle/usuarios/\d+/)"', html) == meses
    assert _valores(html) == [fila.usuarios for fila in tabla.filas]
    assert int(_dato(html, "resultado")) == tabla.total


def test_the_budget_total_lists_every_line_of_the_year(cliente):
    informe = informe_rendicion(anio=ANIO)

    html = _detalle(cliente, reverse("rendicion:detalle_presupuesto_total", args=[ANIO]))

    # Every área's lines: as many as the áreas' pages list together.
    por_area = 0
    for fila in informe.presupuesto.filas:
        url = reverse("rendicion:detalle_presupuesto", args=[ANIO, fila.area_id])
        por_area += len(_valores(_detalle(cliente, url)))
    assert len(_valores(html)) == por_area == int(_dato(html, "lineas"))
    assert sum(_valores(html)) == informe.presupuesto.total


def test_the_procurement_total_lists_every_process_of_the_year(cliente):
    contratacion = informe_rendicion(anio=ANIO).contratacion

    html = _detalle(cliente, reverse("rendicion:detalle_contratacion_total", args=[ANIO]))

    assert len(_valores(html)) == contratacion.total_procesos
    assert sum(_valores(html)) == contratacion.total_monto


# --- Tabla 2: the clinic's months ---------------------------------------------------------------


def _meses_de_la_clinica(html: str) -> list[tuple[str, str, str]]:
    """Each month row as (patients, state, counts?)."""
    return re.findall(
        r'<td><a href="/salud/clinica/\d+/2023/\d+/">[^<]+</a></td>\s*'
        r'<td class="num">([^<]+)</td>\s*<td>(?:<span[^>]*>)?([^<]+)(?:</span>)?</td>\s*'
        r"<td>([^<]+)</td>",
        html,
    )


@pytest.mark.parametrize("servicio", [None, *Servicio.values])
def test_the_clinic_figures_are_the_sum_of_the_months_the_report_counts(cliente, servicio):
    resumen = resumen_clinica(anio=ANIO)
    esperado = (
        resumen.total
        if servicio is None
        else next(f.pacientes for f in resumen.por_servicio if f.servicio == servicio)
    )
    url = (
        reverse("rendicion:detalle_clinica", args=[ANIO])
        if servicio is None
        else reverse("rendicion:detalle_clinica_servicio", args=[ANIO, servicio])
    )

    html = _detalle(cliente, url)

    assert len(_meses_de_la_clinica(html)) == 12
    assert _dato(html, "regla") == "suma"
    assert sum(_valores(html)) == int(_dato(html, "resultado")) == esperado
    assert "suma de los meses" in html


def test_a_month_not_approved_or_outside_the_operation_is_listed_but_not_counted(cliente):
    ReporteMensual.objects.filter(centro_id=CLINICA, anio=ANIO, mes=3).update(
        estado=ReporteMensual.Estado.ENVIADO
    )
    OperacionAnual.objects.filter(centro_id=CLINICA, anio=ANIO).update(mes_fin=11)
    url = reverse("rendicion:detalle_clinica_servicio", args=[ANIO, Servicio.EMERGENCIA])

    html = _detalle(cliente, url)

    meses = _meses_de_la_clinica(html)

    assert meses[2][1:] == ("Enviado", "No: sin aprobar")
    assert meses[11][1:] == ("Aprobado", "No: fuera de los meses de operación")
    assert [cuenta for _, _, cuenta in meses].count("Sí") == 10
    # Still the report's own figure, which leaves out those months too.
    (emergencia,) = (
        fila.pacientes
        for fila in resumen_clinica(anio=ANIO).por_servicio
        if fila.servicio == Servicio.EMERGENCIA
    )
    assert sum(_valores(html)) == emergencia
    marzo = AtencionClinica.objects.get(
        reporte__centro_id=CLINICA, reporte__anio=ANIO, reporte__mes=3, servicio=Servicio.EMERGENCIA
    )
    assert _numero(meses[2][0]) == marzo.pacientes


@pytest.mark.parametrize("nombre", ["detalle_clinica_servicio", "detalle_usuarios_area"])
def test_an_unknown_service_or_area_is_404(cliente, nombre):
    respuesta = cliente.get(reverse(f"rendicion:{nombre}", args=[ANIO, "inexistente"]))

    assert respuesta.status_code == 404


# --- Tabla 9: the agreements counted ----------------------------------------------------------


def test_the_agreements_page_lists_exactly_those_the_report_counts(cliente):
    pagina = _pagina(cliente)
    conteo = conteo_convenios(anio=ANIO)

    html = _detalle(cliente, reverse("rendicion:detalle_convenios", args=[ANIO]))

    # The count the report states, and how many of them are with the MIES.
    dice = re.search(
        r"se registran <strong>(?:<a [^>]*>)?([\d.]+) convenios(?:</a>)?</strong>, "
        r"([\d.]+) de ellos",
        pagina,
    )
    assert len(_valores(html)) == int(_dato(html, "resultado")) == conteo.total
    assert (conteo.total, conteo.mies) == (_numero(dice[1]), _numero(dice[2]))
    assert html.count('data-tipo="mies"') == int(_dato(html, "mies")) == conteo.mies
    # Each agreement of Tabla 9 links to its own row.
    filas = re.findall(r'<tr id="(convenio-\d+)"', html)
    enlaces = re.findall(r'href="/rendicion/2023/detalle/convenios/#(convenio-\d+)"', pagina)
    assert enlaces == filas


def test_the_agreements_page_escapes_what_users_typed(cliente):
    ConvenioFactory(
        titulo="<script>alert(1)</script>",
        instituciones=[InstitucionFactory(nombre="<b>Contraparte</b>")],
    )

    html = _detalle(cliente, reverse("rendicion:detalle_convenios", args=[ANIO]))

    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;b&gt;Contraparte&lt;/b&gt;" in html


# --- Who may see them, and their queries ----------------------------------------------------------

NUEVAS = [
    ("rendicion:detalle_clinica", [ANIO]),
    ("rendicion:detalle_clinica_servicio", [ANIO, Servicio.CONSULTA_EXTERNA]),
    ("rendicion:detalle_convenios", [ANIO]),
    ("rendicion:detalle_usuarios_area", [ANIO, DESARROLLO_INFANTIL]),
    ("rendicion:detalle_usuarios_area", [ANIO, APOYO_SOCIAL]),
    ("rendicion:detalle_presupuesto_total", [ANIO]),
    ("rendicion:detalle_contratacion_total", [ANIO]),
]


@pytest.mark.parametrize(("nombre", "argumentos"), NUEVAS)
def test_anonymous_is_sent_to_login(client, nombre, argumentos):
    respuesta = client.get(reverse(nombre, args=argumentos))

    assert respuesta.status_code == 302
    assert respuesta.url.startswith(reverse("login"))


@pytest.mark.parametrize(("nombre", "argumentos"), NUEVAS)
def test_centre_staff_may_not_see_them(client, nombre, argumentos):
    client.force_login(UserFactory(roles=[Rol.PERSONAL_CENTRO]))

    assert client.get(reverse(nombre, args=argumentos)).status_code == 403


# The session, the user and their roles, then the page's own reads.
CONSULTAS = {
    # Session, user, roles and the navigation's count, then the page's own.
    "rendicion:detalle_clinica": 4 + 4,  # centres, patients, months counted, monthly reports
    "rendicion:detalle_clinica_servicio": 4 + 4,
    "rendicion:detalle_convenios": 4 + 3,  # agreements, counterparts, centres
    # áreas, users per centre, centres, their definitions that year
    "rendicion:detalle_usuarios_area": 4 + 4,
    "rendicion:detalle_presupuesto_total": 4 + 1,
    "rendicion:detalle_contratacion_total": 4 + 1,
}


def test_they_take_the_same_queries_with_three_times_the_data(
    cliente, django_assert_max_num_queries
):
    urls = {reverse(nombre, args=argumentos): nombre for nombre, argumentos in NUEVAS}
    filas = {}
    for url, nombre in urls.items():
        cliente.get(url)  # warm-up: session, content types
        # Given the 2023 data, when the page is read, then it takes its pinned queries…
        with django_assert_max_num_queries(CONSULTAS[nombre]):
            respuesta = cliente.get(url)
        assert respuesta.status_code == 200
        filas[url] = len(_valores(respuesta.content.decode()))

    anio_multiplicar(anio=ANIO, factor=3)

    for url, nombre in urls.items():
        # …and no more with three times the centres, months, agreements, lines and processes.
        with django_assert_max_num_queries(CONSULTAS[nombre]):
            respuesta = cliente.get(url)
        assert respuesta.status_code == 200
        assert len(_valores(respuesta.content.decode())) == 3 * filas[url] > 0, url
