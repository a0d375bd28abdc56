"""The snapshot of a published report: every figure with its rule and the months behind it,
and every table as printed; and the errata between two snapshots."""

import datetime
import json
from decimal import Decimal

from centros.selectors import informe as centros

from .selectors import InformeRendicion
from .tablas import tablas_del_informe


def _valor(valor):
    """JSON for a table cell or a figure: numbers as exact text, dates ISO."""
    if isinstance(valor, Decimal):
        return f"{valor:f}"
    if isinstance(valor, datetime.date):
        return valor.isoformat()
    if isinstance(valor, tuple | list):
        return [_valor(v) for v in valor]
    return valor


def instantanea(informe: InformeRendicion) -> dict:
    """What the report counts, as data: the completeness, each centre's figures (value, rule,
    months behind it), the clinic's patients and every table's rows and totals."""
    tablas = tablas_del_informe(informe)
    return {
        "anio": informe.anio,
        "meses_de_operacion": {
            "aprobados": informe.completitud.aprobados,
            "debidos": informe.completitud.debidos,
        },
        "cifras": [
            {
                "centro": cifra.centro_numero,
                "nombre_centro": cifra.centro,
                "indicador": cifra.indicador,
                "nombre": cifra.nombre,
                "regla": cifra.regla,
                "valor": _valor(cifra.valor),
                "meses": cifra.meses,
            }
            for cifra in centros.cifras_con_regla(anio=informe.anio)
        ],
        "clinica": {
            "meses": informe.clinica.meses_reportados,
            "pacientes": {fila.nombre: fila.pacientes for fila in informe.clinica.por_servicio},
        },
        "tablas": {
            slug: {
                "titulo": tabla.definicion.titulo,
                "encabezados": tabla.encabezados_hoja,
                "filas": [_valor(fila) for fila in tabla.filas_hoja],
                "totales": [_valor(total) for total in tabla.totales_hoja],
            }
            for slug, tabla in tablas.items()
        },
    }


def instantanea_json(datos: dict) -> bytes:
    return json.dumps(datos, ensure_ascii=False, indent=1, sort_keys=True).encode("utf-8")


def _cifras_con_nombre(datos: dict) -> dict[str, str]:
    """Each figure a reader would name: a centre's figure, the clinic's patients per service,
    and each table's totals."""
    cifras = {
        f"{c['centro']}. {c['nombre_centro']}: {c['nombre']}": c["valor"] for c in datos["cifras"]
    }
    cifras |= {
        f"Clínica: {servicio}": str(pacientes)
        for servicio, pacientes in datos["clinica"]["pacientes"].items()
    }
    for tabla in datos["tablas"].values():
        for total in tabla["totales"]:
            for encabezado, valor in zip(tabla["encabezados"], total, strict=True):
                if isinstance(valor, int | float | str) and encabezado and valor not in ("", None):
                    if isinstance(valor, str) and not valor.replace(".", "").isdigit():
                        continue
                    cifras[f"{tabla['titulo']} — total, {encabezado}"] = str(valor)
    return cifras


def erratas(anterior: dict, nueva: dict) -> list[dict]:
    """The figures that differ between two snapshots: {"cifra", "antes", "despues"} ("—" where
    a figure appears or disappears), in the order of the new one."""
    antes, despues = _cifras_con_nombre(anterior), _cifras_con_nombre(nueva)
    nombres = list(despues) + [nombre for nombre in antes if nombre not in despues]
    return [
        {"cifra": nombre, "antes": antes.get(nombre, "—"), "despues": despues.get(nombre, "—")}
        for nombre in nombres
        if antes.get(nombre) != despues.get(nombre)
    ]
