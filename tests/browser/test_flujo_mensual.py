"""A month's figures in a real Chromium, step by step as people do it: the centre's staff
submit the month (a warning first asks for a comment), the coordination approves it on the
completeness matrix, the approved month can no longer be changed, and nobody opens another
centre's months.

Each test is one step and sets up the previous steps through the services the views call, so
that it runs alone and a failure points at one step."""

import re
from dataclasses import dataclass
from decimal import Decimal
from itertools import cycle

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, expect

from casmul.meses import Mes
from casmul.roles import Rol
from casmul.services import usuario_con_rol_guardar
from centros.models import Centro, CifraMensual, Indicador, Modalidad, ReporteMensual
from centros.services import reporte_guardar, reportes_aprobar
from tests.factories import (
    AreaFactory,
    CentroFactory,
    CifraMensualFactory,
    IndicadorCentroFactory,
    IndicadorFactory,
    OperacionAnualFactory,
    ParroquiaFactory,
    ReporteMensualFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

E = ReporteMensual.Estado
CLAVE = "Clave-de-prueba-2024"

# What the staff type for the month: 120 children where the centre had about 40 (and room for
# 60) is far outside its range; the other two figures are ordinary.
NINOS_FUERA_DE_RANGO = "120"
RACIONES = "836"
APORTE = "357,25"
COMENTARIO = "Se abrió el segundo turno: llegaron 80 niños del barrio Las Pitas."


def _mes_a_reportar() -> tuple[int, int]:
    """The current year's previous month (January itself in January: never a future one)."""
    hoy = timezone.localdate()
    return hoy.year, max(hoy.month - 1, 1)


def _meses_atras(anio: int, mes: int, atras: int) -> tuple[int, int]:
    indice = anio * 12 + (mes - 1) - atras
    return indice // 12, indice % 12 + 1


@dataclass
class Escenario:
    anio: int
    mes: int
    centro: Centro
    otro: Centro
    personal: object
    personal_otro: object
    coordinacion: object

    @property
    def nombre_mes(self) -> str:
        return Mes(self.anio, self.mes).nombre

    def url_mes(self, centro: Centro | None = None) -> str:
        return reverse("centros:mes", args=[(centro or self.centro).pk, self.anio, self.mes])

    def reporte(self, centro: Centro | None = None) -> ReporteMensual | None:
        return ReporteMensual.objects.filter(
            centro=centro or self.centro, anio=self.anio, mes=self.mes
        ).first()


def _centro(
    numero, nombre, nombre_corto, area, anios, capacidad=40, modalidad=None, mes_inicio=1
) -> Centro:
    centro = CentroFactory(
        numero=numero,
        nombre=nombre,
        nombre_corto=nombre_corto,
        area=area,
        modalidad=modalidad or Modalidad.DIRECTA,
        parroquia=ParroquiaFactory(nombre=f"Parroquia de {nombre_corto}"),
        capacidad=capacidad,
    )
    for anio in anios:
        OperacionAnualFactory(centro=centro, anio=anio, mes_inicio=mes_inicio)
    return centro


def _mes_guardado(centro, anio, mes, estado, cifras=(), advertencias=()):
    reporte = ReporteMensualFactory(
        centro=centro, anio=anio, mes=mes, estado=estado, version=1, advertencias=list(advertencias)
    )
    for indicador, valor in cifras:
        CifraMensualFactory(reporte=reporte, indicador=indicador, valor=Decimal(valor))


def _meses_del_anio(centro, anio, hasta, estados, desde=1, advertencias=None):
    """The centre's months `desde`…`hasta` of the year: approved unless `estados` says
    otherwise (None: a month nobody entered)."""
    for mes in range(desde, hasta + 1):
        estado = estados.get(mes, E.APROBADO)
        if estado is not None:
            _mes_guardado(centro, anio, mes, estado, advertencias=(advertencias or {}).get(mes, ()))


@pytest.fixture
def escenario(transactional_db) -> Escenario:
    """Five centres and the people of the scenario. The first (María Jaramillo's) has approved
    months around 40 children before the month to report; the second is another centre's
    (Pedro Ochoa's), with a submitted month of its own; all fill the matrix with the usual mix
    of approved, submitted, draft and missing months."""
    anio, mes = _mes_a_reportar()
    # Months before the one to report: every earlier month of the year, and at least four so
    # that the centre has a "recent range" (before March some fall in the previous year).
    previos = [_meses_atras(anio, mes, atras) for atras in range(1, max(4, mes - 1) + 1)]
    anios = sorted({anio} | {a for a, _ in previos})
    area = AreaFactory(nombre="Desarrollo infantil")

    ninos = IndicadorFactory(
        codigo="ninos",
        nombre="Niñas y niños atendidos",
        descripcion="Inscritos que asistieron al menos un día del mes.",
        agregacion=Indicador.Agregacion.MAXIMO,
    )
    raciones = IndicadorFactory(
        codigo="raciones",
        nombre="Raciones servidas",
        descripcion="Desayunos, refrigerios y almuerzos del mes.",
        unidad=Indicador.Unidad.SERVICIOS,
    )
    aporte = IndicadorFactory(
        codigo="aporte",
        nombre="Aporte de las familias",
        descripcion="Lo recaudado por pensiones diferenciadas.",
        unidad=Indicador.Unidad.DOLARES,
    )

    centro = _centro(
        4, "Centro de Desarrollo Infantil Rayito de Luz", "CDI Rayito de Luz", area, anios, 60
    )
    for orden, indicador in enumerate([ninos, raciones, aporte]):
        IndicadorCentroFactory(centro=centro, indicador=indicador, orden=orden)
    centro.indicador_usuarios = ninos
    centro.save(update_fields=["indicador_usuarios"])
    valores = cycle(
        [(38, 812, "350.00"), (41, 845, "362.50"), (40, 830, "348.75"), (39, 828, "355.00")]
    )
    for (anio_previo, mes_previo), (n, r, a) in zip(previos, valores, strict=False):
        _mes_guardado(
            centro, anio_previo, mes_previo, E.APROBADO, [(ninos, n), (raciones, r), (aporte, a)]
        )

    otro = _centro(
        7, "Centro de Desarrollo Infantil Los Capulíes", "CDI Los Capulíes", area, anios, 45
    )
    _meses_del_anio(
        otro,
        anio,
        mes,
        {mes - 1: E.ENVIADO, mes: E.ENVIADO},
        advertencias={mes: ["Niñas y niños atendidos: pasa de 25 a 31."]},
    )
    # The rest of the matrix: a month nobody entered, drafts, a centre opened in March, one
    # under the MIES agreement.
    _meses_del_anio(
        _centro(12, "Centro de Desarrollo Infantil Sol Naciente", "CDI Sol Naciente", area, anios),
        anio,
        mes,
        {mes - 2: None, mes: E.BORRADOR},
    )
    _meses_del_anio(
        _centro(
            15,
            "Centro Gerontológico Municipal Daniel Álvarez",
            "Gerontológico Daniel Álvarez",
            AreaFactory(nombre="Personas adultas mayores"),
            anios,
            modalidad=Modalidad.CONVENIO_MIES,
        ),
        anio,
        mes,
        {mes - 1: E.ENVIADO, mes: E.BORRADOR},
    )
    desde = min(3, mes)
    _meses_del_anio(
        _centro(
            18,
            "Centro de Atención a Personas con Discapacidad Nuevos Horizontes",
            "CAPD Nuevos Horizontes",
            AreaFactory(nombre="Personas con discapacidad"),
            anios,
            mes_inicio=desde,
        ),
        anio,
        mes,
        {mes: E.ENVIADO},
        desde=desde,
        advertencias={mes: ["Personas atendidas: 52 supera la capacidad del centro (40)."]},
    )

    def persona(username, nombre, apellido, rol, centros=()):
        return usuario_con_rol_guardar(
            username=username,
            password=CLAVE,
            rol=rol,
            first_name=nombre,
            last_name=apellido,
            centro_ids=[c.pk for c in centros],
        )

    return Escenario(
        anio=anio,
        mes=mes,
        centro=centro,
        otro=otro,
        personal=persona("mjaramillo", "María", "Jaramillo", Rol.PERSONAL_CENTRO, [centro]),
        personal_otro=persona("pochoa", "Pedro", "Ochoa", Rol.PERSONAL_CENTRO, [otro]),
        coordinacion=persona("larmijos", "Luis", "Armijos", Rol.COORDINACION),
    )


def _enviado(escenario: Escenario) -> ReporteMensual:
    """Step 1 done through the service: the month submitted with its warnings explained."""
    return reporte_guardar(
        centro=escenario.centro,
        mes=Mes(escenario.anio, escenario.mes),
        valores={
            "ninos": Decimal(NINOS_FUERA_DE_RANGO),
            "raciones": Decimal(RACIONES),
            "aporte": Decimal("357.25"),
        },
        version=0,
        usuario=escenario.personal,
        comentario=COMENTARIO,
        enviar=True,
    )


def _foto() -> tuple[list, list]:
    """Everything a month's save could change."""
    return (
        sorted(CifraMensual.objects.values_list("reporte_id", "indicador_id", "valor")),
        sorted(
            ReporteMensual.objects.values_list(
                "centro_id", "anio", "mes", "estado", "version", "comentario", "aprobado_por_id"
            )
        ),
    )


def _ingresar(pagina: Page, url, ruta: str, usuario, nombre_completo: str | None = None) -> None:
    """Opens `ruta` anonymously, lands on the login page and signs in by typing."""
    pagina.goto(url(ruta))
    expect(pagina).to_have_url(re.compile(r"/ingresar/"))
    expect(pagina.get_by_role("heading", name="Ingresar al portal")).to_be_visible()
    pagina.get_by_label("Usuario").fill(usuario.username)
    pagina.get_by_label("Contraseña").fill(CLAVE)
    pagina.get_by_role("button", name="Ingresar").click()
    expect(pagina).not_to_have_url(re.compile(r"/ingresar/"))
    if nombre_completo:
        expect(
            pagina.get_by_role("heading", name=f"Le damos la bienvenida, {nombre_completo}")
        ).to_be_visible()


def _envio(pagina: Page):
    """Waits for the response to the form's POST (the page's own submit)."""
    return pagina.expect_response(lambda respuesta: respuesta.request.method == "POST")


# --- 1. The staff submit the month; a warning asks for a comment first -------------------------


def test_staff_submit_the_month_after_explaining_the_warning(pagina, url, escenario, capturar):
    _ingresar(pagina, url, "/", escenario.personal, "María Jaramillo")
    pagina.get_by_role("link", name=f"Ver el año {escenario.anio} mes a mes").click()
    fila = pagina.locator("tbody tr").filter(
        has=pagina.get_by_role("rowheader", name=escenario.nombre_mes, exact=True)
    )
    fila.get_by_role("link", name="Registrar").click()
    expect(pagina).to_have_url(url(escenario.url_mes()))
    expect(pagina.locator("h1")).to_contain_text(f"{escenario.nombre_mes} {escenario.anio}")
    expect(pagina.locator("h1 .estado")).to_have_text("Sin datos")

    ninos = pagina.get_by_label("Niñas y niños atendidos")
    ninos.fill(NINOS_FUERA_DE_RANGO)
    pagina.get_by_label("Raciones servidas").fill(RACIONES)
    pagina.get_by_label("Aporte de las familias").fill(APORTE)
    antes = _foto()
    with _envio(pagina) as envio:
        pagina.get_by_role("button", name="Enviar a revisión").click()

    # Refused for lack of a comment: the warnings are listed, the comment is asked for, and
    # what was typed is still in the inputs. Nothing was written.
    assert envio.value.status == 400
    advertencias = pagina.locator("section.advertencias")
    expect(advertencias.get_by_role("heading")).to_have_text(
        "Antes de enviar, explique estas advertencias"
    )
    expect(advertencias).to_contain_text("Niñas y niños atendidos: 120 está muy lejos del promedio")
    expect(advertencias).to_contain_text("supera la capacidad del centro (60)")
    expect(pagina.get_by_role("alert")).to_contain_text("No se guardó nada")
    expect(pagina.locator(".tarjeta-comentario")).to_contain_text("obligatorio para enviar")
    comentario = pagina.get_by_label("Comentario")
    expect(comentario).to_have_attribute("aria-invalid", "true")
    expect(ninos).to_have_value(NINOS_FUERA_DE_RANGO)
    expect(pagina.get_by_label("Raciones servidas")).to_have_value(RACIONES)
    expect(pagina.get_by_label("Aporte de las familias")).to_have_value(APORTE)
    assert _foto() == antes
    capturar(pagina, "formulario-mensual.png")

    comentario.fill(COMENTARIO)
    with _envio(pagina) as envio:
        pagina.get_by_role("button", name="Enviar a revisión").click()

    assert envio.value.status == 302
    expect(pagina.locator(".aviso-success")).to_contain_text(
        f"Se envió {escenario.nombre_mes.lower()} de {escenario.anio} a revisión"
    )
    expect(pagina.locator("h1 .estado")).to_have_text("Enviado")
    expect(pagina.get_by_label("Niñas y niños atendidos")).to_have_value("120")
    reporte = escenario.reporte()
    assert reporte.estado == E.ENVIADO
    assert reporte.comentario == COMENTARIO
    assert reporte.actualizado_por == escenario.personal
    assert reporte.enviado_en is not None
    assert len(reporte.advertencias) == 2
    assert dict(reporte.cifras.values_list("indicador__codigo", "valor")) == {
        "ninos": Decimal("120"),
        "raciones": Decimal("836"),
        "aporte": Decimal("357.25"),
    }


# --- 2. The coordination approves it on the completeness matrix --------------------------------


def test_the_coordination_approves_the_submitted_month_on_the_matrix(
    pagina, url, escenario, capturar
):
    reporte = _enviado(escenario)
    otro_enviado = escenario.reporte(escenario.otro)

    _ingresar(pagina, url, "/", escenario.coordinacion, "Luis Armijos")
    pagina.get_by_role("link", name=f"Matriz de completitud {escenario.anio}").click()
    expect(pagina.get_by_role("heading", name=f"Cifras mensuales {escenario.anio}")).to_be_visible()
    fila = pagina.locator("table.matriz tbody tr").filter(has_text=escenario.centro.nombre_corto)
    celda = fila.locator("td.celda").nth(escenario.mes - 1)
    expect(celda).to_have_class(re.compile(r"\bestado-enviado\b"))
    expect(celda).to_have_class(re.compile(r"\bcelda-advertida\b"))

    # A month with warnings cannot be ticked: it is opened, read and approved from its review.
    etiqueta = f"Aprobar {escenario.nombre_mes} de {escenario.centro.nombre_corto}"
    expect(pagina.get_by_label(etiqueta, exact=True)).to_have_count(0)
    celda.get_by_role("link").click()
    expect(pagina.get_by_role("heading", name=re.compile("^Revisar"))).to_be_visible()
    expect(pagina.locator(".aviso-advertencias")).to_contain_text("Advertencias de las cifras")
    expect(pagina.locator(".ficha-mes")).to_contain_text(COMENTARIO)
    with _envio(pagina) as envio:
        pagina.get_by_role("button", name="Aprobar este mes").click()

    assert envio.value.status == 302
    expect(pagina.locator(".aviso-success")).to_contain_text("Se aprobó")
    expect(celda).to_have_class(re.compile(r"\bestado-aprobado\b"))
    expect(celda.get_by_role("link")).to_have_attribute(
        "title", re.compile(rf"{escenario.nombre_mes} {escenario.anio}: Aprobado")
    )
    expect(celda.get_by_role("checkbox")).to_have_count(0)
    # Only that month: the other centre's submitted month still waits for review.
    reporte.refresh_from_db()
    assert reporte.estado == E.APROBADO
    assert reporte.aprobado_por == escenario.coordinacion
    assert reporte.aprobado_en is not None
    assert escenario.reporte(escenario.otro).estado == E.ENVIADO == otro_enviado.estado
    capturar(pagina, "matriz-completitud.png")


# --- 3. An approved month is read-only, even for a forged POST ---------------------------------


def test_an_approved_month_has_no_inputs_and_refuses_a_forged_post(pagina, url, escenario):
    reporte = _enviado(escenario)
    reportes_aprobar(
        versiones={reporte.pk: reporte.version},
        usuario=escenario.coordinacion,
        advertencias_vistas=True,
    )

    _ingresar(pagina, url, escenario.url_mes(), escenario.personal)
    expect(pagina).to_have_url(url(escenario.url_mes()))
    expect(pagina.locator("h1 .estado")).to_have_text("Aprobado")
    expect(pagina.locator(".aviso-bloqueo")).to_contain_text(
        "Este mes está aprobado y ya no se puede modificar."
    )
    expect(pagina.locator(".aviso-bloqueo")).to_contain_text("pida a la Coordinación")
    expect(pagina.locator(".valor-fijo").first).to_have_text("120")
    expect(pagina.locator("input:not([type=hidden]), textarea, select")).to_have_count(0)
    expect(pagina.get_by_role("button", name="Guardar borrador")).to_have_count(0)
    expect(pagina.get_by_role("button", name="Enviar a revisión")).to_have_count(0)
    antes = _foto()

    # Someone rebuilds the form in the page (the CSRF token and version are the page's own)
    # and submits it.
    with _envio(pagina) as envio:
        pagina.evaluate(
            """() => {
                const form = document.getElementById("form-mes");
                const campos = {cifra_ninos: "999", cifra_raciones: "1", cifra_aporte: "1,00",
                                comentario: "Cambio forzado", accion: "enviar"};
                for (const [nombre, valor] of Object.entries(campos)) {
                    const campo = document.createElement("input");
                    campo.type = "hidden";
                    campo.name = nombre;
                    campo.value = valor;
                    form.appendChild(campo);
                }
                form.submit();
            }"""
        )
    assert envio.value.status == 400
    expect(pagina.get_by_role("alert")).to_contain_text("Este mes está aprobado")
    expect(pagina.get_by_role("button", name="Enviar a revisión")).to_have_count(0)
    assert _foto() == antes

    # The same with a hand-made request carrying the session and the CSRF cookie.
    token = next(c["value"] for c in pagina.context.cookies() if c["name"] == "csrftoken")
    respuesta = pagina.request.post(
        url(escenario.url_mes()),
        form={
            "csrfmiddlewaretoken": token,
            "version": str(escenario.reporte().version),
            "accion": "borrador",
            "cifra_ninos": "5",
            "cifra_raciones": "5",
            "cifra_aporte": "5,00",
        },
        headers={"Referer": url(escenario.url_mes())},
        max_redirects=0,
    )
    assert respuesta.status == 400
    assert "Este mes está aprobado y no se puede modificar" in respuesta.text()
    assert _foto() == antes
    assert escenario.reporte().estado == E.APROBADO


# --- 4. Another centre's month is not found ------------------------------------------------------


def test_staff_typing_another_centres_month_url_get_a_404(pagina, url, escenario):
    _ingresar(pagina, url, "/", escenario.personal, "María Jaramillo")
    antes = _foto()

    for ruta in (
        escenario.url_mes(escenario.otro),
        reverse("centros:anio", args=[escenario.otro.pk, escenario.anio]),
    ):
        respuesta = pagina.goto(url(ruta))

        assert respuesta.status == 404, ruta
        contenido = pagina.content()
        assert escenario.otro.nombre not in contenido
        assert escenario.otro.nombre_corto not in contenido
        assert "Capulíes" not in contenido

    token = next(c["value"] for c in pagina.context.cookies() if c["name"] == "csrftoken")
    respuesta = pagina.request.post(
        url(escenario.url_mes(escenario.otro)),
        form={"csrfmiddlewaretoken": token, "version": "1", "accion": "enviar", "cifra_ninos": "1"},
        headers={"Referer": url(escenario.url_mes(escenario.otro))},
        max_redirects=0,
    )
    assert respuesta.status == 404
    assert _foto() == antes


# --- 5. The dialogue: returned with a remark, answered, reviewed again -------------------------


def test_the_coordination_returns_the_month_and_staff_answer_before_it_is_approved(
    pagina, url, escenario, capturar
):
    reporte = _enviado(escenario)
    revisar = reverse("centros:revisar", args=[reporte.pk])
    observacion = "¿836 raciones con 120 niños? Revise las del segundo turno."

    # The coordination returns it from its review, with a remark on one figure.
    _ingresar(pagina, url, revisar, escenario.coordinacion)
    pagina.get_by_label("Qué debe revisar el centro").fill("Las raciones no cuadran.")
    pagina.get_by_label(re.compile(r"^Raciones servidas")).fill(observacion)
    with _envio(pagina) as envio:
        pagina.get_by_role("button", name="Devolver al centro").click()
    assert envio.value.status == 302
    expect(pagina.locator(".aviso-success")).to_contain_text("Se devolvió")
    fila = pagina.locator("table.matriz tbody tr").filter(has_text=escenario.centro.nombre_corto)
    expect(fila.locator("td.celda").nth(escenario.mes - 1)).to_have_class(
        re.compile(r"\bestado-devuelto\b")
    )

    # The staff find it on their home page and read the remark beside the figure.
    pagina.context.clear_cookies()
    _ingresar(pagina, url, "/", escenario.personal, "María Jaramillo")
    esperan = pagina.locator("section.meses-que-esperan")
    expect(esperan).to_contain_text("Las raciones no cuadran.")
    esperan.get_by_role("link").click()
    expect(pagina).to_have_url(url(escenario.url_mes()))
    expect(pagina.locator("h1 .estado")).to_have_text("Devuelto")
    expect(pagina.locator("#devolucion")).to_contain_text("Las raciones no cuadran.")
    expect(pagina.locator("tr.fila-cifra").filter(has_text="Raciones servidas")).to_contain_text(
        observacion
    )

    # Submitting again without answering is refused; with the answer it goes back to review.
    pagina.get_by_label("Raciones servidas").fill("418")
    with _envio(pagina) as envio:
        pagina.get_by_role("button", name="Enviar a revisión").click()
    assert envio.value.status == 400
    expect(pagina.locator(".tarjeta-comentario")).to_contain_text("responda a su observación")
    pagina.get_by_label("Comentario").fill(
        "Eran 418: el segundo turno solo almuerza. " + COMENTARIO
    )
    with _envio(pagina) as envio:
        pagina.get_by_role("button", name="Enviar a revisión").click()
    assert envio.value.status == 302
    expect(pagina.locator("h1 .estado")).to_have_text("Enviado")

    # The coordination sees what changed since the return, and approves.
    pagina.context.clear_cookies()
    _ingresar(pagina, url, revisar, escenario.coordinacion)
    cambios = pagina.locator("#cambios-desde-la-devolucion")
    raciones = cambios.locator("tr").filter(has_text="Raciones servidas")
    expect(raciones.locator("td").nth(1)).to_have_text("836")
    expect(raciones.locator("td").nth(2)).to_have_text("418")
    expect(pagina.get_by_text(re.compile("^Respuesta del centro: Eran 418"))).to_be_visible()
    capturar(pagina, "revision-tras-devolucion.png")
    with _envio(pagina) as envio:
        pagina.get_by_role("button", name="Aprobar este mes").click()
    assert envio.value.status == 302
    reporte.refresh_from_db()
    assert reporte.estado == E.APROBADO
    assert reporte.devoluciones.get().respondida
