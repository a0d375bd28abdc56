"""The nominal registry: enrolling a person in a centre, their exit, and erasing who they are
(LOPDP)."""

import datetime
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from casmul.versiones import datos_cambiaron

from ..models import Beneficiario, Centro, Inscripcion

FALTA_DATO_PERSONA = "Obligatorio para registrar a una persona nueva."
# What a new person must have; the rest of `Beneficiario` has defaults.
_DATOS_PERSONA_NUEVA = ("apellidos", "nombres", "fecha_nacimiento", "sexo", "grupo_prioritario")


@dataclass(frozen=True)
class InscripcionRegistrada:
    inscripcion: Inscripcion
    # The cédula was registered already: that person was enrolled and the typed data unused.
    persona_existente: bool


def _fecha(fecha: datetime.date) -> str:
    return f"{fecha:%d/%m/%Y}"


# The registry's rules, as checks on values already read: the services below apply them to what
# they lock and read, the spreadsheet import (`centros.resources_beneficiarios`) to what it read
# once for the whole file, so that a file of 100.000 rows is not checked with queries per row.


def beneficiario_nuevo_comprobar(*, datos: dict) -> None:
    """The data a new person needs (`datos`: Beneficiario fields); ValidationError by field."""
    faltan = {
        campo: FALTA_DATO_PERSONA
        for campo in _DATOS_PERSONA_NUEVA
        if datos.get(campo) in (None, "")
    }
    if faltan:
        raise ValidationError(faltan)


def inscripcion_comprobar(
    *,
    fecha_nacimiento: datetime.date,
    centro: Centro,
    desde: datetime.date,
    inscripciones: list[Inscripcion],
) -> None:
    """Whether a person born on `fecha_nacimiento` may be enrolled in `centro` from `desde`:
    not before their birth, nor while one of their enrolments in that centre (`inscripciones`,
    those of the person in the centre; others are ignored) is still open on `desde`."""
    if desde < fecha_nacimiento:
        raise ValidationError(
            {"desde": "La inscripción no puede ser anterior a la fecha de nacimiento."}
        )
    abiertas = [
        inscripcion
        for inscripcion in inscripciones
        if inscripcion.centro_id == centro.pk
        and (inscripcion.hasta is None or inscripcion.hasta >= desde)
    ]
    if abiertas:
        abierta = max(abiertas, key=lambda inscripcion: inscripcion.desde)
        hasta = f"hasta el {_fecha(abierta.hasta)}" if abierta.hasta else "sin fecha de salida"
        raise ValidationError(
            f"Esta persona ya está inscrita en {centro.nombre_corto} desde el "
            f"{_fecha(abierta.desde)}, {hasta}: registre su salida o use una fecha posterior."
        )


def inscripcion_salida_comprobar(*, desde: datetime.date, hasta: datetime.date) -> None:
    """An exit on `hasta` from an enrolment that started on `desde`: not before it started."""
    if hasta < desde:
        raise ValidationError(
            {
                "hasta": "La fecha de salida no puede ser anterior a la de inscripción "
                f"({_fecha(desde)})."
            }
        )


@transaction.atomic
def beneficiario_inscribir(
    *, cedula: str, datos: dict, centro: Centro, desde: datetime.date
) -> InscripcionRegistrada:
    """Enrols the person with this cédula in `centro` from `desde`. A cédula already in the
    registry enrols that person (one person, one row, whatever centre registered them); a new
    one creates the person from `datos` (the Beneficiario fields). Refused while the person
    has an enrolment in the same centre that is still open on `desde`."""
    beneficiario = Beneficiario.objects.select_for_update().filter(cedula=cedula).first()
    persona_existente = beneficiario is not None
    if beneficiario is None:
        beneficiario_nuevo_comprobar(datos=datos)
        beneficiario = Beneficiario(cedula=cedula, **datos)
        beneficiario.full_clean()
        try:
            with transaction.atomic():
                beneficiario.save()
        except IntegrityError:
            # Registered by someone else since the lookup: enrol that person.
            beneficiario = Beneficiario.objects.select_for_update().get(cedula=cedula)
            persona_existente = True
    inscripcion_comprobar(
        fecha_nacimiento=beneficiario.fecha_nacimiento,
        centro=centro,
        desde=desde,
        # A person has a handful of enrolments in a centre: read them all, the rule picks.
        inscripciones=list(Inscripcion.objects.filter(beneficiario=beneficiario, centro=centro)),
    )
    inscripcion = Inscripcion(beneficiario=beneficiario, centro=centro, desde=desde)
    inscripcion.full_clean()
    inscripcion.save()
    # The report's panel compares the registry with the users figure; the report does not.
    datos_cambiaron(solo_borradores=True)
    return InscripcionRegistrada(inscripcion=inscripcion, persona_existente=persona_existente)


