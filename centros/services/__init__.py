"""Writes of `centros`, one module per subject: `mes` (the month write: open, rows, close, for
one month or many), `advertencias` (the soft rules a month's close computes), `revision`
(submission, approval, reopening), `beneficiarios` (the nominal registry), `fotos` and
`operaciones` (a centre's photos and years of operation), `definiciones` (a centre changed from
a year on), `avisos` (the notices by e-mail). Callers import from here."""

from .advertencias import (
    advertencias_de_cifras,
    advertencias_de_meses,
    advertencias_del_mes,
)
from .ausencias import sin_atencion_registrar
from .avisos import (
    avisos_del_dia_tarea,
    avisos_elegir,
    mes_devuelto_avisar,
    recordatorios_enviar,
    resumen_diario_enviar,
)
from .beneficiarios import (
    beneficiario_anonimizar,
    beneficiario_inscribir,
    beneficiario_nuevo_comprobar,
    cedula_anonima,
    inscripcion_comprobar,
    inscripcion_finalizar,
    inscripcion_salida_comprobar,
)
from .definiciones import (
    anio_de_los_cambios,
    centro_definicion_comprobar,
    centro_definir,
    indicador_definicion_comprobar,
    indicador_definir,
)
from .fotos import LADO_MAYOR_IMPRESION, foto_centro_crear, foto_centro_guardar
from .mes import (
    MENSAJE_MES_APROBADO,
    ClaveMes,
    ConflictoDeVersion,
    MesEnEdicion,
    mes_abierto_a_registro,
    mes_comprobar_abierto,
    mes_en_edicion,
    meses_bloquear,
    meses_importados_guardar,
    motivo_de_edicion,
    reporte_abrir_leido,
    reporte_bloquear,
    reporte_guardar,
    valores_validar,
)
from .operaciones import AnioDeCentrosAbierto, operaciones_abrir, operaciones_continuar
from .revision import (
    ResultadoEnvio,
    plazo_fijar,
    reporte_devolver,
    reporte_reabrir,
    reportes_aprobar,
    reportes_enviar,
    reportes_importados_enviar,
)

__all__ = [
    "AnioDeCentrosAbierto",
    "LADO_MAYOR_IMPRESION",
    "MENSAJE_MES_APROBADO",
    "ClaveMes",
    "ConflictoDeVersion",
    "MesEnEdicion",
    "ResultadoEnvio",
    "advertencias_de_cifras",
    "anio_de_los_cambios",
    "advertencias_de_meses",
    "advertencias_del_mes",
    "avisos_del_dia_tarea",
    "avisos_elegir",
    "beneficiario_anonimizar",
    "beneficiario_inscribir",
    "beneficiario_nuevo_comprobar",
    "cedula_anonima",
    "centro_definicion_comprobar",
    "centro_definir",
    "foto_centro_crear",
    "foto_centro_guardar",
    "mes_devuelto_avisar",
    "recordatorios_enviar",
    "resumen_diario_enviar",
    "indicador_definicion_comprobar",
    "indicador_definir",
    "inscripcion_comprobar",
    "inscripcion_finalizar",
    "inscripcion_salida_comprobar",
    "mes_abierto_a_registro",
    "mes_comprobar_abierto",
    "mes_en_edicion",
    "meses_bloquear",
    "meses_importados_guardar",
    "motivo_de_edicion",
    "operaciones_abrir",
    "operaciones_continuar",
    "plazo_fijar",
    "reporte_abrir_leido",
    "reporte_bloquear",
    "reporte_devolver",
    "reporte_guardar",
    "reporte_reabrir",
    "reportes_aprobar",
    "reportes_enviar",
    "reportes_importados_enviar",
    "sin_atencion_registrar",
    "valores_validar",
]
