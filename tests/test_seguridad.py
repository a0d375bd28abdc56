"""Every URL of the portal × every role (issue 10): who reaches what, CSRF on every POST, and
no cédula in any URL the portal writes.

`ACCESO` holds one entry per named URL of the resolver (the admin's inner URLs aside, the
admin itself in `test_the_admin_is_the_administrations_alone`): how to build its arguments
from the test data, the methods it acts on, and what each role gets on a GET (and on a POST
for the URLs that only act on POST). A URL added without an entry fails
`test_the_table_covers_every_named_url`, so that somebody decides who may reach it.

The roles: anonymous, staff of centre A only, the coordination, the administration and an
active account in no role's group. Each walk builds its data once (the 2023 fixtures plus a
few factories), visits every URL, collects every mismatch and reports them all at once as
`role method url got … expected …`. Beside the table: staff of A on every URL naming centre
B, its people, its months or another user's task (404, or 403 where the page is not staff's
at all); a POST without the CSRF token on every URL (refused, nothing changed, a control
with the token goes through); a POST to a read-only page (no write, no redirect); and no
cédula in any link, form action, source, data-…-url or redirect of any page a role opens.

What other modules already pin, not repeated here:
- failed logins and lockout (django-axes), the admin's own login: tests/casmul/test_autenticacion.py
- session lifetime, idle limit, password change: tests/casmul/test_sesiones.py
- security headers and deployment checks: tests/casmul/test_produccion.py
- Cache-Control and Content-Security-Policy: tests/casmul/test_privacidad.py
- request and upload size limits: tests/casmul/test_cargas.py
- each claim of docs/privacy.md (masked cédulas, access log, anonymising):
  tests/casmul/test_privacidad_documentada.py
- beneficiaries per role in depth (filters, exports, enrolling in another centre):
  tests/centros/test_beneficiarios_acceso.py
- monthly pages' writes per role, with the data compared: tests/centros/test_mensual_permisos.py
- task pages and their owner: tests/casmul/test_tareas.py
"""

import datetime
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from types import SimpleNamespace
from urllib.parse import parse_qs, urlsplit

import pytest
from django.apps import apps
from django.core.files.base import ContentFile
from django.db.models import Sum
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django_tasks import default_task_backend, task

from casmul.roles import Rol
from casmul.services import usuario_con_rol_guardar
from casmul.tareas import archivo_generado_guardar
from centros.models import Centro, Inscripcion, ReporteMensual
from convenios.models import Convenio
from participacion.models import Deliberacion, Evidencia, Sugerencia
from presupuesto.models import (
    GastoComun,
    LineaPresupuestaria,
    PresupuestoInstitucional,
    ProcesoContratacion,
)
from tests.factories import (
    BeneficiarioFactory,
    ConvenioFactory,
    InscripcionFactory,
    PublicacionFactory,
    UserFactory,
    cedula_valida,
)

pytestmark = pytest.mark.usefixtures("datos_2023")

ANIO = 2023
CLAVE = "clave-de-prueba-segura-1"

ANONIMO, PERSONAL, COORDINACION, ADMINISTRACION, SIN_ROL = (
    "anonimo",
    "personal",
    "coordinacion",
    "administracion",
    # An active account in no role's group (a role taken away, an account made by hand).
    "sin_rol",
)
ROLES = [ANONIMO, PERSONAL, COORDINACION, ADMINISTRACION, SIN_ROL]


@task()
def tarea_de_prueba(*, usuario_id: int) -> dict:
    """A finished task with a file, as the report's PDF task leaves one."""
    nombre = archivo_generado_guardar(contenido=b"%PDF-1.7 prueba", extension="pdf")
    return {"texto": "Listo.", "archivo": nombre, "nombre": "prueba.pdf"}


# --- Expected outcomes -----------------------------------------------------------------------


class _Login:
    """A redirect to the portal's login page, with `next` the requested path."""

    def __repr__(self):
        return "302→login"


LOGIN = _Login()


@dataclass(frozen=True)
class Redireccion:
    """A redirect (302/303) to the page `destino(datos)` (its query string aside)."""

    destino: Callable

    def __repr__(self):
        return "302→página"


def a(nombre: str, **argumentos: Callable) -> Redireccion:
    """A redirect to the URL `nombre`, its kwargs read from the test data."""
    return Redireccion(
        lambda d: reverse(nombre, kwargs={k: leer(d) for k, leer in argumentos.items()})
    )


@dataclass(frozen=True)
class RedireccionBajo:
    """A redirect to a page under `prefijo` (a task's page, whose id the test cannot know)."""

    prefijo: str

    def __repr__(self):
        return f"302→{self.prefijo}…"


A_UNA_TAREA = RedireccionBajo("/tareas/")

_COMO_LOS_DEMAS = object()


def por_rol(anonimo, personal, coordinacion, administracion, sin_rol=_COMO_LOS_DEMAS) -> dict:
    """What each role gets. An account without role gets what every role gets when all three
    get the same (the login page's redirect, a public page, a 405), else 403, unless told."""
    if sin_rol is _COMO_LOS_DEMAS:
        roles = (personal, coordinacion, administracion)
        iguales = personal == coordinacion == administracion or all(
            isinstance(esperado, Redireccion | RedireccionBajo) for esperado in roles
        )
        sin_rol = administracion if iguales else 403
    return {
        ANONIMO: anonimo,
        PERSONAL: personal,
        COORDINACION: coordinacion,
        ADMINISTRACION: administracion,
        SIN_ROL: sin_rol,
    }


