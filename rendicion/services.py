"""Writes of `rendicion`: the year's narrative texts, a new year started from a copy, and the
publication of a year's report (and its errata).

The texts page edits a report as one document (texts, contact block and four tables). Two
people may have it open at once, so a save states what it started from (`version` and the
`informe_huella` fingerprint) and is refused, naming what changed, if the stored report moved on.
"""

import datetime
import hashlib
import json
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils.text import capfirst

from casmul.aperturas import anio_nuevo_abrir
from casmul.versiones import datos_cambiaron

from .cpccs import formulario_cpccs, libro_cpccs
from .documento import documento_html, pdf_de_html
from .exportar import libro_del_informe
from .instantanea import erratas, instantanea, instantanea_json
from .models import (
    CAMPOS_TEXTO,
    FeDeErratas,
    Firmante,
    InformeAnual,
    ObjetivoEstrategico,
    Publicacion,
    SeccionFortalecimiento,
    TerminoGlosario,
    sha256,
)
from .selectors import informe_rendicion

# The four tables of the page: name → (model, fields of a row, heading).
TABLAS = {
    "objetivos": (ObjetivoEstrategico, ["texto"], "Objetivos estratégicos"),
    "glosario": (TerminoGlosario, ["sigla", "significado"], "Glosario"),
    "fortalecimiento": (
        SeccionFortalecimiento,
        ["titulo", "texto"],
        "Fortalecimiento institucional (sección 4)",
    ),
    "firmantes": (Firmante, ["rol", "nombre", "cargo"], "Firmantes"),
}
# Tables whose rows keep the order the editor gives them (the glossary is alphabetical).
TABLAS_ORDENADAS = {"objetivos", "fortalecimiento", "firmantes"}

Fila = dict[str, str]


def _limpio(valor: Any) -> str:
    # Browsers send a textarea's line breaks as CRLF; the report and the comparisons want LF.
    return str(valor or "").replace("\r\n", "\n").replace("\r", "\n").strip()


def informe_contenido(informe: InformeAnual) -> dict[str, Any]:
    """The editable content of a report as plain values: `textos` (field → text) and one list of
    rows per table, in the order the report prints them.

    Reads the relations through `.all()`, so a report from `selectors.informe_del_anio` (which
    prefetches them) costs no further queries.
    """

    def ordenadas(filas):
        # `orden` may tie (it defaults to 0); the primary key keeps the order stable.
        return sorted(filas, key=lambda fila: (fila.orden, fila.pk))

    return {
        "textos": {campo: getattr(informe, campo) for campo in CAMPOS_TEXTO},
        "objetivos": [{"texto": o.texto} for o in ordenadas(informe.objetivos.all())],
        "glosario": [
            {"sigla": t.sigla, "significado": t.significado}
            for t in sorted(informe.glosario.all(), key=lambda t: (t.sigla, t.pk))
        ],
        "fortalecimiento": [
            {"titulo": s.titulo, "texto": s.texto} for s in ordenadas(informe.fortalecimiento.all())
        ],
        "firmantes": [
            {"rol": f.rol, "nombre": f.nombre, "cargo": f.cargo}
            for f in ordenadas(informe.firmantes.all())
        ],
    }


def _partes(contenido: dict[str, Any]) -> dict[str, Any]:
    """Each part the page edits (a text field or a whole table) in a canonical form: two
    contents are the same where their parts are equal."""
    partes: dict[str, Any] = {
        campo: _limpio(contenido["textos"].get(campo)) for campo in CAMPOS_TEXTO
    }
    for tabla, (_, campos, _) in TABLAS.items():
        filas = [[_limpio(fila.get(campo)) for campo in campos] for fila in contenido[tabla]]
        partes[tabla] = filas if tabla in TABLAS_ORDENADAS else sorted(filas)
    return partes


def _resumen(valor: Any) -> str:
    return hashlib.sha256(json.dumps(valor, ensure_ascii=False).encode()).hexdigest()[:16]


