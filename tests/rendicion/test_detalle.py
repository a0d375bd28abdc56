"""Every figure of Tablas 1, 2, 6, 11 and 12 (rows and totals) on the report page links to the
rows behind it, and those rows, by the rule the page states, give back the figure; each
agreement of Tabla 9 links to its row among the agreements the report counts."""

import re
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from bench.sintetico import anio_multiplicar
from casmul.roles import Rol
from centros.models import Area, Centro
from rendicion.documento import documento_html
from rendicion.selectors import informe_rendicion
from tests.factories import UserFactory

pytestmark = pytest.mark.usefixtures("datos_2023")

ENLACE = re.compile(r'<a href="(/rendicion/2023/detalle/[^"]+)" class="detalle"[^>]*>([^<]+)</a>')


def _numero(texto: str) -> Decimal:
    """A figure as the page prints it: 1.234, $1.234,56."""
    return Decimal(texto.strip().replace("$", "").replace(".", "").replace(",", "."))


def _por_regla(regla: str, valores: list[Decimal]) -> Decimal:
    if not valores:
        return Decimal(0)
    if regla == "suma":
        return sum(valores, Decimal(0))
    if regla == "maximo":
        return max(valores)
    if regla == "cuenta":
        return Decimal(len(valores))
    return (sum(valores, Decimal(0)) / len(valores)).quantize(Decimal(1), ROUND_HALF_UP)


@pytest.fixture
def cliente(client, db):
    client.force_login(UserFactory(roles=[Rol.COORDINACION]))
    return client


def test_each_linked_figure_is_given_back_by_the_rows_behind_it(cliente):
    pagina = cliente.get(reverse("rendicion:informe", args=[2023])).content.decode()
    enlaces = ENLACE.findall(pagina)

    def de(tipo: str) -> list[str]:
        return [url for url, _ in enlaces if re.search(tipo, url)]

    # Tablas 1 (12 centres) and 6 (15) and their totals; Tabla 2 (three services and the
    # clinic's total); Tabla 9 (24 agreements) and the sentence that counts them; Tabla 11
    # (five áreas, total); Tabla 12 (six types and the total, each twice: processes and
    # amount).
    assert len(de(r"/usuarios/\d+/")) == 12 + 15
    assert len(de(r"/usuarios/area/")) == 2
    assert len(de(r"/clinica/")) == 3 + 1
    assert len(de(r"/convenios/#")) == 24
    assert len(de(r"/convenios/$")) == 1
    assert len(de(r"/presupuesto/")) == 5 + 1
    assert len(de(r"/contratacion/")) == (6 + 1) * 2
    for url, texto in enlaces:
        detalle = cliente.get(url)
        assert detalle.status_code == 200, url
        html = detalle.content.decode()
        valores = [Decimal(v) for v in re.findall(r'class="cuenta" data-valor="([^"]+)"', html)]
        regla = re.search(r'data-regla="([^"]+)"', html)[1]
        if url.endswith("/convenios/"):
            # "24 convenios": the list the report counts.
            assert len(re.findall(r'<tr id="convenio-\d+"', html)) == _numero(texto.split()[0])
        elif "/convenios/" in url:
            # An agreement's number opens the list the report counts, at its own row.
            ancla = url.partition("#")[2]
            assert re.search(rf'<tr id="{ancla}"[^>]*>\s*<td>{re.escape(texto)}</td>', html), url
        elif "/contratacion/" in url and "$" not in texto:
            assert len(valores) == _numero(texto), url
        else:
            assert _por_regla(regla, valores) == _numero(texto), url


def test_the_rows_behind_a_figure_are_for_the_coordination_only(client, db):
    url = reverse("rendicion:detalle_presupuesto", args=[2023, 1])
    client.force_login(UserFactory(roles=[Rol.PERSONAL_CENTRO]))

    assert client.get(url).status_code == 403


def test_the_pdf_and_the_published_html_carry_no_links_to_the_portal():
    informe = informe_rendicion(anio=2023)

    assert "/detalle/" not in documento_html(informe, para_pdf=True)
    assert "/detalle/" not in documento_html(informe)


def test_the_rows_behind_a_figure_take_the_same_queries_with_three_times_the_data(
    cliente, django_assert_max_num_queries
):
    urls = [
        reverse("rendicion:detalle_usuarios", args=[2023, Centro.objects.order_by("pk")[0].pk]),
        reverse("rendicion:detalle_presupuesto", args=[2023, Area.objects.order_by("pk")[0].pk]),
        reverse("rendicion:detalle_contratacion", args=[2023, "infima_cuantia"]),
    ]
    antes = {}
    for url in urls:
        cliente.get(url)  # warm-up: session, content types
        with CaptureQueriesContext(connection) as consultas:
            assert cliente.get(url).status_code == 200
        antes[url] = len(consultas)

    anio_multiplicar(anio=2023, factor=3)

    for url in urls:
        with django_assert_max_num_queries(antes[url]):
            assert cliente.get(url).status_code == 200