PUBLICA = por_rol(200, 200, 200, 200)
CON_SESION = por_rol(LOGIN, 200, 200, 200)
# A centre's pages: an account without role sees no centre (`centros_de_usuario`), so 404.
DE_CENTRO = por_rol(LOGIN, 200, 200, 200, sin_rol=404)
# Pages of the coordination (and of the administration, which does everything).
DE_COORDINACION = por_rol(LOGIN, 403, 200, 200)
DE_ADMINISTRACION = por_rol(LOGIN, 403, 403, 200)
# People's records (LOPDP): centre staff (their centres') and the administration.
DATOS_PERSONALES = por_rol(LOGIN, 200, 403, 200)
# Spreadsheet imports of monthly figures: centre staff (their centres') and the administration.
IMPORTA_CIFRAS = por_rol(LOGIN, 200, 403, 200)


@dataclass(frozen=True)
class Ruta:
    """One named URL: its arguments, the methods it acts on and what each role gets on a GET
    (`get`) and, for a URL that only acts on POST, on a POST (`post`, sent with `cuerpo`)."""

    get: dict
    kwargs: Callable = field(default=lambda d: {})
    metodos: tuple[str, ...] = ("GET",)
    post: dict | None = None
    consulta: str = ""
    # The body of a POST that would change something (for the CSRF walk); empty otherwise.
    cuerpo: Callable = field(default=lambda d: {})
    # A file download: not parsed for links.
    descarga: bool = False


def _de_coordinacion(kwargs=lambda d: {}, **otros) -> Ruta:
    return Ruta(get=DE_COORDINACION, kwargs=kwargs, **otros)


def _de_administracion(kwargs=lambda d: {}, **otros) -> Ruta:
    return Ruta(get=DE_ADMINISTRACION, kwargs=kwargs, metodos=("GET", "POST"), **otros)


def _anio(d):
    return {"anio": ANIO}


