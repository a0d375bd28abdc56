"""WCAG 2.1 AA in a real Chromium: axe-core (its rules tagged wcag2a, wcag2aa, wcag21a,
wcag21aa) finds no violation on the pages each role uses, the public ones and the
administration's admin pages included. axe-core is installed from the npm registry by
`make test` (the Makefile's AXE), at the version pinned there."""

import datetime
from pathlib import Path

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.urls import reverse

from casmul.roles import Rol
from casmul.services import usuario_con_rol_guardar
from centros.models import Centro, ReporteMensual
from convenios.models import Convenio
from participacion.models import AccionDelPlan, Deliberacion, Sugerencia
from participacion.services import pasos_abrir
from tests.browser.esperas import ESPERA_MS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = Path(__file__).resolve().parents[2] / ".herramientas/node_modules/axe-core/axe.min.js"
REGLAS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
CLAVE = "clave-de-prueba-1"


def _analizar(pagina, url, ruta) -> list[str]:
    respuesta = pagina.goto(url(ruta))
    assert respuesta.status < 400, ruta
    pagina.wait_for_load_state("networkidle")
    pagina.add_script_tag(path=str(AXE))
    resultado = pagina.evaluate(
        "reglas => axe.run(document, {runOnly: {type: 'tag', values: reglas}})", REGLAS
    )
    return [
        f"{ruta}: {v['id']} ({v['impact']}) en {len(v['nodes'])} elemento(s), p. ej. "
        f"{v['nodes'][0]['target']}: {v['nodes'][0]['failureSummary'][:160]}"
        for v in resultado["violations"]
    ]


def _entrar(pagina, url, usuario):
    pagina.context.clear_cookies()
    pagina.goto(url(reverse("login")))
    pagina.get_by_label("Usuario").fill(usuario)
    pagina.get_by_label("Contraseña").fill(CLAVE)
    pagina.get_by_role("button", name="Ingresar").click()
    pagina.wait_for_load_state()


@pytest.fixture
def roles(datos_2023):
    if not AXE.exists():
        pytest.fail(f"Falta axe-core en {AXE}: `make test` lo instala con npm.", pytrace=False)
    personal = usuario_con_rol_guardar(username="personal", password=CLAVE, rol=Rol.PERSONAL_CENTRO)
    usuario_con_rol_guardar(username="coordinacion", password=CLAVE, rol=Rol.COORDINACION)
    usuario_con_rol_guardar(username="administracion", password=CLAVE, rol=Rol.ADMINISTRACION)
    centro = Centro.objects.order_by("numero").first()
    centro.personal_asignado.add(personal)
    reporte = ReporteMensual.objects.filter(centro=centro, anio=2023).order_by("mes").first()
    ReporteMensual.objects.filter(pk=reporte.pk).update(estado=ReporteMensual.Estado.ENVIADO)
    # February as a draft: the month form with its inputs.
    ReporteMensual.objects.filter(centro=centro, anio=2023, mes=2).update(
        estado=ReporteMensual.Estado.BORRADOR
    )
    # The CPCCS process of 2023: its steps, a deliberation with a suggestion and its plan.
    pasos_abrir(anio=2023)
    sugerencia = Sugerencia.objects.create(
        deliberacion=Deliberacion.objects.create(
            anio=2023, fecha=datetime.date(2024, 5, 28), lugar="Loja", mujeres=3, hombres=2
        ),
        texto="Ampliar el horario del CDI",
        compromiso=True,
    )
    AccionDelPlan.objects.create(
        sugerencia=sugerencia,
        descripcion="Horario extendido",
        responsable="Coordinación",
        fecha_inicio=datetime.date(2024, 7, 1),
        fecha_fin=datetime.date(2024, 12, 31),
    )
    return {
        "centro": centro,
        "reporte": reporte,
        "convenio": Convenio.objects.first(),
        "sugerencia": sugerencia,
    }


