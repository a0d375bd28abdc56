"""The report page for the coordination: who may see it, the consistency panel, the PDF
download, and a number of queries that does not grow with the data."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from bench.sintetico import anio_multiplicar
from casmul.roles import Rol
from casmul.services import usuario_con_rol_guardar
from centros.models import Centro, ReporteMensual
from centros.selectors.informe import cifras_de_area
from presupuesto.models import LineaPresupuestaria
from rendicion.consistencia import observaciones
from rendicion.documento import documento_html
from rendicion.selectors import informe_rendicion

pytestmark = pytest.mark.usefixtures("datos_2023")

# The 2023 report as reviewed once the year has ended.
HOY_2024 = datetime.date(2024, 3, 1)


def _entrar(client, rol, centro_ids=None):
    usuario = usuario_con_rol_guardar(
        username=f"u-{rol.name.lower()}", password="x-clave-1", rol=rol, centro_ids=centro_ids
    )
    client.force_login(usuario)
    return usuario


@pytest.mark.parametrize("nombre", ["rendicion:informe", "rendicion:informe_pdf"])
def test_anonymous_is_sent_to_login(client, nombre):
    respuesta = client.get(reverse(nombre, args=[2023]))

    assert respuesta.status_code == 302
    assert respuesta.url.startswith(reverse("login"))


@pytest.mark.parametrize(
    "nombre", ["rendicion:informe", "rendicion:informe_pdf", "rendicion:indice"]
)
def test_centre_staff_may_not_see_the_report(client, nombre):
    _entrar(client, Rol.PERSONAL_CENTRO, centro_ids=[1])
    argumentos = [] if nombre == "rendicion:indice" else [2023]

    assert client.get(reverse(nombre, args=argumentos)).status_code == 403


@pytest.mark.parametrize("rol", [Rol.COORDINACION, Rol.ADMINISTRACION])
def test_coordination_and_administration_see_the_report_with_its_figures(client, rol):
    _entrar(client, rol)

    contenido = client.get(reverse("rendicion:informe", args=[2023])).content.decode()

    assert "Revisar antes de publicar" in contenido
    assert "$1.600.469,59" in contenido
    assert "68.430" in contenido
    assert contenido.count('role="img"') == 4


def test_unknown_year_is_404(client):
    _entrar(client, Rol.COORDINACION)

    assert client.get(reverse("rendicion:informe", args=[2031])).status_code == 404


def test_pdf_download(client):
    _entrar(client, Rol.COORDINACION)

    respuesta = client.get(reverse("rendicion:informe_pdf", args=[2023]))

    assert respuesta.status_code == 200
    assert respuesta["Content-Type"] == "application/pdf"
    assert "informe-rendicion-2023.pdf" in respuesta["Content-Disposition"]
    assert respuesta.content.startswith(b"%PDF")


def test_consistency_panel_lists_mies_gaps_and_agreement_dates_of_2023():
    textos = [observacion.texto for observacion in observaciones(anio=2023, hoy=HOY_2024)]

    assert any(
        "CDI Estrellitas iluminando el futuro" in texto and "01/08/2023 – 31/12/2023" in texto
        for texto in textos
    )
    assert any("dice 36 meses de plazo pero sus fechas suman 12" in texto for texto in textos)
    assert any("fuera de 2023" in texto for texto in textos)


def test_consistency_panel_lists_months_not_approved_and_unusual_figures():
    reporte = ReporteMensual.objects.get(centro__numero=1, anio=2023, mes=5)
    reporte.estado = ReporteMensual.Estado.ENVIADO
    reporte.save()
    cifra = reporte.cifras.get()
    cifra.valor = Decimal("600")  # ten times the centre's usual 60 children
    cifra.save()

    observadas = observaciones(anio=2023, hoy=HOY_2024)

    assert any(
        o.categoria == "Meses sin aprobar" and "sin aprobar mayo" in o.texto for o in observadas
    )
    atipica = next(o for o in observadas if o.categoria == "Cifras fuera de rango")
    assert "mayo" in atipica.texto and "600" in atipica.texto
    assert atipica.enlace == reverse("centros:mes", args=[reporte.centro_id, 2023, 5])


def test_consistency_panel_lists_budget_executed_above_100_percent():
    LineaPresupuestaria.objects.filter(anio=2023, area__codigo="impulso-economico").update(
        ejecutado=Decimal("8000.00")
    )

    observadas = [
        o
        for o in observaciones(anio=2023, hoy=HOY_2024)
        if o.categoria == "Ejecución sobre el 100 %"
    ]

    assert len(observadas) == 1
    assert "108,8 %" in observadas[0].texto


def test_a_month_without_data_is_listed_on_the_page(client):
    _entrar(client, Rol.COORDINACION)
    ReporteMensual.objects.filter(centro__numero=1, anio=2023, mes=12).delete()

    contenido = client.get(reverse("rendicion:informe", args=[2023])).content.decode()

    assert "sin datos en diciembre" in contenido


def test_staff_of_a_centre_is_counted_once_not_per_reported_month():
    piscina = next(
        c for c in cifras_de_area(anio=2023, area_codigo="servicios-comunidad") if c.numero == 30
    )

    assert piscina.personal == 7
    assert piscina.meses_reportados == 12


def _consultas(funcion) -> int:
    with CaptureQueriesContext(connection) as contexto:
        funcion()
    return len(contexto.captured_queries)


def test_report_queries_do_not_grow_with_ten_times_the_data(client):
    _entrar(client, Rol.COORDINACION)
    url = reverse("rendicion:informe", args=[2023])
    pagina_1x = _consultas(lambda: client.get(url))
    documento_1x = _consultas(lambda: documento_html(informe_rendicion(anio=2023), para_pdf=True))

    anio_multiplicar(anio=2023, factor=10)
    assert Centro.objects.en_operacion(2023).count() == 300
    pagina_10x = _consultas(lambda: client.get(url))
    documento_10x = _consultas(lambda: documento_html(informe_rendicion(anio=2023), para_pdf=True))

    assert pagina_10x == pagina_1x
    assert documento_10x == documento_1x
    informe = informe_rendicion(anio=2023)
    assert informe.desarrollo_infantil.total == 5230
    assert informe.conteo_convenios.total == 240
    assert len(informe.acciones) == 90
    assert informe.contratacion.total_procesos == 1900


def test_report_for_a_year_before_the_data_has_zeros_not_errors(client):
    from rendicion.services import informe_crear_desde_anterior

    informe_crear_desde_anterior(anio=2025)
    _entrar(client, Rol.COORDINACION)

    respuesta = client.get(reverse("rendicion:informe", args=[2025]))

    assert respuesta.status_code == 200
    contenido = respuesta.content.decode()
    assert "Sin datos" in contenido
    assert "$0,00" in contenido


def test_a_centre_opened_in_february_is_not_asked_for_january():
    textos = [o.texto for o in observaciones(anio=2023, hoy=HOY_2024)]

    assert not any("ERRADICACIÓN PROGRESIVA" in texto for texto in textos)


def test_months_of_operation_must_be_in_order():
    from django.db import IntegrityError, transaction

    from centros.models import OperacionAnual

    operacion = OperacionAnual.objects.get(centro__numero=1, anio=2023)
    operacion.mes_inicio, operacion.mes_fin = 9, 3
    with pytest.raises(IntegrityError), transaction.atomic():
        operacion.save()