ACCESO: dict[str, Ruta] = {
    # --- casmul: home, login, logout ---
    "inicio": Ruta(get=CON_SESION),
    # Each person's own choice of notices: nobody else's to read or change.
    "mis_avisos": Ruta(get=CON_SESION, metodos=("GET", "POST"), cuerpo=lambda d: {}),
    # A logged-in user who opens the login page goes home (redirect_authenticated_user).
    "login": Ruta(
        get=por_rol(200, a("inicio"), a("inicio"), a("inicio")),
        metodos=("GET", "POST"),
        cuerpo=lambda d: {"username": "personal", "password": CLAVE},
    ),
    # Django 5's LogoutView only logs out on POST.
    "logout": Ruta(
        get=por_rol(405, 405, 405, 405),
        metodos=("POST",),
        post=por_rol(a("login"), a("login"), a("login"), a("login")),
    ),
    # --- centros: monthly figures (staff: their centres; the coordination reads) ---
    "centros:anio": Ruta(
        get=DE_CENTRO, kwargs=lambda d: {"centro_id": d.centro_a.pk, "anio": ANIO}
    ),
    "centros:mes": Ruta(
        get=DE_CENTRO,
        kwargs=lambda d: {"centro_id": d.centro_a.pk, "anio": ANIO, "mes": 1},
        metodos=("GET", "POST"),
    ),
    "centros:completitud": _de_coordinacion(_anio),
    "centros:aprobar": Ruta(
        get=por_rol(LOGIN, 403, 405, 405),
        kwargs=_anio,
        metodos=("POST",),
        post=por_rol(
            LOGIN,
            403,
            a("centros:completitud", anio=lambda d: ANIO),
            a("centros:completitud", anio=lambda d: ANIO),
        ),
        cuerpo=lambda d: {"reportes": [d.reporte_a.pk]},
    ),
    "centros:plazo": Ruta(
        get=por_rol(LOGIN, 403, 405, 405),
        kwargs=_anio,
        metodos=("POST",),
        post=por_rol(
            LOGIN,
            403,
            a("centros:completitud", anio=lambda d: ANIO),
            a("centros:completitud", anio=lambda d: ANIO),
        ),
        cuerpo=lambda d: {"dia": 12},
    ),
    "centros:reabrir": _de_coordinacion(
        lambda d: {"reporte_id": d.reporte_a.pk},
        metodos=("GET", "POST"),
        cuerpo=lambda d: {"motivo": "Cifra mal digitada."},
    ),
    "centros:revisar": _de_coordinacion(
        lambda d: {"reporte_id": d.reporte_a.pk},
        metodos=("GET", "POST"),
        cuerpo=lambda d: {"version": d.reporte_a.version},
    ),
    "centros:enviar_borradores": Ruta(
        get=por_rol(LOGIN, 405, 405, 405),
        kwargs=lambda d: {"centro_id": d.centro_a.pk, "anio": ANIO},
        metodos=("POST",),
        post=por_rol(
            LOGIN,
            a("centros:anio", centro_id=lambda d: d.centro_a.pk, anio=lambda d: ANIO),
            403,
            a("centros:anio", centro_id=lambda d: d.centro_a.pk, anio=lambda d: ANIO),
            sin_rol=404,
        ),
    ),
    "centros:sin_atencion": Ruta(
        get=por_rol(LOGIN, 405, 405, 405),
        kwargs=lambda d: {"centro_id": d.centro_a.pk, "anio": ANIO},
        metodos=("POST",),
        post=por_rol(
            LOGIN,
            a("centros:anio", centro_id=lambda d: d.centro_a.pk, anio=lambda d: ANIO),
            403,
            a("centros:anio", centro_id=lambda d: d.centro_a.pk, anio=lambda d: ANIO),
            sin_rol=404,
        ),
        cuerpo=lambda d: {"desde": "2023-03-15", "hasta": "2023-05-30", "motivo": "Emergencia"},
    ),
    # --- centros: the nominal registry (personal data) ---
    "centros:beneficiarios": Ruta(get=DATOS_PERSONALES),
    "centros:beneficiarios_exportar": Ruta(
        get=DATOS_PERSONALES, consulta="formato=csv", descarga=True
    ),
    # The cédula is searched by POST: a GET is no search (405) for the roles that may search.
    "centros:beneficiarios_buscar": Ruta(
        get=por_rol(LOGIN, 405, 403, 405),
        metodos=("POST",),
        post=DATOS_PERSONALES,
        cuerpo=lambda d: {"cedula": d.persona_a.cedula},
    ),
    "centros:beneficiario_inscribir": Ruta(
        get=DATOS_PERSONALES,
        metodos=("GET", "POST"),
        cuerpo=lambda d: {
            "cedula": cedula_valida(909),
            "apellidos": "Nueva",
            "nombres": "Persona",
            "fecha_nacimiento": "2018-03-01",
            "sexo": "F",
            "grupo_prioritario": d.persona_a.grupo_prioritario,
            "centro": d.centro_a.pk,
            "desde": "2023-03-01",
        },
    ),
    "centros:beneficiarios_duplicados": Ruta(get=DE_ADMINISTRACION),
    # Counts only: the coordination's view of the registry.
    "centros:beneficiarios_resumen": _de_coordinacion(_anio),
    "centros:beneficiario": Ruta(
        get=DATOS_PERSONALES, kwargs=lambda d: {"beneficiario_id": d.persona_a.pk}
    ),
    "centros:beneficiario_exportar": Ruta(
        get=DE_ADMINISTRACION,
        kwargs=lambda d: {"beneficiario_id": d.persona_a.pk},
        descarga=True,
    ),
    "centros:beneficiario_anonimizar": _de_administracion(
        lambda d: {"beneficiario_id": d.persona_a.pk},
        cuerpo=lambda d: {"motivo": "Solicitud de eliminación, trámite 12."},
    ),
    "centros:inscripcion_salida": Ruta(
        get=DATOS_PERSONALES,
        kwargs=lambda d: {"inscripcion_id": d.inscripcion_a.pk},
        metodos=("GET", "POST"),
        cuerpo=lambda d: {"hasta": "2023-06-30", "motivo": "Cambio de domicilio"},
    ),
    # --- salud: the clinic's month (the staff of centre A are not the clinic's) ---
    "salud:mes": Ruta(
        get=por_rol(LOGIN, 404, 200, 200, sin_rol=404),
        kwargs=lambda d: {"centro_id": d.clinica.pk, "anio": ANIO, "mes": 1},
        metodos=("GET", "POST"),
    ),
    # --- convenios: the coordination reads, only the administration writes ---
    "convenios:lista": _de_coordinacion(),
    "convenios:detalle": _de_coordinacion(lambda d: {"convenio_id": d.convenio.pk}),
    "convenios:documento": _de_coordinacion(
        lambda d: {"convenio_id": d.convenio.pk}, descarga=True
    ),
    "convenios:crear": _de_administracion(
        cuerpo=lambda d: {"numero": "CONV-CSRF", "titulo": "Convenio sin token"}
    ),
    "convenios:editar": _de_administracion(lambda d: {"convenio_id": d.convenio.pk}),
    "convenios:renovar": _de_administracion(lambda d: {"convenio_id": d.convenio.pk}),
    # --- presupuesto: the coordination reads, only the administration writes ---
    "presupuesto:indice": _de_coordinacion(),
    "presupuesto:lineas": _de_coordinacion(),
    "presupuesto:linea_crear": _de_administracion(),
    "presupuesto:linea_editar": _de_administracion(lambda d: {"pk": d.linea.pk}),
    "presupuesto:institucional": _de_coordinacion(),
    "presupuesto:institucional_crear": _de_administracion(),
    "presupuesto:institucional_editar": _de_administracion(lambda d: {"pk": d.institucional.pk}),
    "presupuesto:gastos": _de_coordinacion(),
    "presupuesto:gasto_crear": _de_administracion(
        cuerpo=lambda d: {"anio": "2025", "concepto": "Gasto sin token", "monto": "10,00"}
    ),
    "presupuesto:gasto_editar": _de_administracion(lambda d: {"pk": d.gasto.pk}),
    "presupuesto:procesos": _de_coordinacion(),
    "presupuesto:proceso_crear": _de_administracion(),
    "presupuesto:proceso_editar": _de_administracion(lambda d: {"pk": d.proceso.pk}),
    # --- rendicion: the coordination's report (and the administration's) ---
    "rendicion:indice": _de_coordinacion(),
    "rendicion:informe": _de_coordinacion(_anio),
    "rendicion:informe_pdf": _de_coordinacion(_anio, metodos=("GET", "POST"), descarga=True),
    "rendicion:tabla_exportar": _de_coordinacion(
        lambda d: {"anio": ANIO, "tabla": "tabla-01", "formato": "csv"}, descarga=True
    ),
    "rendicion:textos_editar": _de_coordinacion(_anio, metodos=("GET", "POST")),
    "rendicion:publicar": _de_coordinacion(
        _anio,
        metodos=("GET", "POST"),
        cuerpo=lambda d: {"accion": "abrir", "motivo": "Fe de erratas sin token."},
    ),
    "rendicion:detalle_usuarios": _de_coordinacion(
        lambda d: {"anio": ANIO, "centro_id": d.centro_a.pk}
    ),
    "rendicion:detalle_presupuesto": _de_coordinacion(
        lambda d: {"anio": ANIO, "area_id": d.linea.area_id}
    ),
    "rendicion:detalle_contratacion": _de_coordinacion(
        lambda d: {"anio": ANIO, "tipo": d.proceso.tipo_id}
    ),
    "rendicion:detalle_usuarios_area": _de_coordinacion(
        lambda d: {"anio": ANIO, "area": d.centro_a.area.codigo}
    ),
    "rendicion:detalle_clinica": _de_coordinacion(_anio),
    "rendicion:detalle_clinica_servicio": _de_coordinacion(
        lambda d: {"anio": ANIO, "servicio": "consulta_externa"}
    ),
    "rendicion:detalle_convenios": _de_coordinacion(_anio),
    "rendicion:detalle_presupuesto_total": _de_coordinacion(_anio),
    "rendicion:detalle_contratacion_total": _de_coordinacion(_anio),
    "rendicion:comparacion": _de_coordinacion(_anio),
    # A centre's page: the coordination, the administration and that centre's staff.
    "rendicion:centro": Ruta(get=DE_CENTRO, kwargs=lambda d: {"centro_id": d.centro_a.pk}),
    # The CPCCS form, its files, and its link check (a task: its page follows).
    "rendicion:cpccs": _de_coordinacion(_anio),
    "rendicion:cpccs_xlsx": _de_coordinacion(_anio, descarga=True),
    "rendicion:cpccs_pdf": _de_coordinacion(_anio, descarga=True),
    "rendicion:cpccs_enlaces": Ruta(
        get=por_rol(LOGIN, 403, 405, 405),
        kwargs=_anio,
        metodos=("POST",),
        post=por_rol(LOGIN, 403, A_UNA_TAREA, A_UNA_TAREA),
    ),
    # --- participacion: the process around the report, the coordination's ---
    "participacion:anio": _de_coordinacion(
        _anio, metodos=("GET", "POST"), cuerpo=lambda d: {"abrir": "1"}
    ),
    "participacion:evidencia_subir": Ruta(
        get=por_rol(LOGIN, 403, 405, 405),
        kwargs=_anio,
        metodos=("POST",),
        post=por_rol(
            LOGIN,
            403,
            a("participacion:anio", anio=lambda d: ANIO),
            a("participacion:anio", anio=lambda d: ANIO),
        ),
        cuerpo=lambda d: {"evidencia-titulo": "Sin token", "evidencia-url": "https://x.ec/a"},
    ),
    "participacion:deliberacion": _de_coordinacion(_anio, metodos=("GET", "POST")),
    "participacion:registros": _de_coordinacion(_anio, metodos=("GET", "POST")),
    "participacion:sugerencia": _de_coordinacion(
        lambda d: {"sugerencia_id": d.sugerencia.pk}, metodos=("GET", "POST")
    ),
    # Public documents of the process: evidence files and the plan de trabajo.
    "evidencia": Ruta(
        get=PUBLICA, kwargs=lambda d: {"evidencia_id": d.evidencia.pk}, descarga=True
    ),
    "plan_de_trabajo": Ruta(get=PUBLICA, kwargs=_anio),
    "rendicion:informe_crear": _de_coordinacion(
        metodos=("GET", "POST"), cuerpo=lambda d: {"anio": "2024"}
    ),
    # --- publicaciones: the published reports are public; verifying a file needs a session ---
    "publicaciones:archivo": Ruta(get=PUBLICA),
    # README: «cualquiera, sin ingresar, lista y descarga las versiones publicadas (y nada
    # más)»; tests/rendicion/test_publicacion.py pins the login page for the anonymous.
    "publicaciones:verificar": Ruta(get=PUBLICA, metodos=("GET", "POST")),
    "publicaciones:descargar": Ruta(
        get=PUBLICA,
        kwargs=lambda d: {"anio": ANIO, "version": d.publicacion.version, "tipo": "pdf"},
        descarga=True,
    ),
    # --- importar: staff import their centres' figures; the coordination imports nothing ---
    "importar_plantilla": Ruta(
        get=IMPORTA_CIFRAS, kwargs=lambda d: {"tipo": "cifras"}, descarga=True
    ),
    "importar_indice": Ruta(get=IMPORTA_CIFRAS),
    "importar_tipo": Ruta(
        get=IMPORTA_CIFRAS, kwargs=lambda d: {"tipo": "cifras"}, metodos=("GET", "POST")
    ),
    # require_POST comes before the login check: a GET is 405 even for the anonymous.
    "importar_confirmar": Ruta(
        get=por_rol(405, 405, 405, 405),
        kwargs=lambda d: {"tipo": "cifras"},
        metodos=("POST",),
        post=por_rol(
            LOGIN,
            a("importar_tipo", tipo=lambda d: "cifras"),
            403,
            a("importar_tipo", tipo=lambda d: "cifras"),
        ),
        cuerpo=lambda d: {"token": "falso"},
    ),
    # --- tareas: each role its own task (another's is a 404: `test_tasks_of_others`) ---
    "tarea_estado": Ruta(get=CON_SESION, kwargs=lambda d: {"tarea_id": d.tarea}),
    "tarea": Ruta(get=CON_SESION, kwargs=lambda d: {"tarea_id": d.tarea}),
    "tarea_archivo": Ruta(get=CON_SESION, kwargs=lambda d: {"tarea_id": d.tarea}, descarga=True),
    # A finished task is not run again: its page again.
    "tarea_reintentar": Ruta(
        get=por_rol(LOGIN, 405, 405, 405),
        kwargs=lambda d: {"tarea_id": d.tarea},
        metodos=("POST",),
        post=por_rol(
            LOGIN,
            a("tarea", tarea_id=lambda d: d.tarea),
            a("tarea", tarea_id=lambda d: d.tarea),
            a("tarea", tarea_id=lambda d: d.tarea),
        ),
    ),
}


