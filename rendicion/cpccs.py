"""The CPCCS rendición de cuentas form of a year, filled from the portal's records: one section
per block of the form, in its order, each saying where its values come from, and every row with
its «link al medio de verificación» (or «NO APLICA» where the form allows it).

Rows computed from the records link to the documents the year's publication stores with their
SHA-256: the report's PDF and workbook, and the form's own workbook, whose sheet of processes
is the drill-down of the procurement rows. Rows kept by hand link to their evidence."""

from dataclasses import dataclass, field
from decimal import Decimal

import tablib
from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse

from casmul.direcciones import direccion_publica
from casmul.exportar import libro
from casmul.formato import dinero, numero, porcentaje
from centros.selectors import informe as centros
from participacion import selectors as participacion
from presupuesto import selectors as presupuesto

from .documento import pdf_de_html
from .models import Publicacion
from .selectors import publicacion_vigente

NO_APLICA = "NO APLICA"
SI, NO = "SÍ", "NO"


@dataclass(frozen=True)
class Enlace:
    """A row's link to its evidence. `sha256` is the document recorded for it ("" when the
    portal has none to compare: an external address, a publication still to come)."""

    url: str
    sha256: str = ""
    nota: str = ""

    @property
    def no_aplica(self) -> bool:
        return self.url == NO_APLICA


SIN_EVIDENCIA = None  # a row kept by hand whose evidence is still missing


@dataclass(frozen=True)
class Fila:
    valores: tuple
    enlace: Enlace | None

    @property
    def falta_evidencia(self) -> bool:
        return self.enlace is None


@dataclass(frozen=True)
class Seccion:
    slug: str
    titulo: str
    origen: str  # where its values come from, in the coordination's words
    columnas: tuple[str, ...]
    filas: list[Fila]
    notas: list[str] = field(default_factory=list)

    @property
    def faltan(self) -> int:
        return sum(1 for fila in self.filas if fila.falta_evidencia)


@dataclass(frozen=True)
class FormularioCpccs:
    anio: int
    publicacion: Publicacion | None
    secciones: list[Seccion]

    @property
    def filas_sin_evidencia(self) -> list[tuple[Seccion, Fila]]:
        return [(s, f) for s in self.secciones for f in s.filas if f.falta_evidencia]

    def enlaces(self) -> list[tuple[str, Enlace]]:
        """Every link of the form to open, once each, with the first row that names it."""
        vistos: dict[str, tuple[str, Enlace]] = {}
        for seccion in self.secciones:
            for fila in seccion.filas:
                if fila.enlace is None or fila.enlace.no_aplica:
                    continue
                descripcion = f"{seccion.titulo}: {fila.valores[0]}"
                vistos.setdefault(fila.enlace.url, (descripcion, fila.enlace))
        return list(vistos.values())


# --- Links to the year's publication -------------------------------------------------------


def _enlace_publicado(anio: int, publicacion: Publicacion | None, tipo: str) -> Enlace:
    """The link to one of the files of the publication in force (`tipo`: pdf, libro,
    cpccs); before the year is published, the address its first version will have."""
    version = publicacion.version if publicacion else 1
    url = direccion_publica(reverse("publicaciones:descargar", args=[anio, version, tipo]))
    if publicacion is None:
        return Enlace(url, nota="Se publica con el informe (versión 1).")
    return Enlace(url, sha256=getattr(publicacion, f"{tipo}_sha256"))


def _enlace_evidencia(evidencia) -> Enlace | None:
    if evidencia is None:
        return SIN_EVIDENCIA
    if evidencia.archivo:
        return Enlace(direccion_publica(evidencia.enlace), sha256=evidencia.sha256)
    return Enlace(evidencia.url)


def _si_no(valor: bool) -> str:
    return SI if valor else NO


# --- The sections --------------------------------------------------------------------------