def _paginas(datos) -> dict[str | None, list[str]]:
    centro, reporte, convenio = datos["centro"], datos["reporte"], datos["convenio"]
    return {
        None: [
            reverse("login"),
            reverse("publicaciones:archivo"),
            reverse("publicaciones:verificar"),
            reverse("plan_de_trabajo", args=[2023]),
        ],
        "personal": [
            reverse("inicio"),
            reverse("centros:anio", args=[centro.pk, 2023]),
            reverse("centros:mes", args=[centro.pk, 2023, 2]),
            reverse("importar_indice"),
            reverse("importar_tipo", args=["cifras"]),
            reverse("centros:beneficiarios"),
            reverse("mis_avisos"),
        ],
        "coordinacion": [
            reverse("inicio"),
            reverse("centros:completitud", args=[2023]),
            reverse("centros:revisar", args=[reporte.pk]),
            reverse("rendicion:indice"),
            reverse("rendicion:informe", args=[2023]),
            reverse("rendicion:textos_editar", args=[2023]),
            reverse("rendicion:publicar", args=[2023]),
            reverse("rendicion:comparacion", args=[2023]),
            reverse("rendicion:centro", args=[centro.pk]),
            reverse("convenios:lista"),
            reverse("convenios:detalle", args=[convenio.pk]),
            reverse("presupuesto:indice"),
            reverse("presupuesto:lineas"),
            reverse("presupuesto:procesos"),
            reverse("rendicion:cpccs", args=[2023]),
            reverse("participacion:anio", args=[2023]),
            reverse("participacion:deliberacion", args=[2023]),
            reverse("participacion:registros", args=[2023]),
            reverse("participacion:sugerencia", args=[datos["sugerencia"].pk]),
        ],
        "administracion": [
            reverse("inicio"),
            reverse("admin:index"),
            reverse("admin:centros_centro_changelist"),
            reverse("admin:centros_centro_change", args=[centro.pk]),
            reverse("admin:convenios_convenio_change", args=[convenio.pk]),
            reverse("admin:centros_beneficiario_changelist"),
            reverse("admin:centros_horarioatencion_add"),
            reverse("admin:rendicion_informeanual_changelist"),
        ],
    }


@pytest.fixture
def pagina_con_axe(navegador):
    """A tab like `pagina`'s where axe's script may run: the portal's CSP forbids any script
    not served by it, so this tab alone bypasses the policy."""
    contexto = navegador.new_context(
        viewport={"width": 1280, "height": 900},
        locale="es-EC",
        timezone_id="America/Guayaquil",
        bypass_csp=True,
    )
    contexto.set_default_timeout(ESPERA_MS)
    try:
        yield contexto.new_page()
    finally:
        contexto.close()


def test_every_page_of_every_role_passes_wcag_2_1_aa(roles, pagina_con_axe, url):
    pagina = pagina_con_axe
    violaciones = []
    for usuario, rutas in _paginas(roles).items():
        if usuario:
            _entrar(pagina, url, usuario)
        else:
            pagina.context.clear_cookies()
        for ruta in rutas:
            violaciones += _analizar(pagina, url, ruta)

    assert violaciones == [], "\n".join(violaciones)


def test_the_keyboard_reaches_the_month_s_first_figure_and_a_refused_save_focuses_what_to_fix(
    roles, pagina, url
):
    centro = roles["centro"]
    _entrar(pagina, url, "personal")
    pagina.goto(url(reverse("centros:mes", args=[centro.pk, 2023, 2])))
    primera = pagina.locator("input.cifra").first

    pagina.keyboard.press("Tab")
    saltar = pagina.evaluate("document.activeElement.textContent.trim()")
    pagina.keyboard.press("Enter")
    teclas = 0
    while not primera.evaluate("campo => campo === document.activeElement") and teclas < 40:
        pagina.keyboard.press("Tab")
        teclas += 1
    primera.fill("12a")
    pagina.get_by_role("button", name="Guardar borrador").click()
    pagina.wait_for_load_state()

    assert saltar == "Saltar al contenido"
    assert teclas <= 6, f"{teclas} Tab desde el contenido hasta la primera cifra"
    enfocado = pagina.evaluate("document.activeElement.className")
    assert "resumen-errores" in enfocado
    assert primera.get_attribute("aria-invalid") == "true"
    descrito = primera.get_attribute("aria-describedby").split()
    assert f"{primera.get_attribute('id')}_error" in descrito
    assert pagina.locator(f"#{primera.get_attribute('id')}_error").is_visible()


APPS_DEL_PORTAL = {"centros", "convenios", "participacion", "presupuesto", "rendicion", "salud"}


def _paginas_de_la_administracion() -> list[str]:
    """The changelist of every model of the portal's apps the admin holds, and the change
    form of its first record (the add form when it has none and one may be added)."""
    rutas = []
    for modelo in sorted(admin.site._registry, key=lambda m: m._meta.label):
        if modelo._meta.app_label not in APPS_DEL_PORTAL:
            continue
        info = (modelo._meta.app_label, modelo._meta.model_name)
        rutas.append(reverse("admin:{}_{}_changelist".format(*info)))
        primero = modelo.objects.order_by("pk").first()
        if primero is not None:
            rutas.append(reverse("admin:{}_{}_change".format(*info), args=[primero.pk]))
    return rutas


def test_every_admin_page_of_the_portal_s_records_passes_wcag_2_1_aa(roles, pagina_con_axe, url):
    pagina = pagina_con_axe
    usuario_con_rol_guardar(username="admin", password=CLAVE, rol=Rol.ADMINISTRACION)
    get_user_model().objects.filter(username="admin").update(is_superuser=True, is_staff=True)
    _entrar(pagina, url, "admin")

    violaciones = []
    rutas = _paginas_de_la_administracion()
    for ruta in rutas:
        violaciones += _analizar(pagina, url, ruta)

    assert len(rutas) > 40
    assert violaciones == [], "\n".join(violaciones)