@transaction.atomic
def inscripcion_finalizar(
    *, inscripcion: Inscripcion, hasta: datetime.date, motivo: str
) -> Inscripcion:
    """Records the person's exit from the centre on `hasta` and why (or corrects them): not
    before the enrolment started, and never without its reason."""
    motivo = motivo.strip()
    if not motivo:
        raise ValidationError({"motivo": "Escriba por qué sale la persona del centro."})
    inscripcion = (
        Inscripcion.objects.select_for_update(of=("self",))
        .select_related("beneficiario", "centro")
        .get(pk=inscripcion.pk)
    )
    inscripcion_salida_comprobar(desde=inscripcion.desde, hasta=hasta)
    inscripcion.hasta = hasta
    inscripcion.motivo_salida = motivo
    inscripcion.full_clean()
    inscripcion.save(update_fields=["hasta", "motivo_salida"])
    datos_cambiaron(solo_borradores=True)
    return inscripcion


# Anonymisation (LOPDP, right to erasure): what replaces a person's identifying data.
ANONIMO_APELLIDOS = "Persona"
ANONIMO_NOMBRES = "anonimizada"  # the person reads "Persona anonimizada" everywhere


def cedula_anonima(beneficiario_id: int) -> str:
    """A unique placeholder for the cédula of an anonymised person, 10 characters like the
    field: "ANON" and the id in six digits (or "A" and nine digits past a million people).
    It carries letters, so it can never be a real cédula (10 ASCII digits) nor collide with
    one, and the id makes it unique."""
    if beneficiario_id < 10**6:
        return f"ANON{beneficiario_id:06d}"
    return f"A{beneficiario_id:09d}"


@transaction.atomic
def beneficiario_anonimizar(*, beneficiario: Beneficiario, usuario, motivo: str) -> Beneficiario:
    """Erases who the person is, for good, and keeps what the aggregates count: names become
    "Persona anonimizada", the cédula a placeholder (`cedula_anonima`), the birth date the
    1 January of its year (the age group of the yearly figures stays); sex, disability,
    priority group and enrolments stay, so counts per centre and year do not move.

    The person's django-simple-history rows are overwritten with the same values rather than
    deleted: who changed the record and when remains (the accountability the history is for),
    while no row keeps the old identity. The admin's log (`LogEntry.object_repr`) of the
    person and their enrolments gets the new name too. The reason goes into the history row
    of the anonymisation, with the user who did it."""
    # Imported here: the admin's log is written by the admin only, except for this erasure.
    from django.contrib.admin.models import LogEntry
    from django.contrib.contenttypes.models import ContentType

    motivo = motivo.strip()
    if not motivo:
        raise ValidationError({"motivo": "Indique el motivo de la anonimización."})
    persona = Beneficiario.objects.select_for_update().get(pk=beneficiario.pk)
    cedula = cedula_anonima(persona.pk)
    if persona.cedula == cedula:
        raise ValidationError("Esta persona ya fue anonimizada.")
    antiguos = [persona.cedula, persona.nombres, persona.apellidos]
    anonimos = {
        "cedula": cedula,
        "nombres": ANONIMO_NOMBRES,
        "apellidos": ANONIMO_APELLIDOS,
        "fecha_nacimiento": persona.fecha_nacimiento.replace(month=1, day=1),
    }
    for campo, valor in anonimos.items():
        setattr(persona, campo, valor)
    # The placeholder fails `validar_cedula` on purpose (it has letters, so it is no one's
    # cédula): every other field is still validated.
    persona.full_clean(exclude=["cedula"])
    persona._history_user = usuario
    persona._change_reason = f"Anonimización: {motivo}"
    persona.save()

    historial = Beneficiario.history.filter(id=persona.pk)
    historial.update(**anonimos)
    # A reason typed by hand in an earlier change could name the person: those go too.
    for fila in historial.exclude(history_change_reason__isnull=True).exclude(
        history_change_reason=""
    ):
        if any(antiguo and antiguo in fila.history_change_reason for antiguo in antiguos):
            fila.history_change_reason = "(motivo retirado al anonimizar a la persona)"
            fila.save(update_fields=["history_change_reason"])

    LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(Beneficiario), object_id=str(persona.pk)
    ).update(object_repr=str(persona)[:200])
    for inscripcion in persona.inscripciones.select_related("centro"):
        LogEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(Inscripcion),
            object_id=str(inscripcion.pk),
        ).update(object_repr=str(inscripcion)[:200])
    return persona