def _datos_generales(anio: int) -> Seccion:
    datos = participacion.datos_institucionales(anio=anio)
    columnas = ("Campo", "Valor")
    origen = "Datos institucionales del año, que mantiene la Administración."
    if datos is None:
        return Seccion(
            "datos-generales",
            "Datos generales",
            origen,
            columnas,
            [Fila(("Datos institucionales", f"Sin registrar para {anio}"), SIN_EVIDENCIA)],
        )
    filas = [
        ("Institución", datos.institucion),
        ("RUC", datos.ruc),
        ("Función / pertenece a", datos.funcion),
        ("Período", f"01/01/{anio} – 31/12/{anio}"),
        ("Representante legal", f"{datos.representante_legal}, {datos.representante_cargo}"),
        (
            "Responsable del proceso de rendición de cuentas",
            f"{datos.responsable_proceso}, {datos.responsable_proceso_cargo}",
        ),
        (
            "Responsable del registro del informe en el sistema",
            f"{datos.responsable_registro}, {datos.responsable_registro_cargo}",
        ),
    ]
    return Seccion(
        "datos-generales",
        "Datos generales",
        origen,
        columnas,
        [Fila(valores, Enlace(NO_APLICA)) for valores in filas],
    )


def _cobertura(anio: int, publicacion: Publicacion | None) -> Seccion:
    conteo = centros.centros_por_area(anio=anio)
    usuarios = centros.usuarios_por_centro(anio=anio)
    todos: dict[int, int] = {}
    por_suma: dict[int, int] = {}
    for fila in usuarios.filas:
        todos[fila.area_id] = todos.get(fila.area_id, 0) + fila.usuarios
        if fila.flujo:
            por_suma[fila.area_id] = por_suma.get(fila.area_id, 0) + fila.usuarios
    parroquias = centros.parroquias_del_anio(anio=anio)
    registro = centros.personas_por_sexo_y_grupo(anio=anio)
    informe = _enlace_publicado(anio, publicacion, "pdf")

    def cifra(suma: dict[int, int], area_id: int) -> str:
        return numero(suma[area_id]) if area_id in suma else "—"

    filas = [
        Fila(
            (
                area.area,
                numero(area.centros),
                cifra(todos, area.area_id),
                cifra(por_suma, area.area_id),
            ),
            informe,
        )
        for area in conteo.por_area
        if area.centros
    ]
    filas.append(
        Fila(
            (
                "Total",
                numero(conteo.total),
                numero(usuarios.total),
                numero(sum(por_suma.values())),
            ),
            informe,
        )
    )
    filas.append(Fila(("Parroquias cubiertas", numero(len(parroquias)), "—", "—"), informe))
    notas = [
        "Usuarios: la cifra de usuarios de cada centro en sus meses aprobados, con la regla "
        "anual de su indicador, la misma de las tablas del informe. Donde esa regla suma los "
        "meses (ingresos a la piscina, participantes de eventos) la cifra cuenta ingresos o "
        "participaciones, no personas distintas: la última columna dice cuántos. La clínica "
        "cuenta atenciones y no se incluye.",
        f"Parroquias: {', '.join(parroquias) or 'ninguna registrada'}.",
    ]
    if registro.personas:
        por_sexo = ", ".join(f"{nombre}: {numero(valor)}" for nombre, valor in registro.por_sexo)
        por_grupo = ", ".join(f"{nombre}: {numero(valor)}" for nombre, valor in registro.por_grupo)
        notas.append(
            f"Por sexo y grupo de atención prioritaria, del registro nominal de "
            f"{numero(registro.centros)} centros ({numero(registro.personas)} personas): "
            f"{por_sexo}; {por_grupo}. Los demás centros no llevan registro nominal: sus "
            "usuarios no se desagregan por sexo."
        )
    else:
        notas.append(
            "Ningún centro llevó el registro nominal este año: los usuarios no se desagregan "
            "por sexo ni por grupo de atención prioritaria."
        )
    return Seccion(
        "cobertura",
        "Cobertura institucional",
        "Centros en operación en el año por área y sus cifras de usuarios aprobadas "
        "(Tablas 1 y 6 del informe); parroquias de los centros.",
        ("Área", "Unidades de atención", "Usuarios", "De ellos, ingresos o participaciones"),
        filas,
        notas,
    )