def informe_huella(contenido: dict[str, Any]) -> str:
    """A short fingerprint of each part of the content (JSON), for the form to carry: at save
    time it tells which parts someone else changed since the editor opened the page."""
    return json.dumps({parte: _resumen(valor) for parte, valor in _partes(contenido).items()})


def _leer_huella(huella: str) -> dict[str, str]:
    try:
        leida = json.loads(huella)
    except (TypeError, ValueError):
        return {}
    return leida if isinstance(leida, dict) else {}


def etiqueta_de_parte(parte: str) -> str:
    """The Spanish name of a part, as the page labels it."""
    if parte in TABLAS:
        return TABLAS[parte][2]
    return capfirst(InformeAnual._meta.get_field(parte).verbose_name)


def _legible(parte: str, valor: Any) -> str:
    """A part's stored value as a person reads it, to show next to a conflict."""
    if parte not in TABLAS:
        return valor or "(vacío)"
    if not valor:
        return "(ninguna fila)"
    if parte == "objetivos":
        return "\n".join(f"{n}. {texto}" for n, (texto,) in enumerate(valor, start=1))
    if parte == "glosario":
        return "\n".join(f"{sigla}: {significado}" for sigla, significado in valor)
    if parte == "fortalecimiento":
        return "\n\n".join(f"{titulo}\n{texto}" for titulo, texto in valor)
    roles = dict(Firmante.Rol.choices)
    return "\n".join(f"{roles.get(rol, rol)}: {nombre}, {cargo}" for rol, nombre, cargo in valor)


@dataclass(frozen=True)
class CambioAjeno:
    """A part of the report that someone else changed while the editor had the page open."""

    parte: str
    etiqueta: str
    valor_guardado: str
    tambien_editado: bool  # the editor changed it too: their edits of it collide


class ConflictoDeEdicion(Exception):
    """The report was saved by someone else after the editor opened it; nothing was written."""

    def __init__(self, *, version_actual: int, huella_actual: str, cambios: list[CambioAjeno]):
        self.version_actual = version_actual
        self.huella_actual = huella_actual
        self.cambios = cambios
        super().__init__(self.mensaje)

    @property
    def mensaje(self) -> str:
        if self.cambios:
            que = ", ".join(cambio.etiqueta for cambio in self.cambios)
            cambio = f"Cambió: {que}."
        else:
            cambio = "No cambió el contenido, pero su copia quedó desactualizada."
        return (
            "No se guardó nada: otra persona guardó este informe mientras usted lo editaba. "
            f"{cambio} Sus datos siguen en el formulario."
        )


def _conflicto(
    *, informe: InformeAnual, actual: dict[str, Any], huella: str, partes_propias: dict[str, Any]
) -> ConflictoDeEdicion:
    """What someone else changed: the stored content (`actual`) against what the editor started
    from (`huella`); `partes_propias` tells which of those parts the editor changed as well."""
    partes_actuales = _partes(actual)
    inicial = _leer_huella(huella)
    cambios = [
        CambioAjeno(
            parte=parte,
            etiqueta=etiqueta_de_parte(parte),
            valor_guardado=_legible(parte, valor),
            tambien_editado=inicial.get(parte) != _resumen(partes_propias[parte]),
        )
        for parte, valor in partes_actuales.items()
        if inicial.get(parte) != _resumen(valor)
    ]
    return ConflictoDeEdicion(
        version_actual=informe.version, huella_actual=informe_huella(actual), cambios=cambios
    )


def _validar_filas(contenido: dict[str, Any]) -> None:
    # The forms report these next to the field; this guards other callers from an IntegrityError.
    siglas = [fila["sigla"].casefold() for fila in contenido["glosario"]]
    if len(siglas) != len(set(siglas)):
        raise ValidationError("Hay siglas repetidas en el glosario.", code="sigla_repetida")
    roles = [fila["rol"] for fila in contenido["firmantes"]]
    if len(roles) != len(set(roles)) or not set(roles) <= set(Firmante.Rol.values):
        raise ValidationError(
            "Cada firmante debe tener un rol distinto (elaborado, revisado, aprobado).",
            code="rol_repetido",
        )