# --- Test data -------------------------------------------------------------------------------


def _datos() -> SimpleNamespace:
    """On top of the 2023 fixtures: one user per role (staff of centre A only), three people
    with known cédulas (two enrolled in A, one only in B), an agreement with its signed PDF, a
    published 2023 version and a finished task of each user."""
    d = SimpleNamespace()
    d.centro_a = Centro.objects.get(numero=1)
    d.centro_b = Centro.objects.get(numero=2)
    d.clinica = Centro.objects.get(numero=13)
    d.usuarios = {
        PERSONAL: usuario_con_rol_guardar(
            username="personal", password=CLAVE, rol=Rol.PERSONAL_CENTRO, centro_ids=[d.centro_a.pk]
        ),
        COORDINACION: usuario_con_rol_guardar(
            username="coordinacion", password=CLAVE, rol=Rol.COORDINACION
        ),
        ADMINISTRACION: usuario_con_rol_guardar(
            username="administracion", password=CLAVE, rol=Rol.ADMINISTRACION
        ),
        SIN_ROL: UserFactory(username="sin_rol"),
    }
    d.inscripcion_a = InscripcionFactory(
        centro=d.centro_a, beneficiario__cedula=cedula_valida(101), beneficiario__apellidos="Propia"
    )
    d.persona_a = d.inscripcion_a.beneficiario
    InscripcionFactory(centro=d.centro_a, beneficiario__cedula=cedula_valida(102))
    d.inscripcion_b = InscripcionFactory(
        centro=d.centro_b, beneficiario__cedula=cedula_valida(202), beneficiario__apellidos="Ajena"
    )
    d.persona_b = d.inscripcion_b.beneficiario
    d.otra = BeneficiarioFactory(cedula=cedula_valida(303))  # enrolled nowhere
    d.cedulas = [cedula_valida(n) for n in (101, 102, 202, 303)]
    d.reporte_a = ReporteMensual.objects.get(centro=d.centro_a, anio=ANIO, mes=1)
    d.reporte_b = ReporteMensual.objects.get(centro=d.centro_b, anio=ANIO, mes=1)
    d.convenio = ConvenioFactory(centros=[d.centro_a])
    d.convenio.documento.save("firmado.pdf", ContentFile(b"%PDF-1.7 convenio"), save=True)
    d.linea = LineaPresupuestaria.objects.order_by("pk").first()
    d.gasto = GastoComun.objects.order_by("pk").first()
    d.institucional = PresupuestoInstitucional.objects.order_by("pk").first()
    d.proceso = ProcesoContratacion.objects.order_by("pk").first()
    d.publicacion = PublicacionFactory(anio=ANIO, version=1, publicado_por=d.usuarios[COORDINACION])
    d.evidencia = Evidencia.objects.create(
        anio=ANIO, titulo="Acta", archivo=ContentFile(b"%PDF-1.7 acta", name="acta.pdf")
    )
    d.sugerencia = Sugerencia.objects.create(
        deliberacion=Deliberacion.objects.create(
            anio=ANIO, fecha=datetime.date(2024, 5, 28), lugar="Loja", acta=d.evidencia
        ),
        texto="Ampliar el horario",
    )
    d.tareas = {
        rol: tarea_de_prueba.enqueue(usuario_id=usuario.pk).id
        for rol, usuario in d.usuarios.items()
    }
    # The anonymous ask for the coordination's task.
    d.tareas[ANONIMO] = d.tareas[COORDINACION]
    d.tarea = None
    return d


