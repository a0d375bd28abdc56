"""Reads of the nominal registry (beneficiaries and their enrolments).

Personal data (LOPDP): every function that returns people takes the user and limits the rows
to the centres `centros_de_usuario` gives them; who may call them at all (centre staff and
the administration, never the coordination) is the pages' decision. Aggregates (distinct
persons per centre and year) carry no personal data and serve the report's panel."""

import datetime
import unicodedata
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

import tablib
from django.db import models
from django.db.models import (
    BooleanField,
    Count,
    DateField,
    Exists,
    ExpressionWrapper,
    OuterRef,
    Q,
    QuerySet,
    Value,
)
from django.db.models.functions import Coalesce

from ..models import Beneficiario, Centro, Inscripcion
from .acceso import centros_de_usuario
from .anuales import cifras_anuales, personas
from .definiciones import centros_del_anio


class GrupoEdad(models.TextChoices):
    NINEZ = "ninez", "Niñez (0 a 11 años)"
    ADOLESCENCIA = "adolescencia", "Adolescencia (12 a 17 años)"
    ADULTEZ = "adultez", "Adultez (18 a 64 años)"
    ADULTO_MAYOR = "adulto_mayor", "Adulto mayor (65 años o más)"


# Ages (in whole years) each group spans; None: no upper bound.
EDADES = {
    GrupoEdad.NINEZ: (0, 11),
    GrupoEdad.ADOLESCENCIA: (12, 17),
    GrupoEdad.ADULTEZ: (18, 64),
    GrupoEdad.ADULTO_MAYOR: (65, None),
}


def hace_anios(hoy: datetime.date, anios: int) -> datetime.date:
    """The date `anios` years before `hoy`; 29 February falls back to the 28th, so that a
    person born on 29 February turns a year older on 1 March of a common year."""
    try:
        return hoy.replace(year=hoy.year - anios)
    except ValueError:
        return hoy.replace(year=hoy.year - anios, day=28)


def edad(fecha_nacimiento: datetime.date, hoy: datetime.date) -> int:
    """Age in whole years on `hoy`."""
    return (
        hoy.year
        - fecha_nacimiento.year
        - ((hoy.month, hoy.day) < (fecha_nacimiento.month, fecha_nacimiento.day))
    )


def grupo_de_edad(fecha_nacimiento: datetime.date, hoy: datetime.date) -> GrupoEdad:
    anios = edad(fecha_nacimiento, hoy)
    for grupo, (minima, maxima) in EDADES.items():
        if anios >= minima and (maxima is None or anios <= maxima):
            return grupo
    return GrupoEdad.NINEZ  # born after `hoy`: a typing error, shown with the youngest


def q_grupo_de_edad(grupo: str, hoy: datetime.date, *, prefijo: str = "") -> Q:
    """The age group as a range of birth dates, so the database filters (and can use an
    index) instead of computing every person's age."""
    minima, maxima = EDADES[GrupoEdad(grupo)]
    campo = f"{prefijo}fecha_nacimiento"
    condicion = Q(**{f"{campo}__lte": hace_anios(hoy, minima)})
    if maxima is not None:
        # Older than `maxima` means born on or before the day they turned maxima + 1.
        condicion &= Q(**{f"{campo}__gt": hace_anios(hoy, maxima + 1)})
    return condicion


# --- Rows for the pages (personal data: only the user's centres) ----------------------------


def inscripciones_de_usuario(usuario, *, hoy: datetime.date) -> QuerySet[Inscripcion]:
    """Enrolments in the centres the user may see, with their person and centre (one query
    for a page of rows) and whether they are active on `hoy`."""
    return (
        Inscripcion.objects.filter(centro__in=centros_de_usuario(usuario))
        .select_related("beneficiario", "centro")
        .annotate(
            activa=ExpressionWrapper(
                Q(hasta__isnull=True) | Q(hasta__gte=hoy), output_field=BooleanField()
            )
        )
        .order_by(
            "beneficiario__apellidos",
            "beneficiario__nombres",
            "beneficiario_id",
            "centro__numero",
            "-desde",
            "pk",
        )
    )


def beneficiarios_de_usuario(usuario) -> QuerySet[Beneficiario]:
    """The people enrolled (now or before) in a centre the user may see."""
    inscripciones = Inscripcion.objects.filter(
        beneficiario=OuterRef("pk"), centro__in=centros_de_usuario(usuario)
    )
    return Beneficiario.objects.filter(Exists(inscripciones))