def _filas_crear(informe: InformeAnual, tabla: str, filas: list[Fila]) -> None:
    modelo, campos, _ = TABLAS[tabla]
    objetos = [
        modelo(informe=informe, **{campo: fila[campo] for campo in campos}) for fila in filas
    ]
    if tabla in TABLAS_ORDENADAS:
        for orden, objeto in enumerate(objetos, start=1):
            objeto.orden = orden
    modelo.objects.bulk_create(objetos)


@transaction.atomic
def informe_textos_guardar(
    *,
    informe: InformeAnual,
    version: int,
    huella: str,
    textos: dict[str, str],
    objetivos: list[Fila],
    glosario: list[Fila],
    fortalecimiento: list[Fila],
    firmantes: list[Fila],
) -> InformeAnual:
    """Saves a report's texts, contact block, objectives, glossary, section 4 and signatories
    together, or nothing at all.

    Each list is the table's complete new content, rows in display order (`orden` becomes
    1, 2, …); rows left out are deleted. `version` and `huella` describe what the editor started
    from. If the stored report moved on since — saved on this page (version) or elsewhere, such
    as the admin (fingerprint) — raises `ConflictoDeEdicion` naming what changed. Repeated siglas
    or signatory roles raise `ValidationError`. Returns the report with its new `version`.
    """
    # Every text is required: a missing key must not silently blank a field.
    if set(textos) != set(CAMPOS_TEXTO):
        raise ValueError(f"Se esperan exactamente los campos {CAMPOS_TEXTO}.")
    nuevo = {
        "textos": {campo: _limpio(textos[campo]) for campo in CAMPOS_TEXTO},
        "objetivos": [{"texto": _limpio(f["texto"])} for f in objetivos],
        "glosario": [
            {"sigla": _limpio(f["sigla"]), "significado": _limpio(f["significado"])}
            for f in glosario
        ],
        "fortalecimiento": [
            {"titulo": _limpio(f["titulo"]), "texto": _limpio(f["texto"])} for f in fortalecimiento
        ],
        "firmantes": [
            {"rol": f["rol"], "nombre": _limpio(f["nombre"]), "cargo": _limpio(f["cargo"])}
            for f in firmantes
        ],
    }
    _validar_filas(nuevo)
    partes_nuevas = _partes(nuevo)

    # The row lock makes a concurrent save on PostgreSQL wait here and then see this one's
    # result; the fingerprint also catches edits made without raising the version (the admin).
    guardado = InformeAnual.objects.select_for_update().get(pk=informe.pk)
    actual = informe_contenido(guardado)
    conflicto = _conflicto(
        informe=guardado, actual=actual, huella=huella, partes_propias=partes_nuevas
    )
    if guardado.version != version or conflicto.cambios:
        raise conflicto
    partes_guardadas = _partes(actual)

    # Only the save that still finds the version it started from may write (SQLite has no row
    # locks, so this is what decides a race there).
    escritas = InformeAnual.objects.filter(pk=informe.pk, version=version).update(
        version=F("version") + 1, **nuevo["textos"]
    )
    if escritas != 1:
        guardado = InformeAnual.objects.get(pk=informe.pk)
        raise _conflicto(
            informe=guardado,
            actual=informe_contenido(guardado),
            huella=huella,
            partes_propias=partes_nuevas,
        )

    for tabla, (modelo, _, _) in TABLAS.items():
        # Unchanged tables keep their rows (and ids); changed ones are replaced whole, which
        # also lets two rows swap siglas or roles without tripping the unique constraints.
        if partes_guardadas[tabla] == partes_nuevas[tabla]:
            continue
        modelo.objects.filter(informe=informe).delete()
        _filas_crear(informe, tabla, nuevo[tabla])

    informe.refresh_from_db()
    datos_cambiaron(informe.anio)
    return informe


@dataclass(frozen=True)
class AnioAbierto:
    informe: InformeAnual
    # What each app opened with the year (`casmul.aperturas`): its centres, for one.
    registros: list[str]