def _cliente(d, rol: str, **opciones) -> Client:
    cliente = Client(**opciones)
    if rol != ANONIMO:
        cliente.force_login(d.usuarios[rol])
    return cliente


def _url(nombre: str, ruta: Ruta, d) -> str:
    url = reverse(nombre, kwargs=ruta.kwargs(d))
    return f"{url}?{ruta.consulta}" if ruta.consulta else url


# --- Comparing a response with its expectation -----------------------------------------------


def _obtenido(respuesta) -> str:
    if respuesta.status_code in (301, 302, 303):
        return f"{respuesta.status_code}→{respuesta['Location']}"
    return str(respuesta.status_code)


def _cumple(respuesta, esperado, url: str, d) -> bool:
    if isinstance(esperado, int):
        return respuesta.status_code == esperado
    if respuesta.status_code not in (302, 303):
        return False
    destino = urlsplit(respuesta["Location"])
    if esperado is LOGIN:
        return destino.path == reverse("login") and parse_qs(destino.query).get("next") == [url]
    if isinstance(esperado, RedireccionBajo):
        return destino.path.startswith(esperado.prefijo)
    return destino.path == esperado.destino(d)


def _descripcion(esperado, d) -> str:
    if isinstance(esperado, Redireccion):
        return f"302→{esperado.destino(d)}"
    return repr(esperado)