def inscripciones_por_cedula(usuario, *, cedula: str, hoy: datetime.date):
    """The enrolments, in the user's centres, of the person with this cédula (exact)."""
    return inscripciones_de_usuario(usuario, hoy=hoy).filter(beneficiario__cedula=cedula)


# --- Export ---------------------------------------------------------------------------------

ENCABEZADOS = [
    "Apellidos",
    "Nombres",
    "Cédula",
    "Fecha de nacimiento",
    "Edad",
    "Grupo de edad",
    "Sexo",
    "Discapacidad",
    "Porcentaje de discapacidad",
    # As the import names and reads them: the export of the administration (with the cédula
    # in full) uploads back unchanged.
    "Grupo prioritario",
    "Centro",
    "Nombre del centro",
    "Desde",
    "Hasta",
    "Estado",
]


def hoja_de_inscripciones(
    inscripciones: QuerySet[Inscripcion], *, cedula_completa: bool, hoy: datetime.date
) -> tablib.Dataset:
    """The enrolments as a table; the cédula in full only when `cedula_completa`."""
    datos = tablib.Dataset(headers=ENCABEZADOS, title="Beneficiarios")
    for inscripcion in inscripciones:
        persona = inscripcion.beneficiario
        datos.append(
            [
                persona.apellidos,
                persona.nombres,
                persona.cedula if cedula_completa else persona.cedula_enmascarada,
                persona.fecha_nacimiento,
                edad(persona.fecha_nacimiento, hoy),
                grupo_de_edad(persona.fecha_nacimiento, hoy).label,
                persona.get_sexo_display(),
                "Sí" if persona.tiene_discapacidad else "No",
                persona.porcentaje_discapacidad,
                persona.get_grupo_prioritario_display(),
                inscripcion.centro.numero,
                inscripcion.centro.nombre_corto,
                inscripcion.desde,
                inscripcion.hasta,
                "Activa" if inscripcion.activa else "Finalizada",
            ]
        )
    return datos


# --- Aggregates (no personal data) ----------------------------------------------------------


def personas_del_anio(anio: int, centro_ids=None) -> dict[int, int]:
    """{centro_id: distinct beneficiaries enrolled some day of the year}, in one query; a
    centre without enrolments that year is absent."""
    inscripciones = Inscripcion.objects.del_anio(anio)
    if centro_ids is not None:
        inscripciones = inscripciones.filter(centro_id__in=centro_ids)
    filas = (
        inscripciones.values("centro_id")
        .annotate(personas=Count("beneficiario", distinct=True))
        .order_by()
    )
    return {fila["centro_id"]: fila["personas"] for fila in filas}


@dataclass(frozen=True)
class RegistroAnual:
    """A centre's registry in a year beside the users figure its approved months give."""

    centro_id: int
    numero: int
    nombre_corto: str
    personas: int
    indicador: str | None
    regla: str | None
    cifra_usuarios: Decimal | None  # None: no users figure in the approved months

    @property
    def usuarios(self) -> int | None:
        return None if self.cifra_usuarios is None else personas(self.cifra_usuarios)

    @property
    def diferencia(self) -> int | None:
        """Distinct persons minus the users figure: positive when the figure undercounts."""
        return None if self.usuarios is None else self.personas - self.usuarios

    @property
    def discrepante(self) -> bool:
        return self.usuarios is not None and self.usuarios != self.personas


def registro_del_anio(anio: int, centro_ids=None) -> list[RegistroAnual]:
    """Centres with at least one enrolment in the year (of `centro_ids`, or all): distinct
    persons enrolled and the yearly value of their users figure that year (`indicador_usuarios`,
    by its rule: the monthly maximum for a stock) from approved months. Four queries at
    most."""
    cuentas = personas_del_anio(anio, centro_ids)
    if not cuentas:
        return []
    centros = Centro.objects.filter(pk__in=cuentas).select_related("indicador_usuarios")
    anuales = cifras_anuales(anio=anio, centro_ids=list(cuentas))
    registros = []
    for centro in centros_del_anio(centros.order_by("numero"), anio=anio):
        indicador = centro.indicador_usuarios
        registros.append(
            RegistroAnual(
                centro_id=centro.pk,
                numero=centro.numero,
                nombre_corto=centro.nombre_corto,
                personas=cuentas[centro.pk],
                indicador=indicador.nombre if indicador else None,
                regla=indicador.regla if indicador else None,
                cifra_usuarios=anuales.get((centro.pk, indicador.codigo)) if indicador else None,
            )
        )
    return registros