@transaction.atomic
def anio_abrir(*, anio: int, usuario) -> AnioAbierto:
    """Opens `anio` from the year before: its report with a copy of the closest earlier
    year's texts (`informe_crear_desde_anterior`) and, through `casmul.aperturas`, every
    operating centre's year with its staff and definition. All or nothing."""
    informe = informe_crear_desde_anterior(anio=anio)
    return AnioAbierto(informe=informe, registros=anio_nuevo_abrir(anio=anio, usuario=usuario))


def informe_crear_desde_anterior(*, anio: int) -> InformeAnual:
    """Creates the report of `anio` with a copy of the closest earlier year's texts, contact
    block, objectives, glossary, section 4 and signatories (that year is left as it is).

    Without an earlier report the new one starts with empty texts. Raises `ValidationError`
    (on `anio`) when the year already has its report.
    """
    existe = ValidationError(
        {"anio": f"Ya existe el informe de {anio}; edite sus textos en lugar de crearlo."},
        code="anio_existente",
    )
    if InformeAnual.objects.filter(anio=anio).exists():
        raise existe
    anterior = (
        InformeAnual.objects.filter(anio__lt=anio)
        .order_by("-anio")
        .prefetch_related("objetivos", "glosario", "fortalecimiento", "firmantes")
        .first()
    )
    contenido = informe_contenido(anterior) if anterior else None
    try:
        # A savepoint, so that losing a race to create the same year is a form error.
        with transaction.atomic():
            informe = InformeAnual.objects.create(
                anio=anio, **(contenido["textos"] if contenido else {})
            )
    except IntegrityError as error:
        raise existe from error
    if contenido:
        for tabla in TABLAS:
            _filas_crear(informe, tabla, contenido[tabla])
    datos_cambiaron(anio)
    return informe


# --- Publishing -------------------------------------------------------------------------------


@transaction.atomic
def informe_publicar(
    *, anio: int, usuario, motivo: str = "", hoy: datetime.date | None = None
) -> Publicacion:
    """Publishes the year's report as its next version: the PDF, the HTML, a workbook with
    every table, a JSON snapshot of every figure and the CPCCS form's workbook, each stored
    with its SHA-256 and never rendered again. From version 2 on it is an erratum: it needs
    one open (its reason, unless `motivo` restates it) and at least one figure changed, and
    its PDF opens with the figures that changed since the previous version (old → new). Only
    approved months count, as in the report itself."""
    informe = informe_rendicion(anio=anio, hoy=hoy)
    if informe is None:
        raise ValidationError(
            f"No existe el informe de {anio}: cree sus textos antes de publicarlo.",
            code="sin_informe",
        )
    # Locked so that two publications at once cannot take the same version.
    anterior = _ultima_publicacion_bloquear(anio)
    abierta = FeDeErratas.objects.select_for_update().filter(anio=anio, publicacion=None).first()
    motivo = motivo.strip() or (abierta.motivo if abierta else "")
    datos = instantanea(informe)
    cambios = []
    if anterior is not None:
        if abierta is None:
            raise ValidationError(
                f"El informe de {anio} ya está publicado (versión {anterior.version}): una nueva "
                "versión es una fe de erratas. Ábrala con su motivo, corrija los registros y "
                "publíquela.",
                code="sin_fe_de_erratas",
            )
        with anterior.cifras.open("rb") as archivo:
            cambios = erratas(json.loads(archivo.read()), datos)
        if not cambios:
            raise ValidationError(
                f"Ninguna cifra cambió desde la versión {anterior.version}: no hay una fe de "
                "erratas que publicar.",
                code="sin_cambios",
            )
    publicacion = Publicacion(
        anio=anio,
        version=anterior.version + 1 if anterior else 1,
        publicado_por=usuario,
        motivo=motivo,
        erratas=cambios,
    )
    nombre = f"rendicion-{anio}-v{publicacion.version}"
    archivos = {
        "pdf": (
            pdf_de_html(documento_html(informe, para_pdf=True, publicacion=publicacion)),
            "pdf",
        ),
        "html": (documento_html(informe, publicacion=publicacion).encode("utf-8"), "html"),
        "libro": (libro_del_informe(informe), "xlsx"),
        "cifras": (instantanea_json(datos | {"version": publicacion.version}), "json"),
    }
    guardados = []
    try:
        for campo, (contenido, extension) in archivos.items():
            setattr(publicacion, f"{campo}_sha256", sha256(contenido))
            archivo = getattr(publicacion, campo)
            archivo.save(f"{nombre}.{extension}", ContentFile(contenido), save=False)
            guardados.append(archivo)
        # The CPCCS form, last: its rows link to the files above by their fingerprints.
        formulario = libro_cpccs(formulario_cpccs(anio=anio, publicacion=publicacion))
        publicacion.cpccs_sha256 = sha256(formulario)
        publicacion.cpccs.save(f"{nombre}-cpccs.xlsx", ContentFile(formulario), save=False)
        guardados.append(publicacion.cpccs)
        publicacion.full_clean()
        publicacion.save()
        if abierta is not None:
            abierta.publicacion = publicacion
            abierta.save(update_fields=["publicacion"])
        # The year is closed now, which its pages say.
        datos_cambiaron(anio)
    except BaseException:
        # The files are written before the row that names them: a publish that fails after
        # writing some (the database refused the row, the worker is stopped) removes them, so
        # that no file of an unpublished version stays in the archive's folder.
        for archivo in guardados:
            archivo.storage.delete(archivo.name)
        raise
    return publicacion