def _pedir(cliente, metodo: str, url: str, cuerpo: dict):
    respuesta = cliente.post(url, cuerpo) if metodo == "POST" else cliente.get(url)
    if respuesta.streaming:
        # Read to the end: the test client then closes the file. (Never call close() here:
        # it sends request_finished, whose handler closes the test's database connection.)
        b"".join(respuesta.streaming_content)
    return respuesta


# --- Links in a page -------------------------------------------------------------------------

ATRIBUTO_URL = re.compile(r"^(href|action|formaction|src|data-[\w-]*url)$")


class _Enlaces(HTMLParser):
    def __init__(self):
        super().__init__()
        self.valores: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.valores += [v for k, v in attrs if v and ATRIBUTO_URL.match(k)]


def enlaces(html: str) -> list[str]:
    lector = _Enlaces()
    lector.feed(html)
    return lector.valores


def _formas_de_la_cedula(cedula: str) -> list[str]:
    return [cedula, f"{cedula[:9]}-{cedula[9]}"]


# --- The inventory ---------------------------------------------------------------------------


def _nombres_del_resolver(resolver=None, espacio: str = "") -> set[str]:
    nombres = set()
    for patron in (resolver or get_resolver()).url_patterns:
        if isinstance(patron, URLResolver):
            if patron.namespace == "admin":
                continue  # the admin's own pages: `test_the_admin_is_the_administrations_alone`
            interno = ":".join(filter(None, [espacio, patron.namespace]))
            nombres |= _nombres_del_resolver(patron, interno)
        elif isinstance(patron, URLPattern) and patron.name:
            nombres.add(f"{espacio}:{patron.name}" if espacio else patron.name)
    return nombres


def test_the_table_covers_every_named_url():
    """A new URL without its row in ACCESO fails here: decide who may reach it."""
    nombres = _nombres_del_resolver()

    assert sorted(nombres - set(ACCESO)) == [], "URLs sin fila en ACCESO"
    assert sorted(set(ACCESO) - nombres) == [], "filas de ACCESO sin URL"
    for nombre, ruta in ACCESO.items():
        assert set(ruta.get) == set(ROLES), nombre
        assert (ruta.post is not None) == ("GET" not in ruta.metodos), nombre
        assert set(ruta.metodos) <= {"GET", "POST"}, nombre


# --- Every URL × every role ------------------------------------------------------------------


def _recorrer(d, rol: str) -> tuple[list, list]:
    """GETs every URL (and POSTs those that only act on POST) as `rol`: the mismatches with
    ACCESO, and the successful HTML responses with their URL (for the cédula check)."""
    d.tarea = d.tareas[rol]
    cliente = _cliente(d, rol)
    errores, paginas = [], []
    for nombre, ruta in ACCESO.items():
        url = _url(nombre, ruta, d)
        pedidos = [("GET", ruta.get[rol], {})]
        if ruta.post is not None:
            pedidos.append(("POST", ruta.post[rol], ruta.cuerpo(d)))
        for metodo, esperado, cuerpo in pedidos:
            # A POST that logs out must not end the session the walk goes on with.
            quien = _cliente(d, rol) if nombre == "logout" else cliente
            respuesta = _pedir(quien, metodo, url, cuerpo)
            if not _cumple(respuesta, esperado, url, d):
                errores.append((rol, metodo, url, _obtenido(respuesta), _descripcion(esperado, d)))
            if respuesta.status_code in (301, 302, 303):
                paginas.append((metodo, url, "", respuesta["Location"]))
            elif (
                respuesta.status_code == 200
                and not ruta.descarga
                and respuesta.get("Content-Type", "").startswith("text/html")
            ):
                paginas.append((metodo, url, respuesta.content.decode(), ""))
    return errores, paginas


def _informe(errores) -> str:
    return "\n".join(
        f"  {rol:<15} {metodo:<4} {url}  obtuvo {obtenido}, se esperaba {esperado}"
        for rol, metodo, url, obtenido, esperado in errores
    )


@pytest.mark.parametrize("rol", ROLES)
def test_every_url_answers_each_role_as_the_table_says(rol):
    d = _datos()

    errores, _ = _recorrer(d, rol)

    assert not errores, f"{len(errores)} respuestas distintas de ACCESO:\n{_informe(errores)}"


@pytest.mark.parametrize("rol", ROLES)
def test_no_url_the_portal_generates_holds_a_cedula(rol):
    """In every link, form action, source and data-…-url of every page a role opens (the
    cédula search's result among them) and in every redirect, no cédula, with or without the
    hyphen before its check digit."""
    d = _datos()
    _, paginas = _recorrer(d, rol)
    cliente = _cliente(d, rol)
    # A cédula typed in the list's name box is sent back out of the URL.
    if rol in (PERSONAL, ADMINISTRACION):
        for cedula in d.cedulas[:1]:
            url = f"{reverse('centros:beneficiarios')}?nombre={cedula}"
            respuesta = cliente.get(url)
            paginas.append(("GET", url, "", respuesta.get("Location", "")))
            if respuesta.status_code in (302, 303):
                siguiente = cliente.get(respuesta["Location"])
                paginas.append(("GET", respuesta["Location"], siguiente.content.decode(), ""))

    formas = [forma for cedula in d.cedulas for forma in _formas_de_la_cedula(cedula)]
    hallados = [
        (metodo, url, valor)
        for metodo, url, html, redireccion in paginas
        for valor in [*enlaces(html), redireccion]
        if any(forma in valor for forma in formas)
    ]

    assert len(paginas) >= 5  # the walk did open pages
    assert not hallados, hallados