def _presupuesto(anio: int, publicacion: Publicacion | None) -> Seccion:
    tabla = presupuesto.presupuesto_por_area(anio=anio)
    libro = _enlace_publicado(anio, publicacion, "libro")

    def fila(nombre, codificado: Decimal, ejecutado: Decimal) -> Fila:
        cumplimiento = porcentaje(ejecutado / codificado) if codificado else "—"
        return Fila(
            ("Programa", nombre, dinero(codificado), dinero(ejecutado), cumplimiento), libro
        )

    filas = [fila(f.area, f.codificado, f.ejecutado) for f in tabla.filas]
    filas.append(fila("Total", tabla.total, tabla.total_ejecutado))
    return Seccion(
        "presupuesto",
        "Cumplimiento de ejecución presupuestaria",
        "Líneas presupuestarias del año por área: la Tabla 11 del informe.",
        (
            "Tipo",
            "Descripción",
            "Presupuesto codificado",
            "Presupuesto ejecutado",
            "% cumplimiento",
        ),
        filas,
    )


def _contratacion(anio: int, publicacion: Publicacion | None) -> Seccion:
    filas_tipo = presupuesto.contratacion_cpccs(anio=anio)
    formulario = _enlace_publicado(anio, publicacion, "cpccs")
    columnas = (
        "Tipo de contratación",
        "Número total adjudicados",
        "Valor total adjudicados",
        "Número total finalizados",
        "Valor total finalizados",
    )
    if not filas_tipo:
        ninguna = ("NO SE REALIZARON CONTRATACIONES", "0", dinero(0), "0", dinero(0))
        filas = [Fila(ninguna, Enlace(NO_APLICA))]
    else:
        filas = [
            Fila(
                (
                    f.tipo,
                    numero(f.adjudicados),
                    dinero(f.valor_adjudicados),
                    numero(f.finalizados),
                    dinero(f.valor_finalizados),
                ),
                formulario,
            )
            for f in filas_tipo
        ]
    return Seccion(
        "contratacion",
        "Procesos de contratación y compras públicas de bienes y servicios",
        "Procesos de contratación del año, por el tipo con que se iniciaron: adjudicados y "
        "finalizados según sus fechas de adjudicación y de finalización. El detalle de cada "
        "proceso está en la hoja «Procesos» del formulario publicado.",
        columnas,
        filas,
    )


def _enajenaciones(anio: int) -> Seccion:
    filas = [
        Fila((e.get_tipo_display(), e.bien, dinero(e.valor)), _enlace_evidencia(e.evidencia))
        for e in participacion.enajenaciones(anio=anio)
    ] or [Fila(("NINGUNA", "—", dinero(0)), Enlace(NO_APLICA))]
    return Seccion(
        "enajenaciones",
        "Enajenación, donaciones y expropiaciones de bienes",
        "Registros del año que mantiene la Administración.",
        ("Tipo", "Bien", "Valor"),
        filas,
    )


NO_HE_RECIBIDO = (
    "NO HE RECIBIDO RECOMENDACIONES NI DICTÁMENES POR PARTE DE LAS ENTIDADES DE LA FUNCIÓN DE "
    "TRANSPARENCIA Y CONTROL SOCIAL NI DE LA PROCURADURÍA GENERAL DEL ESTADO"
)


def _recomendaciones(anio: int) -> Seccion:
    filas = [
        Fila(
            (
                r.get_entidad_display(),
                r.informe_entidad,
                r.informe_cumplimiento or "—",
                r.observaciones or "—",
            ),
            _enlace_evidencia(r.evidencia),
        )
        for r in participacion.recomendaciones(anio=anio)
    ] or [Fila((NO_HE_RECIBIDO, "—", "—", "—"), Enlace(NO_APLICA))]
    return Seccion(
        "recomendaciones",
        "Incorporación de recomendaciones y dictámenes",
        "Registros del año que mantiene la Administración.",
        (
            "Entidad que recomienda",
            "N.º de informe",
            "N.º de informe de cumplimiento",
            "Observaciones",
        ),
        filas,
    )