def _ultima_publicacion_bloquear(anio: int) -> Publicacion | None:
    """The year's last version, locked: what opening and closing an erratum wait on, so that
    two of them at once take turns (an empty `select_for_update` locks nothing)."""
    return Publicacion.objects.select_for_update().filter(anio=anio).order_by("-version").first()


_YA_ABIERTA = "Ya hay una fe de erratas abierta para {anio}: publíquela o siga corrigiendo."


def _fe_de_erratas_crear(*, anio: int, usuario, motivo: str) -> FeDeErratas:
    fe_de_erratas = FeDeErratas(anio=anio, motivo=motivo, abierta_por=usuario)
    # The one-open-per-year constraint is left to the database, which holds it against a race.
    fe_de_erratas.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            fe_de_erratas.save()
    except IntegrityError:
        # Another one opened between the check and the save (a database that does not lock):
        # the constraint `una_fe_de_erratas_abierta_por_anio` says so.
        raise ValidationError(_YA_ABIERTA.format(anio=anio), code="ya_abierta") from None
    datos_cambiaron(anio)
    return fe_de_erratas


@transaction.atomic
def fe_de_erratas_abrir(*, anio: int, usuario, motivo: str) -> FeDeErratas:
    """Opens an erratum of a published year, with its reason: until the next version is
    published, the year's months, agreements, budget and procurement can be corrected (its
    months are reopened one by one, each with its own reason)."""
    motivo = motivo.strip()
    if not motivo:
        raise ValidationError({"motivo": "Indique el motivo de la fe de erratas."})
    if _ultima_publicacion_bloquear(anio) is None:
        raise ValidationError(
            f"El informe de {anio} no está publicado: se corrige sin fe de erratas.",
            code="sin_publicar",
        )
    if FeDeErratas.objects.filter(anio=anio, publicacion=None).exists():
        raise ValidationError(_YA_ABIERTA.format(anio=anio), code="ya_abierta")
    return _fe_de_erratas_crear(anio=anio, usuario=usuario, motivo=motivo)


@transaction.atomic
def fe_de_erratas_para_corregir(*, anio: int, usuario, motivo: str) -> FeDeErratas | None:
    """The erratum a correction of a published year belongs to: the one open, or one opened
    now with the correction's reason (reopening a month is how an erratum starts: its reason
    is typed once). None for a year not published, which is corrected without one."""
    if _ultima_publicacion_bloquear(anio) is None:
        return None
    abierta = FeDeErratas.objects.filter(anio=anio, publicacion=None).first()
    return abierta or _fe_de_erratas_crear(anio=anio, usuario=usuario, motivo=motivo.strip())
