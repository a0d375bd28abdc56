"""The report counts approved months only; the coordination's preview counts every month entered
and says so on every page (page, PDF, command line)."""

import datetime
import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.urls import reverse
from pypdf import PdfReader

from casmul.meses import Mes
from casmul.roles import Rol
from centros.models import Centro, CifraMensual, ReporteMensual
from centros.services import reporte_guardar, reporte_reabrir, sin_atencion_registrar
from rendicion.documento import MARCA_BORRADOR
from rendicion.selectors import DESARROLLO_INFANTIL, informe_rendicion
from salud.models import AtencionClinica
from salud.services import atenciones_guardar
from tests.factories import UserFactory

pytestmark = pytest.mark.usefixtures("datos_2023")

HOY = datetime.date(2024, 3, 1)
USUARIOS_TABLA_1 = 523  # Tabla 1 of the published 2023 report


@pytest.fixture
def coordinacion(db):
    return UserFactory(roles=[Rol.COORDINACION])


def _mes_reabierto_con(usuarios: int, coordinacion):
    """A child-care month of 2023, below its centre's maximum, reopened and saved as a draft
    with `usuarios`. Returns (report, the centre's maximum over its other months)."""
    for cifra in (
        CifraMensual.objects.filter(
            reporte__anio=2023, reporte__centro__area__codigo=DESARROLLO_INFANTIL
        )
        .select_related("reporte__centro", "indicador")
        .order_by("reporte__centro__numero", "reporte__mes")
    ):
        centro = cifra.reporte.centro
        if cifra.indicador_id != centro.indicador_usuarios_id:
            continue
        otros = CifraMensual.objects.filter(
            reporte__centro=centro, reporte__anio=2023, indicador=cifra.indicador
        ).exclude(pk=cifra.pk)
        maximo = max(otro.valor for otro in otros)
        if cifra.valor < maximo:
            reporte = reporte_reabrir(
                reporte=cifra.reporte, motivo="Revisión de la cifra", usuario=coordinacion
            )
            reporte_guardar(
                centro=centro,
                mes=Mes(2023, reporte.mes),
                valores={cifra.indicador.codigo: Decimal(usuarios)},
                version=reporte.version,
                usuario=coordinacion,
                comentario="Cifra en revisión.",
                hoy=HOY,
            )
            return reporte, maximo
    raise AssertionError("The 2023 data has no month below its centre's maximum")


def test_a_draft_month_leaves_the_report_as_approved_and_counts_only_in_the_preview(
    coordinacion,
):
    # Given: a child-care month reopened and saved as a draft with 300 users, far above the
    # centre's other months.
    reporte, maximo = _mes_reabierto_con(300, coordinacion)

    # When: the report and the preview are assembled.
    informe = informe_rendicion(anio=2023, hoy=HOY)
    borrador = informe_rendicion(anio=2023, borrador=True, hoy=HOY)

    # Then: the report keeps the approved figure; the preview counts the draft, and says so.
    assert informe.desarrollo_infantil.total == USUARIOS_TABLA_1
    fila = next(f for f in borrador.desarrollo_infantil.filas if f.centro_id == reporte.centro_id)
    assert fila.usuarios == 300
    assert borrador.desarrollo_infantil.total == USUARIOS_TABLA_1 - int(maximo) + 300
    assert not informe.borrador and borrador.borrador


def test_the_report_states_how_many_months_of_operation_are_behind_its_figures(coordinacion):
    completo = informe_rendicion(anio=2023, hoy=HOY).completitud
    _mes_reabierto_con(300, coordinacion)

    despues = informe_rendicion(anio=2023, hoy=HOY).completitud

    assert (
        completo.aprobados == completo.debidos == ReporteMensual.objects.filter(anio=2023).count()
    )
    assert (despues.aprobados, despues.debidos) == (completo.debidos - 1, completo.debidos)


def test_the_completeness_statement_names_the_days_without_service_and_their_reason(
    client, coordinacion
):
    antes = client
    antes.force_login(coordinacion)
    url = reverse("rendicion:informe", args=[2023])
    sin_periodos = antes.get(url).content.decode()
    centro = Centro.objects.en_operacion(2023).order_by("numero").first()
    sin_atencion_registrar(
        centro=centro,
        desde=datetime.date(2023, 3, 15),
        hasta=datetime.date(2023, 5, 30),
        motivo="Cierre por emergencia <invernal>",
        usuario=coordinacion,
    )

    pagina = client.get(url).content.decode()

    assert "Días sin atención" not in sin_periodos
    assert (
        f"Días sin atención, con el motivo que dio el centro: {centro.nombre_corto}, del "
        "15/03/2023 al 30/05/2023: «Cierre por emergencia &lt;invernal&gt;»." in pagina
    )


def test_the_page_shows_the_approved_report_and_a_marked_preview(client, coordinacion):
    _mes_reabierto_con(300, coordinacion)
    client.force_login(coordinacion)
    url = reverse("rendicion:informe", args=[2023])

    pagina = client.get(url).content.decode()
    previa = client.get(url, {"borrador": "1"}).content.decode()

    total_aprobado = f"{USUARIOS_TABLA_1}"
    assert MARCA_BORRADOR not in pagina
    assert "Cifras aprobadas de " in pagina and "Los meses sin aprobar no se cuentan." in pagina
    assert total_aprobado in pagina
    assert previa.count(MARCA_BORRADOR) >= 2  # beside the title and atop the document
    assert "las cifras mensuales de este documento incluyen meses sin aprobar" in previa
    assert f'href="{reverse("rendicion:informe_pdf", args=[2023])}?borrador=1"' in previa


def test_a_reopened_clinic_month_leaves_tabla_2_and_counts_only_in_the_preview(coordinacion):
    clinica = AtencionClinica.objects.filter(reporte__anio=2023).select_related("reporte__centro")
    reporte = clinica.order_by("reporte__mes").first().reporte
    antes = informe_rendicion(anio=2023, hoy=HOY).clinica
    del_mes = sum(a.pacientes for a in clinica.filter(reporte=reporte))
    reporte = reporte_reabrir(reporte=reporte, motivo="Revisión", usuario=coordinacion)
    atenciones_guardar(
        centro=reporte.centro,
        mes=Mes(2023, reporte.mes),
        pacientes={("emergencia", None): 1000},
        version=reporte.version,
        usuario=coordinacion,
        hoy=HOY,
    )

    despues = informe_rendicion(anio=2023, hoy=HOY).clinica
    previa = informe_rendicion(anio=2023, borrador=True, hoy=HOY).clinica

    assert despues.total == antes.total - del_mes
    assert despues.meses_reportados == antes.meses_reportados - 1
    assert previa.meses_reportados == antes.meses_reportados
    assert previa.total > despues.total


def test_the_command_line_preview_marks_every_pdf_page_and_the_report_none(tmp_path):
    borrador, informe = tmp_path / "borrador.pdf", tmp_path / "informe.pdf"

    call_command("rendicion", "2023", "--borrador", "--pdf", str(borrador), stdout=io.StringIO())
    call_command("rendicion", "2023", "--pdf", str(informe), stdout=io.StringIO())

    paginas_borrador = [p.extract_text() for p in PdfReader(borrador).pages]
    paginas_informe = [p.extract_text() for p in PdfReader(informe).pages]
    assert all(MARCA_BORRADOR in texto for texto in paginas_borrador)
    assert not any(MARCA_BORRADOR in texto for texto in paginas_informe)
