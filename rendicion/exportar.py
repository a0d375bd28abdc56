"""The report's tables as spreadsheets (XLSX and CSV), written from the definitions the page
and the PDF print (`tablas.py`): same rows, same totals, numbers as numbers; the writers are
the portal's own (`casmul.exportar`), which neutralise formulas."""

from collections.abc import Callable
from dataclasses import dataclass

import tablib

from casmul.exportar import CSV, TOTAL, XLSX, Archivo, a_csv, a_xlsx, libro

from .selectors import InformeRendicion, informe_rendicion
from .tablas import TABLAS, DefinicionTabla, Tabla, tablas_del_informe


def dataset(tabla: Tabla) -> tablib.Dataset:
    """The table's sheet: its columns' headers, its rows and its totals (tagged, bold in the
    XLSX) where the report prints them."""
    datos = tablib.Dataset(headers=tabla.encabezados_hoja, title=tabla.definicion.titulo)
    totales = [(fila, [TOTAL]) for fila in tabla.totales_hoja]
    filas = [(fila, []) for fila in tabla.filas_hoja]
    for fila, etiquetas in totales + filas if tabla.total_primero else filas + totales:
        datos.append(fila, tags=etiquetas)
    return datos


def libro_del_informe(informe: InformeRendicion) -> bytes:
    """Every table of the report, a sheet each, in the report's order."""
    return libro(
        f"Rendición de cuentas {informe.anio}",
        [(dataset(tabla), tabla.definicion.hoja) for tabla in tablas_del_informe(informe).values()],
    )


@dataclass(frozen=True)
class Formato:
    tipo_contenido: str
    escribir: Callable[[tablib.Dataset, DefinicionTabla], bytes]


FORMATOS: dict[str, Formato] = {
    "xlsx": Formato(XLSX, lambda datos, tabla: a_xlsx(datos, hoja=tabla.hoja)),
    "csv": Formato(CSV, lambda datos, tabla: a_csv(datos)),
}


def archivo_de_tabla(*, anio: int, slug: str, formato: str) -> Archivo | None:
    """The year's table as a file, or None for an unknown table, format or year."""
    definicion, escritor = TABLAS.get(slug), FORMATOS.get(formato)
    if definicion is None or escritor is None:
        return None
    informe = informe_rendicion(anio=anio)
    if informe is None:
        return None
    return Archivo(
        contenido=escritor.escribir(dataset(definicion.tabla(informe)), definicion),
        tipo_contenido=escritor.tipo_contenido,
        nombre=f"rendicion-{anio}-{slug}.{formato}",
    )
