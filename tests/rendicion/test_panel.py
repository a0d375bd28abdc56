"""The review panel lists each kind of observation once, money as money, and the sections the
report would print empty (which the document then leaves out)."""

import datetime
import io
from decimal import Decimal

import pytest
from django.core.files.base import ContentFile
from django.db.models import F
from django.test import Client
from PIL import Image

from casmul.roles import Rol
from centros.models import Centro, CifraMensual, Indicador, ReporteMensual
from centros.services import foto_centro_crear
from presupuesto.models import PresupuestoInstitucional
from rendicion.consistencia import CATEGORIAS, observaciones
from rendicion.documento import documento_html
from rendicion.selectors import informe_rendicion
from tests.factories import InscripcionFactory, LineaPresupuestariaFactory, UserFactory

pytestmark = pytest.mark.usefixtures("datos_2023")

HOY = datetime.date(2023, 6, 15)  # the year still running: months missing and unapproved


def test_each_group_of_the_panel_comes_once_in_its_order():
    # Given: 2023 seen in June 2023; two centres miss March, the first also has April in draft,
    # so a centre-by-centre list would go: missing, unapproved, missing.
    primero, segundo = ReporteMensual.objects.filter(anio=2023, mes=3).order_by("centro__numero")[
        :2
    ]
    ReporteMensual.objects.filter(anio=2023, mes=4, centro=primero.centro).update(estado="borrador")
    for reporte in (primero, segundo):
        reporte.cifras.all().delete()
        reporte.delete()

    categorias = [o.categoria for o in observaciones(anio=2023, hoy=HOY)]

    grupos = [c for i, c in enumerate(categorias) if i == 0 or categorias[i - 1] != c]
    assert len(grupos) == len(set(grupos))
    assert grupos == sorted(grupos, key=CATEGORIAS.index)
    assert grupos[:2] == ["Meses sin reportar", "Meses sin aprobar"]


def test_an_unusual_amount_of_money_is_written_as_money():
    ingresos = Indicador.objects.filter(unidad=Indicador.Unidad.DOLARES).first()
    cifra = (
        CifraMensual.objects.filter(reporte__anio=2023, indicador=ingresos, valor__gt=0)
        .select_related("reporte")
        .first()
    )
    cifra.valor = Decimal("999999.50")
    cifra.save()

    textos = [
        o.texto
        for o in observaciones(anio=2023, hoy=datetime.date(2024, 3, 1))
        if o.categoria == "Cifras fuera de rango" and ingresos.nombre in o.texto
    ]

    assert any("= $999.999,50, frente a un promedio de $" in texto for texto in textos)


def test_an_empty_annex_is_flagged_and_left_out_of_the_document():
    assert not informe_rendicion(anio=2023).fotos

    vacias = [
        o
        for o in observaciones(anio=2023, hoy=datetime.date(2024, 3, 1))
        if o.categoria == "Secciones vacías"
    ]
    html = documento_html(informe_rendicion(anio=2023), para_pdf=True)

    assert len(vacias) == 1 and "no tiene fotos de 2023" in vacias[0].texto
    assert 'id="anexos"' not in html and 'href="#anexos"' not in html
    assert "No hay fotos registradas" not in html


def test_an_annex_with_photos_is_printed_and_not_flagged():
    imagen = io.BytesIO()
    Image.new("RGB", (40, 30), (10, 20, 30)).save(imagen, format="PNG")
    foto_centro_crear(
        centro=Centro.objects.first(),
        imagen=ContentFile(imagen.getvalue(), name="f.png"),
        anio=2023,
        leyenda="Patio",
    )

    categorias = {o.categoria for o in observaciones(anio=2023, hoy=datetime.date(2024, 3, 1))}
    html = documento_html(informe_rendicion(anio=2023), para_pdf=True)

    assert "Secciones vacías" not in categorias
    assert 'id="anexos"' in html and "Patio" in html


def test_a_registry_that_disagrees_with_the_users_figure_is_flagged():
    """Children come and go: the monthly maximum (60) undercounts the 63 enrolled in the year."""
    centro = Centro.objects.get(numero=1)
    for n in range(63):
        InscripcionFactory(
            centro=centro,
            desde=datetime.date(2023, 1 + n % 12, 1),
            hasta=datetime.date(2023, 1 + n % 12, 28),
        )

    textos = [
        o.texto
        for o in observaciones(anio=2023, hoy=datetime.date(2024, 3, 1))
        if o.categoria == "Registro de beneficiarios"
    ]

    assert textos == [
        f"1. {centro.nombre_corto}: 63 personas inscritas en 2023, pero la cifra de usuarios "
        "(máximo mensual) es 60."
    ]


def test_every_link_of_the_panel_opens_a_portal_page_for_the_coordination():
    # Given a year with something of every kind to review: a month missing and one in draft,
    # a line and the institutional budget above 100 %, no photos (and, in the 2023 data, MIES
    # centres whose agreement ended in July).
    marzo = ReporteMensual.objects.filter(anio=2023, mes=3).order_by("centro__numero").first()
    ReporteMensual.objects.filter(anio=2023, mes=4, centro=marzo.centro).update(estado="borrador")
    marzo.cifras.all().delete()
    marzo.delete()
    LineaPresupuestariaFactory(anio=2023, codificado=Decimal("100"), ejecutado=Decimal("150"))
    PresupuestoInstitucional.objects.filter(anio=2023).update(
        gasto_ejecutado=F("gasto_codificado") + 1
    )
    cliente = Client()
    cliente.force_login(UserFactory(roles=[Rol.COORDINACION]))

    panel = observaciones(anio=2023, hoy=datetime.date(2024, 3, 1))

    categorias = {o.categoria for o in panel}
    assert {
        "Meses sin reportar",
        "Meses sin aprobar",
        "Centros MIES sin convenio",
        "Ejecución sobre el 100 %",
        "Secciones vacías",
    } <= categorias
    for observacion in panel:
        if not observacion.enlace:
            # The annex's photos are uploaded in the admin, the administration's alone.
            assert observacion.categoria == "Secciones vacías"
            continue
        assert not observacion.enlace.startswith("/admin/"), observacion
        assert cliente.get(observacion.enlace).status_code == 200, observacion
