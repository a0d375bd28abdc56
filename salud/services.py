"""Writes of the clinic: its monthly patients, under the same report rules as every centre."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction

from casmul.numeros import Clase, numero_validar
from centros.models import Centro, ReporteMensual
from centros.services import (
    fila_del_mes_guardar,
    motivo_de_edicion,
    reporte_cerrar_edicion,
    reporte_para_editar,
)

from .models import AtencionClinica, Especialidad, Servicio

Clave = tuple[str, int | None]  # (servicio, especialidad id or None)


def _clave_texto(clave: Clave, especialidades: dict[int, str]) -> str:
    servicio, especialidad = clave
    nombre = Servicio(servicio).label
    return f"{nombre} — {especialidades[especialidad]}" if especialidad else nombre


@transaction.atomic
def atenciones_guardar(
    *,
    centro: Centro,
    anio: int,
    mes: int,
    pacientes: dict[Clave, int | None],
    version: int | None,
    usuario,
    comentario: str = "",
    enviar: bool = False,
    hoy: datetime.date | None = None,
) -> ReporteMensual:
    """Saves the clinic's patients of a month by service (and specialty where broken down),
    as a draft or submitted, through the same month write as every centre's figures
    (`centros.services.reporte_para_editar` … `reporte_cerrar_edicion`)."""
    especialidades = dict(Especialidad.objects.values_list("pk", "nombre"))
    errores = {}
    for clave, valor in pacientes.items():
        servicio, especialidad = clave
        campo = f"{servicio}-{especialidad or ''}"
        if servicio not in Servicio.values or (especialidad and especialidad not in especialidades):
            errores[campo] = "Servicio o especialidad desconocidos."
        elif valor is not None:
            try:
                numero_validar(valor, clase=Clase.PERSONAS)
            except ValidationError as error:
                errores[campo] = error.messages
    if errores:
        raise ValidationError(errores)
    reporte = reporte_para_editar(centro=centro, anio=anio, mes=mes, version=version, hoy=hoy)
    motivo = motivo_de_edicion(comentario=comentario, enviar=enviar)
    existentes = {(a.servicio, a.especialidad_id): a for a in reporte.atenciones_clinicas.all()}
    for clave, valor in pacientes.items():
        if valor is None:
            continue
        atencion = existentes.get(clave)
        if atencion is not None and atencion.pacientes == valor:
            continue
        atencion = atencion or AtencionClinica(
            reporte=reporte, servicio=clave[0], especialidad_id=clave[1]
        )
        atencion.pacientes = int(valor)
        # Without a comment, the history names the row that changed.
        fila_del_mes_guardar(
            fila=atencion,
            usuario=usuario,
            motivo=comentario.strip() or _clave_texto(clave, especialidades),
        )
    return reporte_cerrar_edicion(
        reporte=reporte, usuario=usuario, motivo=motivo, comentario=comentario, enviar=enviar
    )
