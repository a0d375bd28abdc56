"""Importing records from spreadsheets as clerks write them, one module a job:

- `lector`: an uploaded CSV or XLSX read into a clean table (`hoja_leer`);
- `celdas`: one cell read as a number, year, month, date, choice or «Sí»/«No»;
- `resources`: the reading plugged into django-import-export (a format, resource mixins);
- `forms`: the admin's and the portal's upload, the portal's confirmation;
- `admin`: the admin's import (`ImportacionDeHojaMixin`);
- `registro`: the kinds the apps register in `ready()` (`importable_registrar`);
- `importacion`: running an import and its summary, for the command, the portal and the worker;
- `portal`: the portal's preview → confirmation → worker;
- `guardadas`: every file kept between a preview and its import, the portal's and the admin's.

No domain app is imported here: the columns, resources and references are given by the apps that
register their kinds. The names below are those the apps, the portal's views and the commands
use.
"""

from .admin import ImportacionDeHojaMixin
from .celdas import (
    anio_leer,
    celda_entero,
    celda_fecha,
    celda_opcion,
    celda_si_no,
    celda_texto,
    mes_leer,
)
from .forms import ConfirmacionForm, HojaImportForm, HojaSubidaForm
from .guardadas import guardadas_vencidas_borrar
from .importacion import importacion_ejecutar
from .lector import (
    FILAS_MAXIMO,
    TAMANO_MAXIMO,
    Fila,
    HojaRechazada,
    archivo_comprobar,
    columna_normalizar,
    columnas_faltan_mensaje,
    hoja_leer,
)
from .portal import importacion_confirmar, importacion_previsualizar, importacion_tarea
from .registro import (
    OpcionDeImportacion,
    TipoImportable,
    importable,
    importable_registrar,
    importables,
    importables_de,
    plantilla_xlsx,
)
from .resources import FilasDeLaHoja, FormatoHoja, RecursoDeHoja, hoja_dataset

__all__ = [
    "FILAS_MAXIMO",
    "TAMANO_MAXIMO",
    "ConfirmacionForm",
    "Fila",
    "FilasDeLaHoja",
    "FormatoHoja",
    "HojaImportForm",
    "HojaRechazada",
    "HojaSubidaForm",
    "ImportacionDeHojaMixin",
    "OpcionDeImportacion",
    "RecursoDeHoja",
    "TipoImportable",
    "anio_leer",
    "archivo_comprobar",
    "celda_entero",
    "celda_fecha",
    "celda_opcion",
    "celda_si_no",
    "celda_texto",
    "columna_normalizar",
    "columnas_faltan_mensaje",
    "guardadas_vencidas_borrar",
    "hoja_dataset",
    "hoja_leer",
    "importable",
    "importable_registrar",
    "importables",
    "importables_de",
    "importacion_confirmar",
    "importacion_ejecutar",
    "importacion_previsualizar",
    "importacion_tarea",
    "mes_leer",
    "plantilla_xlsx",
]
