"""The personal-data access log (LOPDP), shared by the portal's pages and the admin.

Every view or export of a person's data is one INFO line of the `casmul.datos_personales`
logger: when, who (username and id) and what (a sentence naming the records by id). It never
carries a cédula, a name or a birth date, so the log itself holds no personal data of the
people it is about."""

import logging

from django.utils import timezone

from .models import Beneficiario, Inscripcion

registro_de_accesos = logging.getLogger("casmul.datos_personales")


def registrar_acceso(request, que: str) -> None:
    """One line of the personal-data log: who, when, what (never a cédula)."""
    usuario = request.user
    registro_de_accesos.info(
        "%s usuario=%s (id %s) %s",
        timezone.now().isoformat(timespec="seconds"),
        usuario.get_username(),
        usuario.pk,
        que,
    )


CAMPOS_DE_LA_PERSONA = ("cedula", *Beneficiario.DATOS)
TIPOS_DE_CAMBIO = {"+": "creación", "~": "cambio", "-": "eliminación"}


def _quien(fila) -> str | None:
    return fila.history_user.get_username() if fila.history_user else None


def datos_de_la_persona(beneficiario) -> dict:
    """Everything the portal stores about one person (the LOPDP right of access): their
    fields, their enrolments and every history entry of both (when, who, what kind of change,
    the reason and the values then), ready for JSON. Three queries whatever the person."""
    inscripciones = list(
        Inscripcion.objects.filter(beneficiario=beneficiario).select_related("centro")
    )
    historial = Beneficiario.history.filter(id=beneficiario.pk).select_related("history_user")
    historial_inscripciones = (
        Inscripcion.history.filter(beneficiario_id=beneficiario.pk)
        .select_related("history_user", "centro")
        .order_by("history_date")
    )
    return {
        "persona": {
            "id": beneficiario.pk,
            **{campo: getattr(beneficiario, campo) for campo in CAMPOS_DE_LA_PERSONA},
            "sexo_texto": beneficiario.get_sexo_display(),
            "grupo_prioritario_texto": beneficiario.get_grupo_prioritario_display(),
        },
        "inscripciones": [
            {
                "id": inscripcion.pk,
                "centro": inscripcion.centro.nombre_corto,
                "desde": inscripcion.desde,
                "hasta": inscripcion.hasta,
            }
            for inscripcion in inscripciones
        ],
        "historial_de_la_persona": [
            {
                "fecha": fila.history_date,
                "usuario": _quien(fila),
                "tipo": TIPOS_DE_CAMBIO.get(fila.history_type, fila.history_type),
                "motivo": fila.history_change_reason,
                "datos": {campo: getattr(fila, campo) for campo in CAMPOS_DE_LA_PERSONA},
            }
            for fila in historial.order_by("history_date")
        ],
        "historial_de_inscripciones": [
            {
                "fecha": fila.history_date,
                "usuario": _quien(fila),
                "tipo": TIPOS_DE_CAMBIO.get(fila.history_type, fila.history_type),
                "inscripcion_id": fila.id,
                "centro": fila.centro.nombre_corto if fila.centro_id else None,
                "desde": fila.desde,
                "hasta": fila.hasta,
            }
            for fila in historial_inscripciones
        ],
    }