def test_centre_staff_reach_nothing_of_another_centre():
    """Staff of centre A on every URL that names centre B or its people: 404 (or 403 where the
    page is not theirs at all), never a page, never a redirect; and nothing changes."""
    d = _datos()
    d.tarea = d.tareas[COORDINACION]  # another user's task
    cliente = _cliente(d, PERSONAL)
    b = d.centro_b.pk
    ajenos = [
        ("GET", reverse("centros:anio", args=[b, ANIO]), {}, 404),
        ("GET", reverse("centros:mes", args=[b, ANIO, 1]), {}, 404),
        ("POST", reverse("centros:mes", args=[b, ANIO, 1]), {"version": 1}, 404),
        ("POST", reverse("centros:enviar_borradores", args=[b, ANIO]), {}, 404),
        (
            "POST",
            reverse("centros:sin_atencion", args=[b, ANIO]),
            {"desde": "2023-03-15", "hasta": "2023-05-30", "motivo": "Emergencia"},
            404,
        ),
        ("GET", reverse("salud:mes", args=[b, ANIO, 1]), {}, 404),
        ("GET", reverse("salud:mes", args=[d.clinica.pk, ANIO, 1]), {}, 404),
        ("POST", reverse("salud:mes", args=[d.clinica.pk, ANIO, 1]), {"version": 1}, 404),
        ("GET", reverse("centros:beneficiario", args=[d.persona_b.pk]), {}, 404),
        ("GET", reverse("centros:beneficiario", args=[d.otra.pk]), {}, 404),
        ("GET", reverse("centros:inscripcion_salida", args=[d.inscripcion_b.pk]), {}, 404),
        (
            "POST",
            reverse("centros:inscripcion_salida", args=[d.inscripcion_b.pk]),
            {"hasta": "2023-06-30"},
            404,
        ),
        ("GET", reverse("centros:beneficiario_exportar", args=[d.persona_b.pk]), {}, 403),
        ("GET", reverse("centros:beneficiario_anonimizar", args=[d.persona_b.pk]), {}, 403),
        (
            "POST",
            reverse("centros:beneficiario_anonimizar", args=[d.persona_b.pk]),
            {"motivo": "x"},
            403,
        ),
        ("GET", reverse("centros:revisar", args=[d.reporte_b.pk]), {}, 403),
        ("GET", reverse("centros:reabrir", args=[d.reporte_b.pk]), {}, 403),
        ("POST", reverse("centros:reabrir", args=[d.reporte_b.pk]), {"motivo": "x"}, 403),
        ("GET", reverse("rendicion:centro", args=[b]), {}, 404),
        ("GET", reverse("rendicion:detalle_usuarios", args=[ANIO, b]), {}, 403),
        ("GET", reverse("tarea", args=[d.tarea]), {}, 404),
        ("GET", reverse("tarea_estado", args=[d.tarea]), {}, 404),
        ("GET", reverse("tarea_archivo", args=[d.tarea]), {}, 404),
        ("POST", reverse("tarea_reintentar", args=[d.tarea]), {}, 404),
    ]
    antes = _instantanea()

    errores = []
    for metodo, url, cuerpo, esperado in ajenos:
        respuesta = _pedir(cliente, metodo, url, cuerpo)
        if respuesta.status_code != esperado:
            errores.append((PERSONAL, metodo, url, _obtenido(respuesta), str(esperado)))
    # Filtering by centre B's id shows none of its people, on screen or in the download.
    lista = cliente.get(reverse("centros:beneficiarios"), {"centro": b}).content.decode()
    descarga = cliente.get(
        reverse("centros:beneficiarios_exportar"), {"centro": b, "formato": "csv"}
    ).content.decode("utf-8-sig")

    assert not errores, f"{len(errores)} accesos a otro centro:\n{_informe(errores)}"
    assert "Ajena" not in lista and "Ajena" not in descarga
    assert _instantanea() == antes


@pytest.mark.parametrize(
    ("rol", "esperado"),
    [(PERSONAL, 404), (COORDINACION, 404), (ADMINISTRACION, 200), (SIN_ROL, 404)],
)
def test_tasks_of_others_are_seen_only_by_the_administration(rol, esperado):
    d = _datos()
    ajena = d.tareas[PERSONAL if rol != PERSONAL else COORDINACION]
    cliente = _cliente(d, rol)

    obtenidos = {
        nombre: _pedir(cliente, "GET", reverse(nombre, args=[ajena]), {}).status_code
        for nombre in ("tarea", "tarea_estado", "tarea_archivo")
    }

    assert obtenidos == dict.fromkeys(obtenidos, esperado)


@pytest.mark.parametrize(
    ("rol", "esperado"),
    [(ANONIMO, 302), (PERSONAL, 302), (COORDINACION, 302), (ADMINISTRACION, 200), (SIN_ROL, 302)],
)
def test_the_admin_is_the_administrations_alone(rol, esperado):
    """`casmul.admin_sitio`: any other role (the coordination is staff) is sent to the
    admin's login, which then refuses it by name (test_autenticacion.py)."""
    d = _datos()

    respuesta = _cliente(d, rol).get("/admin/")

    assert respuesta.status_code == esperado
    if esperado == 302:
        assert urlsplit(respuesta["Location"]).path == reverse("admin:login")


