"""Writes of the clinic: its monthly patients, under the same report rules as every centre."""

import datetime

from django.core.exceptions import ValidationError

from casmul.meses import Mes
from casmul.numeros import Clase, numero_validar
from centros.models import Centro, ReporteMensual
from centros.services import mes_en_edicion, motivo_de_edicion

from .models import AtencionClinica, Especialidad, Servicio

Clave = tuple[str, int | None]  # (servicio, especialidad id or None)


def _clave_texto(clave: Clave, especialidades: dict[int, str]) -> str:
    servicio, especialidad = clave
    nombre = Servicio(servicio).label
    return f"{nombre} — {especialidades[especialidad]}" if especialidad else nombre


def atenciones_guardar(
    *,
    centro: Centro,
    mes: Mes,
    pacientes: dict[Clave, int | None],
    version: int | None,
    usuario,
    comentario: str = "",
    enviar: bool = False,
    hoy: datetime.date | None = None,
) -> ReporteMensual:
    """Saves the clinic's patients of a month by service (and specialty where broken down),
    as a draft or submitted, through the same month write as every centre's figures
    (`centros.services.mes_en_edicion`)."""
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
    with mes_en_edicion(
        centro=centro,
        mes=mes,
        version=version,
        usuario=usuario,
        motivo=motivo_de_edicion(comentario=comentario, enviar=enviar),
        comentario=comentario,
        enviar=enviar,
        hoy=hoy,
    ) as edicion:
        existentes = {
            (a.servicio, a.especialidad_id): a for a in edicion.reporte.atenciones_clinicas.all()
        }
        for clave, valor in pacientes.items():
            if valor is None:
                continue
            atencion = existentes.get(clave)
            if atencion is not None and atencion.pacientes == valor:
                continue
            atencion = atencion or AtencionClinica(
                reporte=edicion.reporte, servicio=clave[0], especialidad_id=clave[1]
            )
            atencion.pacientes = int(valor)
            # Without a comment, the history names the row that changed.
            edicion.fila_guardar(
                atencion, motivo=comentario.strip() or _clave_texto(clave, especialidades)
            )
    return edicion.reporte