# --- Possible duplicates (administration) ---------------------------------------------------


@dataclass(frozen=True)
class PersonaDuplicada:
    beneficiario_id: int
    nombre: str
    cedula_enmascarada: str
    fecha_nacimiento: datetime.date
    inscripciones: list[str]  # "Centro (desde – hasta)" of each enrolment


@dataclass(frozen=True)
class GrupoDuplicado:
    motivo: str
    personas: list[PersonaDuplicada]


def nombre_normalizado(apellidos: str, nombres: str) -> str:
    """Full name without accents, case or repeated spaces: "PEÑA  José" == "pena jose"."""
    texto = unicodedata.normalize("NFKD", f"{apellidos} {nombres}")
    sin_acentos = "".join(c for c in texto if not unicodedata.combining(c))
    return " ".join(sin_acentos.casefold().split())


def _persona(beneficiario: Beneficiario, inscripciones) -> PersonaDuplicada:
    return PersonaDuplicada(
        beneficiario_id=beneficiario.pk,
        nombre=str(beneficiario),
        cedula_enmascarada=beneficiario.cedula_enmascarada,
        fecha_nacimiento=beneficiario.fecha_nacimiento,
        inscripciones=[
            f"{i.centro.nombre_corto} ({i.desde:%d/%m/%Y} – "
            f"{f'{i.hasta:%d/%m/%Y}' if i.hasta else 'sin salida'})"
            for i in inscripciones
        ],
    )


def _en_varios_centros() -> list[GrupoDuplicado]:
    """One person (one cédula) enrolled in two centres over the same days."""
    fin = Coalesce(OuterRef("hasta"), Value(datetime.date.max), output_field=DateField())
    otra = (
        Inscripcion.objects.filter(beneficiario=OuterRef("beneficiario"), desde__lte=fin)
        .exclude(centro=OuterRef("centro"))
        .filter(Q(hasta__isnull=True) | Q(hasta__gte=OuterRef("desde")))
    )
    inscripciones = (
        Inscripcion.objects.filter(Exists(otra))
        .select_related("beneficiario", "centro")
        .order_by("beneficiario__apellidos", "beneficiario__nombres", "beneficiario_id", "desde")
    )
    por_persona = defaultdict(list)
    for inscripcion in inscripciones:
        por_persona[inscripcion.beneficiario].append(inscripcion)
    return [
        GrupoDuplicado(
            motivo="Inscrita en varios centros a la vez",
            personas=[_persona(persona, lista)],
        )
        for persona, lista in por_persona.items()
    ]


def _mismo_nombre_y_nacimiento() -> list[GrupoDuplicado]:
    """Different cédulas, same full name (ignoring accents and case) and birth date. The
    database narrows to shared birth dates; names are compared in one pass, since accent
    folding differs between SQLite and PostgreSQL."""
    compartidas = (
        Beneficiario.objects.values("fecha_nacimiento")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
        .values("fecha_nacimiento")
    )
    candidatos = (
        Beneficiario.objects.filter(fecha_nacimiento__in=compartidas)
        .prefetch_related(
            models.Prefetch(
                "inscripciones",
                queryset=Inscripcion.objects.select_related("centro").order_by("desde"),
            )
        )
        .order_by("apellidos", "nombres", "pk")
    )
    grupos = defaultdict(list)
    for persona in candidatos:
        clave = (nombre_normalizado(persona.apellidos, persona.nombres), persona.fecha_nacimiento)
        grupos[clave].append(persona)
    return [
        GrupoDuplicado(
            motivo="Cédulas distintas, mismo nombre y fecha de nacimiento",
            personas=[_persona(p, p.inscripciones.all()) for p in personas_],
        )
        for personas_ in grupos.values()
        if len(personas_) > 1
    ]


def posibles_duplicados() -> list[GrupoDuplicado]:
    """Possible duplicates across centres, for the administration: one cédula enrolled in
    several centres at once, and different cédulas with the same normalised name and birth
    date. Four queries whatever the size of the registry."""
    return _en_varios_centros() + _mismo_nombre_y_nacimiento()