@pytest.mark.parametrize(
    "siguiente", ["https://otro.example/", "//otro.example/", "/\\otro.example"]
)
def test_the_login_sends_nobody_off_the_portal(siguiente):
    """The `next` of the login page (the one every redirect above carries) stays in the
    portal: another site's address is dropped for the home page."""
    d = _datos()
    cliente = Client()

    respuesta = cliente.post(
        f"{reverse('login')}?next={siguiente}",
        {"username": d.usuarios[PERSONAL].username, "password": CLAVE, "next": siguiente},
    )

    assert respuesta.status_code == 302
    assert respuesta["Location"] == reverse("inicio")


# --- CSRF on every POST ----------------------------------------------------------------------


def _instantanea() -> dict:
    """Rows of every model of the portal's apps (their change history too) and of users, the
    months' versions, the enrolments' exits, the tasks run and the people's names."""
    modelos = [
        modelo
        for etiqueta in (
            "centros",
            "salud",
            "convenios",
            "presupuesto",
            "participacion",
            "rendicion",
            "auth",
        )
        for modelo in apps.get_app_config(etiqueta).get_models()
    ]
    foto = {modelo._meta.label: modelo._default_manager.count() for modelo in modelos}
    foto["versiones"] = ReporteMensual.objects.aggregate(v=Sum("version"))["v"]
    foto["salidas"] = Inscripcion.objects.filter(hasta__isnull=False).count()
    foto["estados"] = sorted(ReporteMensual.objects.values_list("pk", "estado"))
    foto["convenios"] = sorted(Convenio.objects.values_list("pk", "numero", "titulo"))
    foto["tareas"] = len(getattr(default_task_backend, "resultados", {}))
    return foto


def _rol_que_postea(ruta: Ruta) -> str:
    """The role allowed to POST there: one that gets the page (the anonymous, on the login
    page), else one that the POST sends on to another page."""
    esperados = ruta.post or ruta.get
    orden = (ADMINISTRACION, PERSONAL, COORDINACION, ANONIMO)
    for aceptado in (lambda e: e == 200, lambda e: isinstance(e, Redireccion | RedireccionBajo)):
        for rol in orden:
            if aceptado(esperados[rol]):
                return rol
    raise AssertionError("nadie puede enviar a esta URL")


def test_a_post_without_the_csrf_token_is_refused_and_changes_nothing():
    """Every URL, as a role allowed there: the URLs that act on POST with a body that would
    change something, and the read-only pages too (most of them answer a POST with the
    page, see the test below): the middleware refuses them all before the view."""
    d = _datos()
    errores = []
    for nombre, ruta in ACCESO.items():
        rol = _rol_que_postea(ruta)
        d.tarea = d.tareas[rol]
        cliente = _cliente(d, rol, enforce_csrf_checks=True)
        url = _url(nombre, ruta, d)
        antes = _instantanea()

        respuesta = _pedir(cliente, "POST", url, ruta.cuerpo(d))

        if respuesta.status_code != 403 or "CSRF" not in respuesta.content.decode():
            errores.append((rol, "POST", url, _obtenido(respuesta), "403 CSRF"))
        elif _instantanea() != antes:
            errores.append((rol, "POST", url, "403 pero cambió la base", "sin cambios"))
        # No session opened (the login page) nor closed (the logout) either.
        if ("_auth_user_id" in cliente.session) != (rol != ANONIMO):
            errores.append((rol, "POST", url, "cambió la sesión", "la misma sesión"))

    assert not errores, f"{len(errores)} POST sin token aceptados:\n{_informe(errores)}"


def test_a_post_to_a_read_only_url_changes_nothing():
    """The URLs that act on GET only, POSTed (with its token) by a role that may read them:
    refused (405), and nothing changes."""
    d = _datos()
    errores = []
    for nombre, ruta in ACCESO.items():
        if "POST" in ruta.metodos:
            continue
        rol = _rol_que_postea(ruta)
        d.tarea = d.tareas[rol]
        url = _url(nombre, ruta, d)
        antes = _instantanea()

        respuesta = _pedir(_cliente(d, rol), "POST", url, {})

        if respuesta.status_code != 405:
            errores.append((rol, "POST", url, _obtenido(respuesta), "405"))
        elif _instantanea() != antes:
            errores.append((rol, "POST", url, "cambió la base", "sin cambios"))

    assert not errores, _informe(errores)


def test_the_same_post_with_its_token_goes_through():
    """The control of the test above: with the token the page's form carries, the exit is
    recorded (so a 403 there is the missing token, not the role)."""
    d = _datos()
    cliente = _cliente(d, PERSONAL, enforce_csrf_checks=True)
    url = reverse("centros:inscripcion_salida", args=[d.inscripcion_a.pk])
    formulario = cliente.get(url).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', formulario).group(1)

    salida = {"hasta": "2023-06-30", "motivo": "Cambio de domicilio"}
    sin_token = cliente.post(url, salida)
    con_token = cliente.post(url, {**salida, "csrfmiddlewaretoken": token})

    d.inscripcion_a.refresh_from_db()
    assert sin_token.status_code == 403
    assert con_token.status_code == 302
    assert str(d.inscripcion_a.hasta) == "2023-06-30"