def _mecanismos(anio: int, clase: str, slug: str, titulo: str) -> Seccion:
    filas = [
        Fila(
            (m.nombre, _si_no(m.implementado), numero(m.veces), m.actores or "—", m.resultados),
            _enlace_evidencia(m.evidencia) if m.implementado else Enlace(NO_APLICA),
        )
        for m in participacion.mecanismos(anio=anio, clase=clase)
    ] or [Fila(("NINGUNO", NO, "0", "—", "—"), Enlace(NO_APLICA))]
    return Seccion(
        slug,
        titulo,
        "Registros del año que mantiene la Coordinación.",
        ("Mecanismo", "¿Se implementó?", "Veces que se convocó", "Actores", "Resultados"),
        filas,
    )


# Which centres serve each equality agenda: by the service line each had that year.
LINEAS_DE_CADA_EJE = {
    participacion.EjeIgualdad.GENERACIONAL: ("desarrollo_infantil", "adulto_mayor"),
    participacion.EjeIgualdad.DISCAPACIDADES: ("discapacidad",),
    participacion.EjeIgualdad.GENERO: ("proteccion_especial", "promocion_social"),
    participacion.EjeIgualdad.MOVILIDAD_HUMANA: (),
    participacion.EjeIgualdad.INTERCULTURAL: (),
}


def _igualdad(anio: int) -> Seccion:
    politicas = participacion.politicas_igualdad(anio=anio)
    usuarios = centros.usuarios_por_centro(anio=anio)
    filas = []
    for eje, nombre in participacion.EjeIgualdad.choices:
        lineas = LINEAS_DE_CADA_EJE[eje]
        de_la_linea = [f for f in usuarios.filas if f.linea_servicio in lineas]
        cifras = (
            f"{numero(len(de_la_linea))} centros, "
            f"{numero(sum(f.usuarios for f in de_la_linea))} usuarios"
            if de_la_linea
            else "—"
        )
        politica = politicas.get(eje)
        if politica is None:
            filas.append(
                Fila(
                    (nombre, NO, "—", "—", cifras),
                    SIN_EVIDENCIA if de_la_linea else Enlace(NO_APLICA),
                )
            )
            continue
        filas.append(
            Fila(
                (
                    nombre,
                    _si_no(politica.implementada),
                    politica.descripcion,
                    politica.resultados or "—",
                    cifras,
                ),
                _enlace_evidencia(politica.evidencia)
                if politica.implementada
                else Enlace(NO_APLICA),
            )
        )
    return Seccion(
        "igualdad",
        "Implementación de políticas públicas para la igualdad",
        "Lo que registró la Coordinación para cada agenda, con las cifras aprobadas de los "
        "centros de las líneas de servicio que la atienden.",
        ("Política", "¿Se implementó?", "Política, proyecto o acción", "Resultados", "Centros"),
        filas,
    )


def _fases(anio: int) -> Seccion:
    pasos = list(participacion.pasos_del_proceso(anio=anio))
    filas = [
        Fila(
            (
                f"Fase {paso.fase}: {paso.descripcion}",
                _si_no(paso.cumplido_el is not None),
                paso.fecha_limite.strftime("%d/%m/%Y") if paso.fecha_limite else "—",
                paso.cumplido_el.strftime("%d/%m/%Y") if paso.cumplido_el else "—",
            ),
            _enlace_evidencia(paso.evidencia),
        )
        for paso in pasos
    ] or [Fila(("Pasos del proceso sin registrar", NO, "—", "—"), SIN_EVIDENCIA)]
    return Seccion(
        "fases",
        "Proceso de rendición de cuentas: fases",
        "Pasos de cada fase con la fecha que fijó la Coordinación y su evidencia.",
        ("Paso", "¿Se cumplió?", "Fecha límite", "Cumplido el"),
        filas,
    )


