"""The consistency panel: what the coordinator should fix before publishing a year's report.
Each observation links to where it can be fixed."""

import datetime
from dataclasses import dataclass
from urllib.parse import urlencode

from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from casmul.formato import dinero, numero, porcentaje
from centros.selectors import consistencia as centros
from convenios import selectors as convenios
from presupuesto import selectors as presupuesto

from .models import ComprobacionDeEnlace


@dataclass(frozen=True)
class Observacion:
    categoria: str
    texto: str
    enlace: str


def _meses(meses) -> str:
    return ", ".join(mes.nombre.lower() for mes in meses)


def _vencidos(meses, atrasados) -> str:
    vencidos = [mes for mes in meses if mes in atrasados]
    return f" Con el plazo vencido: {_meses(vencidos)}." if vencidos else ""


def _fecha(fecha) -> str:
    return date_format(fecha, "d/m/Y")


# The panel's groups, in the order it lists them (each group once).
CATEGORIAS = [
    "Meses sin reportar",
    "Meses sin aprobar",
    "Cifras fuera de rango",
    "Días sin atención",
    "Registro de beneficiarios",
    "Centros MIES sin convenio",
    "Fechas de convenios",
    "Ejecución sobre el 100 %",
    "Secciones vacías",
    "Enlaces del formulario CPCCS",
]


def enlaces_rotos(*, anio: int) -> list[ComprobacionDeEnlace]:
    """The links of the year's form that did not answer 200 with their recorded document at
    their last check."""
    return [c for c in ComprobacionDeEnlace.objects.filter(anio=anio) if not c.correcto]


def observaciones(*, anio: int, hoy: datetime.date) -> list[Observacion]:
    """Months not reported or not approved, unusual figures, registries that disagree with the
    users figure, MIES centres without an agreement
    part of the year, agreement dates that contradict themselves or the year, execution
    above 100 %, sections the report would print empty; grouped by kind, in `CATEGORIAS`'
    order."""
    resultado = []
    for pendiente in centros.meses_pendientes(anio=anio, hoy=hoy):
        # The centre's year: each month with its state, opened from there.
        del_anio = reverse("centros:anio", args=[pendiente.centro_id, anio])
        if pendiente.sin_datos:
            resultado.append(
                Observacion(
                    "Meses sin reportar",
                    f"{pendiente.numero}. {pendiente.nombre_corto}: sin datos en "
                    f"{_meses(pendiente.sin_datos)}."
                    + _vencidos(pendiente.sin_datos, pendiente.atrasados),
                    del_anio,
                )
            )
        if pendiente.sin_aprobar:
            resultado.append(
                Observacion(
                    "Meses sin aprobar",
                    f"{pendiente.numero}. {pendiente.nombre_corto}: sin aprobar "
                    f"{_meses(pendiente.sin_aprobar)}."
                    + _vencidos(pendiente.sin_aprobar, pendiente.atrasados),
                    del_anio,
                )
            )
    for atipica in centros.cifras_atipicas(anio=anio):
        formato = dinero if atipica.es_monetaria else numero
        resultado.append(
            Observacion(
                "Cifras fuera de rango",
                f"{atipica.nombre_corto}, {atipica.mes.nombre.lower()}: {atipica.indicador} "
                f"= {formato(atipica.valor)}, frente a un promedio de {formato(atipica.promedio)} "
                "en los demás meses.",
                reverse("centros:mes", args=[atipica.centro_id, anio, atipica.mes.numero]),
            )
        )
    for periodo in centros.periodos_sin_atencion(anio=anio):
        # Explained by the centre: listed so that the report is read with it.
        resultado.append(
            Observacion(
                "Días sin atención",
                f"{periodo.centro.numero}. {periodo.centro.nombre_corto}: no atendió del "
                f"{_fecha(periodo.desde)} al {_fecha(periodo.hasta)} ({periodo.motivo}).",
                reverse("centros:anio", args=[periodo.centro_id, anio]),
            )
        )
    for registro in centros.registro_discrepante(anio):
        # The monthly maximum undercounts when people come and go during the year.
        resultado.append(
            Observacion(
                "Registro de beneficiarios",
                f"{registro.numero}. {registro.nombre_corto}: {numero(registro.personas)} "
                f"personas inscritas en {anio}, pero la cifra de usuarios ({registro.regla}) "
                f"es {numero(registro.usuarios)}.",
                reverse("centros:beneficiarios")
                + "?"
                + urlencode({"centro": registro.centro_id, "anio": anio}),
            )
        )
    for centro in convenios.centros_mies_sin_cobertura(anio=anio):
        periodos = "; ".join(f"{_fecha(p.desde)} – {_fecha(p.hasta)}" for p in centro.periodos)
        resultado.append(
            Observacion(
                "Centros MIES sin convenio",
                f"{centro.numero}. {centro.nombre_corto}: sin convenio MIES del {periodos}.",
                # The centre's page: its agreements and the months each one covers.
                reverse("rendicion:centro", args=[centro.centro_id]),
            )
        )
    for convenio in convenios.convenios_con_fechas_dudosas(anio=anio):
        resultado.append(
            Observacion(
                "Fechas de convenios",
                f"Convenio {convenio.numero} ({convenio.titulo[:70]}…): {convenio.motivo}.",
                reverse("convenios:detalle", args=[convenio.convenio_id]),
            )
        )
    for exceso in presupuesto.sobreejecuciones(anio=anio):
        enlace = (
            reverse("presupuesto:lineas") + "?" + urlencode({"anio": anio})
            if exceso.linea_id
            else reverse("presupuesto:institucional")
        )
        resultado.append(
            Observacion(
                "Ejecución sobre el 100 %",
                f"{exceso.descripcion}: ejecutado {dinero(exceso.ejecutado)} de "
                f"{dinero(exceso.codificado)} codificado ({porcentaje(exceso.ejecucion, 1)}).",
                enlace,
            )
        )
    if centros.anexo_sin_fotos(anio=anio):
        resultado.append(
            Observacion(
                "Secciones vacías",
                f"El anexo no tiene fotos de {anio}: se omite del informe hasta que la "
                "Administración las suba.",
                # Uploaded in the admin, which is the administration's alone: no link.
                "",
            )
        )
    for comprobacion in enlaces_rotos(anio=anio):
        resultado.append(
            Observacion(
                "Enlaces del formulario CPCCS",
                f"{comprobacion.fila}: {comprobacion.url} {comprobacion.problema} (comprobado "
                f"el {_fecha(timezone.localtime(comprobacion.comprobado_en))}).",
                reverse("rendicion:cpccs", args=[anio]),
            )
        )
    return sorted(resultado, key=lambda observacion: CATEGORIAS.index(observacion.categoria))