def _deliberacion(anio: int) -> Seccion:
    deliberacion = participacion.deliberacion(anio=anio)
    columnas = ("Dato", "Valor")
    if deliberacion is None:
        return Seccion(
            "deliberacion",
            "Deliberación pública y sugerencias ciudadanas",
            "La deliberación del informe del año y sus sugerencias.",
            columnas,
            [Fila(("Deliberación pública", "Sin registrar"), SIN_EVIDENCIA)],
        )
    acta = _enlace_evidencia(deliberacion.acta)
    filas = [
        Fila(("Fecha", deliberacion.fecha.strftime("%d/%m/%Y")), acta),
        Fila(("Lugar", deliberacion.lugar), acta),
        Fila(
            (
                "Participantes por género",
                f"{numero(deliberacion.participantes)}: {numero(deliberacion.mujeres)} mujeres, "
                f"{numero(deliberacion.hombres)} hombres, {numero(deliberacion.glbti)} GLBTI",
            ),
            acta,
        ),
        Fila(
            (
                "Participantes por pueblo y nacionalidad",
                f"mestizos {numero(deliberacion.mestizos)}, indígenas "
                f"{numero(deliberacion.indigenas)}, afroecuatorianos "
                f"{numero(deliberacion.afroecuatorianos)}, montubios "
                f"{numero(deliberacion.montubios)}, blancos {numero(deliberacion.blancos)}, "
                f"otros {numero(deliberacion.otros_pueblos)}",
            ),
            acta,
        ),
    ]
    filas += [
        Fila(
            (
                f"Sugerencia {numero}: {sugerencia.texto}",
                f"¿Compromiso? {_si_no(sugerencia.compromiso)}"
                + (f". {sugerencia.respuesta}" if sugerencia.respuesta else ""),
            ),
            acta,
        )
        for numero, sugerencia in enumerate(deliberacion.sugerencias.all(), start=1)
    ]
    return Seccion(
        "deliberacion",
        "Deliberación pública y sugerencias ciudadanas",
        "La deliberación del informe del año, sus participantes y sus sugerencias, con el "
        "acta firmada.",
        columnas,
        filas,
    )


def _aportes_anio_anterior(anio: int) -> Seccion:
    plan = participacion.plan_de_trabajo(anio=anio - 1)
    publica = Enlace(direccion_publica(reverse("plan_de_trabajo", args=[anio - 1])))
    filas = []
    for sugerencia, acciones in plan:
        if not acciones:
            filas.append(
                Fila(
                    (sugerencia.texto, "Sin acciones en el plan de trabajo", "—", "0 %"),
                    publica,
                )
            )
        for seguida in acciones:
            ultimo = seguida.ultimo
            filas.append(
                Fila(
                    (
                        sugerencia.texto,
                        seguida.accion.descripcion,
                        ultimo.descripcion if ultimo and ultimo.descripcion else "—",
                        f"{seguida.porcentaje} %",
                    ),
                    _enlace_evidencia(ultimo.evidencia) if ultimo and ultimo.evidencia else publica,
                )
            )
    if not filas:
        filas = [
            Fila(
                (f"Sin sugerencias registradas en la deliberación de {anio - 1}", "—", "—", "—"),
                Enlace(NO_APLICA),
            )
        ]
    return Seccion(
        "aportes-anio-anterior",
        "Incorporación de aportes ciudadanos de la rendición de cuentas del año anterior",
        f"El plan de trabajo de las sugerencias de la deliberación del informe {anio - 1}, con "
        "el último avance de cada acción.",
        ("Sugerencia", "Acción del plan de trabajo", "Resultados", "% de avance"),
        filas,
    )


def _difusion(anio: int) -> Seccion:
    filas = [
        Fila(
            (m.get_medio_display(), numero(m.cantidad), m.detalle or "—"),
            _enlace_evidencia(m.evidencia),
        )
        for m in participacion.medios_difusion(anio=anio)
    ]
    archivo = Enlace(direccion_publica(reverse("publicaciones:archivo")))
    filas.append(
        Fila(("Publicación del informe en el portal (LOTAIP)", SI, "Informes publicados"), archivo)
    )
    return Seccion(
        "difusion",
        "Difusión y comunicación de la gestión; transparencia",
        "Medios registrados por la Coordinación; el archivo público de informes del portal.",
        ("Medio", "N.º de medios", "Detalle"),
        filas,
    )


def formulario_cpccs(*, anio: int, publicacion: Publicacion | None = None) -> FormularioCpccs:
    """The year's form. Its links go to `publicacion` (the one being written, when a
    publication freezes it) or to the one in force. The number of queries does not depend on
    the amount of data."""
    if publicacion is None:
        publicacion = publicacion_vigente(anio=anio)
    return FormularioCpccs(
        anio=anio,
        publicacion=publicacion,
        secciones=[
            _datos_generales(anio),
            _cobertura(anio, publicacion),
            _presupuesto(anio, publicacion),
            _contratacion(anio, publicacion),
            _enajenaciones(anio),
            _recomendaciones(anio),
            _mecanismos(
                anio,
                participacion.Mecanismo.Clase.PARTICIPACION,
                "participacion",
                "Mecanismos de participación ciudadana",
            ),
            _mecanismos(
                anio,
                participacion.Mecanismo.Clase.CONTROL_SOCIAL,
                "control-social",
                "Mecanismos de control social",
            ),
            _igualdad(anio),
            _fases(anio),
            _deliberacion(anio),
            _aportes_anio_anterior(anio),
            _difusion(anio),
        ],
    )


# --- Out to the CPCCS system ---------------------------------------------------------------

ENLACE = "Link al medio de verificación publicado en la pág. web de la institución"
FALTA = "FALTA EL MEDIO DE VERIFICACIÓN"

# A sheet's name has at most 31 characters in Excel.
HOJAS = {
    "datos-generales": "1 Datos generales",
    "cobertura": "2 Cobertura",
    "presupuesto": "3 Presupuesto",
    "contratacion": "4 Contratación pública",
    "enajenaciones": "5 Enajenaciones",
    "recomendaciones": "6 Recomendaciones",
    "participacion": "7 Participación ciudadana",
    "control-social": "8 Control social",
    "igualdad": "9 Políticas de igualdad",
    "fases": "10 Fases del proceso",
    "deliberacion": "11 Deliberación pública",
    "aportes-anio-anterior": "12 Aportes del año anterior",
    "difusion": "13 Difusión y transparencia",
}


def texto_del_enlace(enlace: Enlace | None) -> str:
    return FALTA if enlace is None else enlace.url


def _hoja_de_seccion(seccion: Seccion) -> tablib.Dataset:
    datos = tablib.Dataset(headers=[*seccion.columnas, ENLACE], title=seccion.titulo)
    for fila in seccion.filas:
        datos.append([*fila.valores, texto_del_enlace(fila.enlace)])
    return datos


def _hoja_de_procesos(anio: int) -> tablib.Dataset:
    datos = tablib.Dataset(
        headers=[
            "Código",
            "Tipo de contratación (CPCCS)",
            "Régimen legal",
            "Objeto",
            "Estado",
            "Fecha de inicio",
            "Fecha de adjudicación",
            "Fecha de finalización",
            "Monto adjudicado",
            "Monto al finalizar",
        ],
        title="Procesos de contratación",
    )
    for proceso in presupuesto.procesos_cpccs(anio=anio):
        datos.append(
            [
                proceso.codigo,
                proceso.tipo.nombre_cpccs,
                proceso.regimen,
                proceso.objeto,
                proceso.get_estado_display(),
                proceso.fecha,
                proceso.fecha_adjudicacion,
                proceso.fecha_finalizacion,
                proceso.monto,
                proceso.monto_finalizado,
            ]
        )
    return datos


def libro_cpccs(formulario: FormularioCpccs) -> bytes:
    """The form for manual entry into the CPCCS system: a sheet per section, columns in the
    form's order with the evidence link last, and the processes behind the procurement rows."""
    hojas = [(_hoja_de_seccion(s), HOJAS[s.slug]) for s in formulario.secciones]
    hojas.append((_hoja_de_procesos(formulario.anio), "Procesos"))
    return libro(f"Formulario de rendición de cuentas {formulario.anio} (CPCCS)", hojas)


def pdf_cpccs(formulario: FormularioCpccs) -> bytes:
    """The form printed, tagged as the report is, for the file and for the council."""
    html = render_to_string(
        "rendicion/cpccs_documento.html",
        {"formulario": formulario, "institucion_nombre": settings.INSTITUCION_NOMBRE},
    )
    return pdf_de_html(html)
