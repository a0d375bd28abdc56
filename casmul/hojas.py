"""Reading an uploaded spreadsheet into a clean table, as clerks really write them.

What Excel and LibreOffice in Spanish save: CSV separated by `;` (or `,`, or tabs), in UTF-8 with
or without BOM or in Windows-1252; XLSX with a title above the header, headers written
`Año`/`CENTRO`/` centro `, and formatted but empty rows at the end. `hoja_leer` turns any of
them into a `Tabla`: the expected columns under their canonical names, the rows that have data,
each with the row number the spreadsheet shows, so that every error can name it.

The second half plugs the reading into django-import-export (a format, an import form, a
resource mixin), for every record kind imported through the admin; keeps the registry of those
kinds; and runs an import for the `importar` command and the portal's page
(`importacion_ejecutar`), the page keeping the file between its preview and its confirmation
(`importacion_previsualizar`, `importacion_confirmar`). No domain app is imported here: the
columns, resources and references are given by the apps that register their kinds.
"""

import csv
import datetime
import io
import logging
import os
import re
import secrets
import time
import unicodedata
from collections.abc import Callable, Hashable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path, PurePath

import tablib
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core import signing
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.html import format_html
from django_tasks import task
from import_export.admin import ImportMixin
from import_export.formats import base_formats
from import_export.forms import ImportForm
from import_export.results import RowResult

from casmul.exportar import libro
from casmul.formato import numero
from casmul.meses import PRIMER_ANIO
from casmul.roles import Rol, tiene_rol
from casmul.tareas import TareaRechazada
from casmul.temporales import TemporalDeImportacion, carpeta_temporal

logger = logging.getLogger(__name__)

TAMANO_MAXIMO = 10 * 1024 * 1024  # bytes; a year of figures of every centre is far below
# Data rows; a year of figures of every centre is a few thousand. Beyond this the import would
# hold its transaction (and the months it locks) for minutes.
FILAS_MAXIMO = 100_000
EXTENSIONES = (".csv", ".xlsx")
# Tried in this order; the one that splits a row into the expected column names wins.
DELIMITADORES = (";", ",", "\t")

_GUARDAR_COMO = "guárdelo como «Libro de Excel (.xlsx)» o «CSV UTF-8»"
_CODIFICACION = "El archivo no está en UTF-8 ni en Windows-1252; guárdelo como «CSV UTF-8»."
_NO_ES_HOJA = (
    f"El archivo no es una hoja de cálculo CSV ni XLSX: ábralo en Excel o LibreOffice y "
    f"{_GUARDAR_COMO}."
)
_SIN_FILAS = "El archivo no tiene filas de datos."


class HojaRechazada(ValueError):
    """The file cannot be read as a table. Its message, in Spanish, says why and what to do."""

    @property
    def mensaje(self) -> str:
        return str(self.args[0])


@dataclass(frozen=True)
class Fila:
    numero: int  # as the spreadsheet shows it (1-based, counting the title and header rows)
    valores: tuple  # in the order of `Tabla.columnas`
    errores: Mapping[str, str] = field(default_factory=dict)  # column -> why it is unreadable


@dataclass(frozen=True)
class Tabla:
    columnas: tuple[str, ...]
    filas: tuple[Fila, ...]


@dataclass(frozen=True)
class Columnas:
    """The columns a reading looks for, normalised: those the header row must have, and those
    it may have."""

    obligatorias: tuple[str, ...]
    opcionales: tuple[str, ...] = ()

    @property
    def todas(self) -> tuple[str, ...]:
        return (*self.obligatorias, *self.opcionales)


# --- Reading -----------------------------------------------------------------------------------


def columna_normalizar(texto) -> str:
    """' Año ' -> 'anio', 'CENTRO' -> 'centro', 'Código del indicador' -> 'codigo_del_indicador'.

    `ñ` becomes `ni` before accents are dropped: the portal writes `anio`, not `ano`."""
    texto = str(texto if texto is not None else "").strip().lower()
    # Composed first: a Mac writes `ñ` as `n` and a combining tilde.
    texto = unicodedata.normalize("NFC", texto).replace("ñ", "ni")
    texto = "".join(c for c in unicodedata.normalize("NFKD", texto) if not unicodedata.combining(c))
    return re.sub(r"\s+", "_", texto)


def columnas_faltan_mensaje(faltan: Sequence[str], encabezados: Sequence) -> str:
    """One sentence naming the missing columns and what the header row has instead."""
    nombres = ", ".join(f"«{c}»" for c in faltan)
    inicio = f"Faltan las columnas {nombres}" if len(faltan) > 1 else f"Falta la columna {nombres}"
    tiene = ", ".join(f"«{str(c).strip()}»" for c in encabezados if not _vacia(c))
    return f"{inicio}; la fila de encabezados tiene: {tiene or 'nada'}."


def archivo_comprobar(*, nombre: str, tamano: int) -> None:
    """Refuses, before anything is read, a file too large or not named as a CSV or XLSX."""
    if PurePath(nombre).suffix.lower() not in EXTENSIONES:
        raise HojaRechazada(
            f"«{nombre}» no es una hoja de cálculo CSV ni XLSX: suba un archivo .csv o .xlsx "
            f"(en Excel o LibreOffice, {_GUARDAR_COMO})."
        )
    _tamano_comprobar(tamano)


def _tamano_comprobar(tamano: int) -> None:
    if tamano > TAMANO_MAXIMO:
        raise HojaRechazada(
            f"El archivo pesa {numero(tamano / 1024 / 1024, 1)} MB y el máximo es "
            f"{TAMANO_MAXIMO // 1024 // 1024} MB: quite las hojas y filas que no sean datos, "
            "o divídalo en varios archivos."
        )


def hoja_leer(
    contenido: bytes, *, columnas: Sequence[str], opcionales: Sequence[str] = ()
) -> Tabla:
    """The table of a CSV or XLSX file (told apart by content, not by name) with `columnas`,
    and after them those of `opcionales` the file has.

    The header row is the first row holding every expected column (names compared normalised,
    see `columna_normalizar`); rows above it are skipped, as are rows with every cell empty.
    Raises `HojaRechazada` when the file cannot give such a table."""
    _tamano_comprobar(len(contenido))
    esperadas = Columnas(
        tuple(columna_normalizar(c) for c in columnas),
        tuple(columna_normalizar(c) for c in opcionales),
    )
    if not contenido.strip():
        raise HojaRechazada("El archivo está vacío.")
    if contenido.startswith(b"PK\x03\x04"):  # a zip: an Office Open XML workbook
        return _xlsx_leer(contenido, esperadas)
    if contenido.startswith(b"\xd0\xcf\x11\xe0"):  # OLE2: Excel 97-2003
        raise HojaRechazada(f"El archivo es de Excel 97-2003 (.xls): {_GUARDAR_COMO}.")
    if contenido.startswith((b"\xff\xfe", b"\xfe\xff")):  # Excel's "Unicode text" (UTF-16)
        raise HojaRechazada(_CODIFICACION)
    if b"\x00" in contenido[:4096]:  # binary: neither text nor a workbook
        raise HojaRechazada(_NO_ES_HOJA)
    return _csv_leer(_decodificar(contenido), esperadas)


def _decodificar(contenido: bytes) -> str:
    # UTF-8 first: Windows-1252 decodes almost any byte sequence, so it can only be the fallback.
    for codificacion in ("utf-8-sig", "cp1252"):
        try:
            return contenido.decode(codificacion)
        except UnicodeDecodeError:
            continue
    raise HojaRechazada(_CODIFICACION)


def _vacia(celda) -> bool:
    return celda is None or (isinstance(celda, str) and not celda.strip())


def _csv_leer(texto: str, esperadas: Columnas) -> Tabla:
    if not texto.translate(str.maketrans("", "", "".join(DELIMITADORES) + '"')).strip():
        # Only separators (`;;;;` lines): a sheet saved with nothing in it.
        raise HojaRechazada("El archivo está vacío.")

    def filas(delimitador: str) -> Iterator[tuple[int, list, dict]]:
        # A record per spreadsheet row, even when a quoted cell spans several lines.
        lector = csv.reader(io.StringIO(texto, newline=""), delimiter=delimitador)
        try:
            for numero_fila, celdas in enumerate(lector, start=1):
                yield numero_fila, celdas, {}
        except csv.Error as error:
            raise HojaRechazada(
                f"No se pudo leer la fila {lector.line_num} del archivo CSV ({error}): "
                f"{_GUARDAR_COMO}."
            ) from None

    return _tabla_de_la_primera(
        ((delimitador, filas(delimitador)) for delimitador in DELIMITADORES), esperadas
    )


def _xlsx_leer(contenido: bytes, esperadas: Columnas) -> Tabla:
    import openpyxl
    from openpyxl.utils import get_column_letter

    def abrir(data_only: bool):
        try:
            return openpyxl.load_workbook(
                io.BytesIO(contenido), read_only=True, data_only=data_only
            )
        except Exception:  # whatever openpyxl trips on, the file is not a workbook it reads
            raise HojaRechazada(_NO_ES_HOJA) from None

    # Values as last computed by the spreadsheet, and the formulas, to tell a formula never
    # computed (a file written by a program, not saved by Excel) from an empty cell.
    valores, formulas = abrir(True), abrir(False)

    def filas(indice: int) -> Iterator[tuple[int, list, dict]]:
        hoja_valores, hoja_formulas = valores.worksheets[indice], formulas.worksheets[indice]
        for hoja in (hoja_valores, hoja_formulas):
            # The stored dimension may be wrong (some programs write "A1"): read every row.
            hoja.reset_dimensions()
        pares = zip(
            hoja_valores.iter_rows(min_row=1),
            hoja_formulas.iter_rows(min_row=1),
            strict=False,
        )
        for numero_fila, (celdas, celdas_formula) in enumerate(pares, start=1):
            errores = {}
            for indice_celda, celda in enumerate(celdas):
                celda_formula = (
                    celdas_formula[indice_celda] if indice_celda < len(celdas_formula) else None
                )
                referencia = f"{get_column_letter(indice_celda + 1)}{numero_fila}"
                if celda.data_type == "e":
                    errores[indice_celda] = (
                        f"La celda {referencia} muestra el error {celda.value}: corrija su "
                        "fórmula o escriba el número."
                    )
                elif (
                    celda.value is None
                    and celda_formula is not None
                    and celda_formula.data_type == "f"
                ):
                    errores[indice_celda] = (
                        f"La celda {referencia} tiene una fórmula sin valor calculado: abra el "
                        "archivo en Excel o LibreOffice y guárdelo de nuevo, o escriba el número."
                    )
            yield numero_fila, [celda.value for celda in celdas], errores

    try:
        return _tabla_de_la_primera(
            ((indice, filas(indice)) for indice in range(len(valores.worksheets))), esperadas
        )
    finally:
        valores.close()
        formulas.close()


def _tabla_de_la_primera(candidatas: Iterable, esperadas: Columnas) -> Tabla:
    """The table of the first candidate reading (a CSV delimiter, an XLSX sheet) that has the
    header row; when none has it, the missing-columns error of the closest one."""
    mejor: tuple[int, Sequence] | None = None  # (expected columns found, header cells)
    for _, filas in candidatas:
        filas = iter(filas)
        encontrado = _encabezado_buscar(filas, esperadas)
        if isinstance(encontrado, dict):
            return _datos_leer(filas, encontrado)
        if encontrado is not None and (mejor is None or encontrado[0] > mejor[0]):
            mejor = encontrado
    if mejor is None:
        raise HojaRechazada("El archivo está vacío.")
    _, celdas = mejor
    presentes = {columna_normalizar(c) for c in celdas}
    raise HojaRechazada(
        columnas_faltan_mensaje([c for c in esperadas.obligatorias if c not in presentes], celdas)
    )


def _encabezado_buscar(filas: Iterator, esperadas: Columnas):
    """Consumes rows up to the header: returns {column: cell index} when found, else the row
    closest to a header (how many expected columns, its cells), or None for no data at all."""
    mejor = None
    for numero_fila, celdas, _ in filas:
        if all(_vacia(c) for c in celdas):
            continue
        nombres = [columna_normalizar(c) for c in celdas]
        encontradas = [c for c in esperadas.obligatorias if c in nombres]
        if len(encontradas) == len(esperadas.obligatorias):
            presentes = [c for c in esperadas.todas if c in nombres]
            for columna in presentes:
                if nombres.count(columna) > 1:
                    raise HojaRechazada(
                        f"La columna «{columna}» aparece dos veces en la fila de encabezados "
                        f"(fila {numero_fila}): deje una sola."
                    )
            # In the order expected: the required columns first, then the optional ones.
            return {columna: nombres.index(columna) for columna in presentes}
        if mejor is None or len(encontradas) > mejor[0]:
            mejor = (len(encontradas), celdas)
    return mejor


def _datos_leer(filas: Iterator, posiciones: dict[str, int]) -> Tabla:
    leidas = []
    for numero_fila, celdas, errores in filas:
        errores_columna = {c: errores[i] for c, i in posiciones.items() if i in errores}
        # Excel and LibreOffice keep rows that were only formatted; `;;;;` lines are the same.
        if not errores_columna and all(_vacia(c) for c in celdas):
            continue
        if len(leidas) == FILAS_MAXIMO:
            # Said before anything is imported, and without reading the rest of the file.
            raise HojaRechazada(
                f"El archivo tiene más de {numero(FILAS_MAXIMO)} filas de datos y el máximo es "
                f"{numero(FILAS_MAXIMO)}: divídalo en varios archivos."
            )
        valores = tuple(celdas[i] if i < len(celdas) else None for i in posiciones.values())
        leidas.append(Fila(numero=numero_fila, valores=valores, errores=errores_columna))
    if not leidas:
        raise HojaRechazada(_SIN_FILAS)
    # An optional column the file lacks is not in the table: its records keep what they have.
    return Tabla(columnas=tuple(posiciones), filas=tuple(leidas))


# --- django-import-export ----------------------------------------------------------------------


def hoja_dataset(tabla: Tabla) -> tablib.Dataset:
    """The table as the dataset import-export reads, carrying the table for `FilasDeLaHoja`."""
    dataset = tablib.Dataset(*(fila.valores for fila in tabla.filas), headers=list(tabla.columnas))
    dataset.hoja = tabla
    return dataset


class FormatoHoja(base_formats.Format):
    """One import format for CSV and XLSX: the file says which it is. Subclass it with the
    record kind's `columnas` (and `opcionales`), written as the template's headers show them:
    they are compared normalised."""

    columnas: tuple[str, ...] = ()
    opcionales: tuple[str, ...] = ()

    def __init__(self, encoding=None):
        # The admin passes its text encoding; the file is read as bytes and its own encoding
        # is found by `hoja_leer`.
        self.encoding = encoding

    def get_title(self):
        return "Hoja de cálculo (CSV o XLSX)"

    def create_dataset(self, in_stream):
        return hoja_dataset(
            hoja_leer(in_stream, columnas=self.columnas, opcionales=self.opcionales)
        )

    def is_binary(self):
        # Kept as bytes in the admin's temporary storage, so that a Windows-1252 file is not
        # refused by the admin's UTF-8 reading before it reaches `hoja_leer`.
        return True

    def get_read_mode(self):
        return "rb"

    def get_extension(self):
        return "csv"

    def can_import(self):
        return True


def _subida_comprobar(archivo):
    try:
        archivo_comprobar(nombre=archivo.name, tamano=archivo.size)
    except HojaRechazada as error:
        raise forms.ValidationError(error.mensaje, code="hoja") from None
    return archivo


class HojaImportForm(ImportForm):
    """The admin's import form, refusing a file too large or of another type before it is read."""

    class Media:
        # The refused rows' reasons shown, not hidden until hovered.
        css = {"all": ["casmul/admin_importar.css"]}

    def clean_import_file(self):
        return _subida_comprobar(self.cleaned_data["import_file"])


class HojaSubidaForm(forms.Form):
    """The portal's import form: the admin's rules (`HojaImportForm`), before the file is read."""

    archivo = forms.FileField(
        label="Archivo",
        help_text=f"CSV o XLSX, hasta {TAMANO_MAXIMO // 1024 // 1024} MB.",
        error_messages={
            "required": "Elija el archivo que va a importar.",
            "empty": "El archivo está vacío.",
        },
    )

    def clean_archivo(self):
        return _subida_comprobar(self.cleaned_data["archivo"])


class ConfirmacionForm(forms.Form):
    """The portal's confirmation of a preview: its token, and the kind's options the user is
    offered (`TipoImportable.opciones_de`)."""

    token = forms.CharField(widget=forms.HiddenInput)

    def __init__(self, *args, opciones: Sequence["OpcionDeImportacion"] = (), **kwargs):
        super().__init__(*args, **kwargs)
        self.opciones = tuple(opciones)
        for opcion in self.opciones:
            self.fields[f"opcion_{opcion.nombre}"] = forms.BooleanField(
                label=opcion.etiqueta, required=False
            )

    @property
    def opciones_elegidas(self) -> dict[str, bool]:
        """The resource's keyword arguments: only the options offered, never another."""
        return {
            opcion.nombre: True
            for opcion in self.opciones
            if self.cleaned_data.get(f"opcion_{opcion.nombre}")
        }


class FilasDeLaHoja:
    """Resource mixin: the rows of a dataset read by `hoja_leer` are numbered as the spreadsheet
    shows them, and a cell that could not be read makes its row invalid.

    A dataset built another way keeps import-export's numbering (1 = first data row)."""

    def before_import(self, dataset, **kwargs):
        super().before_import(dataset, **kwargs)
        self._hoja: Tabla | None = getattr(dataset, "hoja", None)
        # Who imports, for the checks of the rows (which centres a clerk may write).
        self._importador = self.usuario_de(kwargs)

    @staticmethod
    def usuario_de(kwargs):
        """Who imports: the admin and the portal pass their user; the command, the one it was
        told (or none)."""
        usuario = kwargs.get("user")
        return usuario if usuario is not None and usuario.is_authenticated else None

    @staticmethod
    def motivo_de(que: str, kwargs) -> str:
        """What the history says of a write of the import: what, and from which file."""
        archivo = kwargs.get("file_name")
        return f"{que} desde «{archivo}»" if archivo else f"{que} desde un archivo"

    def fila_de_la_hoja(self, row_number: int) -> int:
        """The spreadsheet's row number of import-export's `row_number`."""
        hoja = getattr(self, "_hoja", None)
        return hoja.filas[row_number - 1].numero if hoja is not None else row_number

    def before_import_row(self, row, **kwargs):
        super().before_import_row(row, **kwargs)
        hoja = getattr(self, "_hoja", None)
        if hoja is not None and (errores := hoja.filas[kwargs["row_number"] - 1].errores):
            raise ValidationError(dict(errores))

    def import_data(self, dataset, *args, **kwargs):
        result = super().import_data(dataset, *args, **kwargs)
        if getattr(dataset, "hoja", None) is not None:
            # Import-export counts data rows from 1; the admin shows this number as "Fila".
            for fila in result.invalid_rows:
                fila.number = self.fila_de_la_hoja(fila.number)
            for fila in result.error_rows:
                fila.number = self.fila_de_la_hoja(fila.number)
                for error in fila.errors:
                    error.number = fila.number
        return result


# --- Cells -------------------------------------------------------------------------------------


def celda_entero(valor) -> int | None:
    """A whole number from a spreadsheet cell: 7, 7.0, "7", " 7 "; None otherwise."""
    if isinstance(valor, bool) or valor is None:
        return None
    if isinstance(valor, int):
        return valor
    try:
        cantidad = Decimal(str(valor).strip())
    except InvalidOperation:
        return None
    if not cantidad.is_finite() or cantidad != cantidad.to_integral_value():
        return None
    return int(cantidad)


def anio_leer(row, errores: dict[str, str], columna: str = "anio") -> int | None:
    """The row's year (four digits, the portal's first or later); a Spanish error otherwise."""
    anio = celda_entero(row.get(columna))
    if anio is None or anio < PRIMER_ANIO:
        errores[columna] = f"Escriba el año con cuatro cifras ({PRIMER_ANIO} o posterior)."
    return anio


def mes_leer(row, errores: dict[str, str], columna: str = "mes") -> int | None:
    """The row's month (1 to 12); a Spanish error otherwise."""
    mes = celda_entero(row.get(columna))
    if mes is None or not 1 <= mes <= 12:
        errores[columna] = "Escriba el mes como un número del 1 al 12."
    return mes


def celda_texto(valor) -> str:
    """A cell as text, trimmed; a whole number a spreadsheet stored as 73.0 reads "73"."""
    if valor is None:
        return ""
    if isinstance(valor, float) and valor.is_integer():
        return str(int(valor))
    return str(valor).strip()


_FECHA_DMA = re.compile(r"(?P<dia>[0-9]{1,2})/(?P<mes>[0-9]{1,2})/(?P<anio>[0-9]{4})")
_FECHA_ISO = re.compile(r"(?P<anio>[0-9]{4})-(?P<mes>[0-9]{2})-(?P<dia>[0-9]{2})")


def celda_fecha(valor) -> datetime.date | None:
    """A date as a clerk writes it (dd/mm/aaaa), as the portal's exports write it
    (aaaa-mm-dd) or a real XLSX date; None when empty. Raises ValidationError in Spanish."""
    if isinstance(valor, datetime.datetime):
        return valor.date()
    if isinstance(valor, datetime.date):
        return valor
    texto = celda_texto(valor)
    if not texto:
        return None
    encontrada = _FECHA_DMA.fullmatch(texto) or _FECHA_ISO.fullmatch(texto)
    if encontrada is None:
        raise ValidationError(
            f"«{texto}» no es una fecha: escríbala como dd/mm/aaaa, por ejemplo 15/03/2024.",
            code="fecha",
        )
    try:
        anio, mes, dia = (int(encontrada[parte]) for parte in ("anio", "mes", "dia"))
        return datetime.date(anio, mes, dia)
    except ValueError:
        raise ValidationError(f"La fecha «{texto}» no existe.", code="fecha") from None


def celda_opcion(valor, opciones: Sequence[tuple[str, str]]) -> str | None:
    """The value of a choice written as its value or its label, in any case and with or
    without accents ("Convenio MIES", "convenio_mies"); None when empty. Raises
    ValidationError naming the labels."""
    texto = celda_texto(valor)
    if not texto:
        return None
    buscado = columna_normalizar(texto)
    for valor_opcion, etiqueta in opciones:
        if buscado in (columna_normalizar(valor_opcion), columna_normalizar(etiqueta)):
            return valor_opcion
    nombres = ", ".join(f"«{etiqueta}»" for _, etiqueta in opciones)
    raise ValidationError(f"«{texto}» no es una opción: escriba una de {nombres}.", code="opcion")


_SI_NO = (("si", "Sí"), ("no", "No"))


def celda_si_no(valor) -> bool | None:
    """«Sí»/«No» (any case, with or without accent) or a real XLSX boolean; None when empty.
    Raises ValidationError in Spanish."""
    if isinstance(valor, bool):
        return valor
    opcion = celda_opcion(valor, _SI_NO)
    return None if opcion is None else opcion == "si"


# --- Resources of records read whole from a row -------------------------------------------------


class RecursoDeHoja(FilasDeLaHoja):
    """Resource mixin (before `resources.ModelResource`) for records a row gives whole, found by
    a key of their own (a centre by its number, a budget line by year, área, partida and
    description). The subclass says how a row reads (`fila_leer`), its key (`fila_clave`) and
    the records already stored by key (`existentes`).

    Every row is validated with the model's `full_clean` (a published year is refused there,
    `casmul.cierres`); a row equal to its stored record is left unchanged (import-export's
    "skip"), so that the same file twice changes nothing; a key twice in the file is refused
    naming both rows; and the import is all or nothing."""

    # Model field -> column, so that the model's errors name the column the clerk sees.
    columnas_de_campos: Mapping[str, str] = {}

    def hoja_preparar(self) -> None:
        """Reads once, before the rows, what they refer to (centres, áreas…)."""

    def fila_leer(self, row) -> dict[str, object]:
        """The row's values by model field; raises ValidationError keyed by column."""
        raise NotImplementedError

    def fila_clave(self, valores: dict[str, object]) -> Hashable:
        raise NotImplementedError

    def existentes(self) -> Mapping[Hashable, object]:
        """The stored records by key, read in one query."""
        raise NotImplementedError

    def import_data(self, dataset, dry_run=False, raise_errors=False, **kwargs):
        """Always inside one transaction, rolled back when any row is invalid or fails: a file
        with a refused row writes nothing, whatever the caller asks for."""
        kwargs["use_transactions"] = True
        kwargs["rollback_on_validation_errors"] = True
        self._prueba = dry_run
        return super().import_data(dataset, dry_run=dry_run, raise_errors=raise_errors, **kwargs)

    def before_import(self, dataset, **kwargs):
        super().before_import(dataset, **kwargs)
        self._vistas: dict[Hashable, int] = {}
        self._valores: dict[str, object] = {}
        self._clave: Hashable = None
        self._cambia = False
        self.hoja_preparar()
        self._existentes = dict(self.existentes())

    def before_import_row(self, row, **kwargs):
        self._valores, self._clave = {}, None
        # A cell the spreadsheet could not give (a formula never computed) refuses the row.
        super().before_import_row(row, **kwargs)
        numero_fila = self.fila_de_la_hoja(kwargs["row_number"])
        valores = self.fila_leer(row)
        clave = self.fila_clave(valores)
        primera = self._vistas.setdefault(clave, numero_fila)
        if primera != numero_fila:
            mensaje = f"Esta fila repite la fila {primera} del archivo: deje una sola."
            raise ValidationError({NON_FIELD_ERRORS: mensaje})
        self._valores, self._clave = valores, clave

    def get_or_init_instance(self, instance_loader, row):
        existente = self._existentes.get(self._clave)
        if existente is not None:
            return existente, False
        return self._meta.model(), True

    def import_instance(self, instance, row, **kwargs):
        self._cambia = instance.pk is None or any(
            not self._igual(instance, campo, valor) for campo, valor in self._valores.items()
        )
        for campo, valor in self._valores.items():
            setattr(instance, campo, valor)

    @staticmethod
    def _igual(instance, campo: str, valor) -> bool:
        modelo = instance._meta.get_field(campo)
        if modelo.is_relation:
            # By id: reading the related record would cost a query per row.
            return getattr(instance, modelo.attname) == (valor.pk if valor is not None else None)
        return getattr(instance, campo) == valor

    def skip_row(self, instance, original, row, import_validation_errors=None):
        return not import_validation_errors and not self._cambia

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        errores = dict(import_validation_errors or {})
        try:
            instance.full_clean(validate_unique=validate_unique)
        except ValidationError as error:
            errores = error.update_error_dict(errores)
        if errores:
            columnas = self.columnas_de_campos
            raise ValidationError(
                {columnas.get(campo, campo): lista for campo, lista in errores.items()}
            )


# --- Admin -------------------------------------------------------------------------------------


_FIRMA_ADMIN = "casmul.hojas.importacion_admin"
# What `tempfile.NamedTemporaryFile` names a file: never a path, nor another file's name.
_NOMBRE_TEMPORAL = re.compile(r"tmp[a-z0-9_]{8}")


class ImportacionDeHojaMixin(ImportMixin):
    """ModelAdmin mixin: imports the registered kind `tipo_importable` (`importable_registrar`)
    from spreadsheets as clerks write them, with its format, its resource, the form that
    refuses a wrong file before reading it, a link to its template and messages in Spanish."""

    tipo_importable = ""
    import_form_class = HojaImportForm
    # Fixed, not left to the settings: the confirmation takes its file from this folder
    # (`_temporal_tomar`).
    tmp_storage_class = TemporalDeImportacion

    def importable(self) -> "TipoImportable":
        return importable(self.tipo_importable)

    def get_import_formats(self):
        return [self.importable().formato]

    def get_import_resource_classes(self, request):
        return [self.importable().recurso]

    def create_import_form(self, request):
        form = super().create_import_form(request)
        tipo = self.importable()
        form.fields["import_file"].help_text = format_html(
            'Columnas: {}. <a href="{}">Descargar la plantilla</a>.',
            ", ".join(tipo.encabezados),
            reverse("importar_plantilla", args=[tipo.slug]),
        )
        return form

    def add_data_read_fail_error_to_form(self, form, e):
        if isinstance(e, HojaRechazada):
            # Said in Spanish, with what to do; import-export's own text names the exception.
            form.add_error("import_file", e.mensaje)
        else:
            super().add_data_read_fail_error_to_form(form, e)

    def get_confirm_form_initial(self, request, import_form):
        inicial = super().get_confirm_form_initial(request, import_form)
        if inicial.get("import_file_name"):
            # import-export posts back the bare name of its temporary file, and reads whatever
            # file of the temporary folder the confirmation names: signed, bound to the user
            # and the model, it can name only this preview's file.
            inicial["import_file_name"] = signing.dumps(
                {
                    "archivo": os.path.basename(inicial["import_file_name"]),
                    "usuario": request.user.pk,
                    "modelo": self.opts.label_lower,
                },
                salt=_FIRMA_ADMIN,
            )
        return inicial

    def process_import(self, request, **kwargs):
        if request.method != "POST" or not self.has_import_permission(request):
            return super().process_import(request, **kwargs)  # 405 or 403, as import-export
        try:
            tomado = self._temporal_tomar(request)
        except HojaRechazada as error:
            # A confirmation sent twice, too late, or altered: said on the import page, where
            # the file can be uploaded again, instead of a FileNotFoundError (500).
            self.message_user(request, error.mensaje, messages.ERROR)
            return HttpResponseRedirect(self._pagina_de_importar())
        request.POST = request.POST.copy()
        request.POST["import_file_name"] = tomado.name
        try:
            return super().process_import(request, **kwargs)
        finally:
            # Imported or refused, the preview is spent.
            tomado.unlink(missing_ok=True)

    def _temporal_tomar(self, request) -> Path:
        """The preview's temporary file named by the confirmation's signed token, renamed so
        that of two confirmations sent at once (a double click) only one finds it. Raises
        `HojaRechazada`, in Spanish, when there is none to import."""
        token = request.POST.get("import_file_name", "")
        try:
            datos = signing.loads(token, salt=_FIRMA_ADMIN, max_age=VIGENCIA_VISTA_PREVIA)
        except signing.SignatureExpired:
            datos = signing.loads(token, salt=_FIRMA_ADMIN)
            if self._temporal_suyo(request, datos):
                (carpeta_temporal() / datos["archivo"]).unlink(missing_ok=True)
            raise HojaRechazada(
                f"La vista previa caducó (pasó más de {VIGENCIA_VISTA_PREVIA // 60} minutos) y no "
                f"se importó nada. {_VOLVER_A_SUBIR}"
            ) from None
        except signing.BadSignature:
            datos = None
        formatos = [str(indice) for indice in range(len(self.get_import_formats()))]
        if not self._temporal_suyo(request, datos) or request.POST.get("format") not in formatos:
            raise HojaRechazada(
                f"La confirmación no corresponde a una vista previa suya de "
                f"{self.opts.verbose_name_plural} y no se importó nada. {_VOLVER_A_SUBIR}"
            )
        ruta = carpeta_temporal() / datos["archivo"]
        tomado = ruta.with_name(f"{ruta.name}.importando")
        try:
            ruta.rename(tomado)
        except FileNotFoundError:
            raise HojaRechazada(
                "El archivo de la vista previa ya no está en el servidor (quizá ya se importó) y "
                f"no se importó nada. {_VOLVER_A_SUBIR}"
            ) from None
        return tomado

    def _temporal_suyo(self, request, datos) -> bool:
        return (
            isinstance(datos, dict)
            and datos.get("usuario") == request.user.pk
            and datos.get("modelo") == self.opts.label_lower
            and bool(_NOMBRE_TEMPORAL.fullmatch(str(datos.get("archivo", ""))))
        )

    def _pagina_de_importar(self) -> str:
        return reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_import")

    def process_result(self, result, request):
        if result.has_errors() or result.has_validation_errors():
            # Between the preview and the confirmation a row became invalid (a month approved
            # or a year published meanwhile, for example): the import was rolled back whole.
            self.message_user(
                request,
                "No se importó ninguna fila: el archivo tiene filas que ya no son válidas "
                "(por ejemplo, un mes aprobado o un año publicado mientras tanto). Vuelva a "
                "subirlo para ver cuáles.",
                messages.ERROR,
            )
            return HttpResponseRedirect(self._pagina_de_importar())
        return super().process_result(result, request)

    def add_success_message(self, result, request):
        self.message_user(request, importacion_resumen(result), messages.SUCCESS)


def importacion_resumen(result) -> str:
    """«Importación terminada: 2 filas nuevas, 1 actualizada y 3 sin cambios.»"""
    totales = result.totals
    return _terminada(
        totales[RowResult.IMPORT_TYPE_NEW],
        totales[RowResult.IMPORT_TYPE_UPDATE],
        totales[RowResult.IMPORT_TYPE_SKIP],
    )


def _terminada(nuevas: int, actualizadas: int, sin_cambios: int) -> str:
    return (
        f"Importación terminada: {nuevas} {'fila nueva' if nuevas == 1 else 'filas nuevas'}, "
        f"{actualizadas} {'actualizada' if actualizadas == 1 else 'actualizadas'} y "
        f"{sin_cambios} sin cambios."
    )


# --- The kinds of records that can be imported --------------------------------------------------


def _siempre(usuario) -> bool:
    return True


@dataclass(frozen=True)
class OpcionDeImportacion:
    """A keyword argument of a kind's resource offered on confirming an import (a checkbox)."""

    nombre: str  # the resource's keyword argument: "enviar"
    etiqueta: str  # the checkbox's label
    # Who is offered it; the resource checks again when it acts on it.
    permitida: Callable[[object], bool] = _siempre


@dataclass(frozen=True)
class Referencia:
    """What a clerk needs at hand to fill a kind's file (the codes to write), as a table."""

    titulo: str
    encabezados: tuple[str, ...]
    filas: list[tuple]


@dataclass(frozen=True)
class TipoImportable:
    """A kind of record imported from spreadsheets, registered by its app in `ready()`."""

    slug: str  # in the template's address and the command: "centros"
    nombre: str  # "Centros"
    recurso: type  # the import-export resource
    formato: type[FormatoHoja]  # its columns, required and optional
    # The template's rows under the headers: an example, or what there is to fill.
    plantilla: Callable[[], Iterable[Sequence]]
    # Who may download the template and import from the portal's page (`/importar/`); in the
    # admin, its permissions decide.
    roles: tuple[Rol, ...] = (Rol.ADMINISTRACION,)
    # The reference the import page shows for the user (rows under `referencia_encabezados`),
    # limited to what the user may import; None when the kind needs none.
    referencia: Callable[[object], list[tuple]] | None = None
    referencia_encabezados: tuple[str, ...] = ()
    referencia_titulo: str = ""
    # The resource's options offered on confirming (`OpcionDeImportacion`).
    opciones: tuple[OpcionDeImportacion, ...] = ()

    @property
    def columnas(self) -> tuple[str, ...]:
        return self.formato.columnas

    @property
    def opcionales(self) -> tuple[str, ...]:
        return self.formato.opcionales

    @property
    def encabezados(self) -> tuple[str, ...]:
        return (*self.columnas, *self.opcionales)

    def importa(self, usuario) -> bool:
        """Whether the user may import it (and download its template) from the portal."""
        return tiene_rol(usuario, *self.roles)

    def referencia_de(self, usuario) -> Referencia | None:
        if self.referencia is None:
            return None
        return Referencia(
            titulo=self.referencia_titulo or "Referencia",
            encabezados=self.referencia_encabezados,
            filas=list(self.referencia(usuario)),
        )

    def opciones_de(self, usuario) -> tuple[OpcionDeImportacion, ...]:
        return tuple(opcion for opcion in self.opciones if opcion.permitida(usuario))


_IMPORTABLES: dict[str, TipoImportable] = {}


def importable_registrar(tipo: TipoImportable) -> None:
    """Registers a kind (again on a second `ready()`: the last registration wins)."""
    _IMPORTABLES[tipo.slug] = tipo


def importable(slug: str) -> TipoImportable:
    """The registered kind; LookupError, naming the kinds there are, for another."""
    try:
        return _IMPORTABLES[slug]
    except KeyError:
        tipos = ", ".join(sorted(_IMPORTABLES)) or "ninguno"
        raise LookupError(f"No se importa «{slug}»: los tipos son {tipos}.") from None


def importables() -> list[TipoImportable]:
    return sorted(_IMPORTABLES.values(), key=lambda tipo: tipo.slug)


def importables_de(usuario) -> list[TipoImportable]:
    """The kinds the user may import from the portal, by name."""
    return sorted(
        (tipo for tipo in _IMPORTABLES.values() if tipo.importa(usuario)),
        key=lambda tipo: tipo.nombre,
    )


def plantilla_xlsx(tipo: TipoImportable) -> bytes:
    """The kind's template: its headers as the import reads them and the rows its app gives."""
    datos = tablib.Dataset(*tipo.plantilla(), headers=list(tipo.encabezados))
    return libro(f"Plantilla de importación: {tipo.nombre}", [(datos, tipo.nombre)])


# --- Running an import (the command and the portal) --------------------------------------------

_QUE = {
    RowResult.IMPORT_TYPE_NEW: "nueva",
    RowResult.IMPORT_TYPE_UPDATE: "actualizada",
    RowResult.IMPORT_TYPE_SKIP: "sin cambios",
}
_ERROR_INTERNO = (
    "No se pudo importar por un error del portal; no se escribió nada. Avise al equipo técnico."
)


@dataclass(frozen=True)
class FilaImportada:
    numero: int  # as the spreadsheet shows it
    que: str  # "nueva", "actualizada", "sin cambios"
    descripcion: str


@dataclass(frozen=True)
class FilaRechazada:
    numero: int  # as the spreadsheet shows it
    columna: str  # the column read (normalised, "anio"), "" for the whole row
    encabezado: str  # the column as the template's header shows it ("Año"), "" for the row
    mensaje: str  # in Spanish


@dataclass(frozen=True)
class ResumenImportacion:
    """What an import did (or, not confirmed, would do): in Spanish, with spreadsheet row
    numbers, never a library's message or a traceback."""

    tipo: TipoImportable
    nombre: str  # the file's name
    confirmado: bool
    nuevas: int
    actualizadas: int
    sin_cambios: int
    filas: tuple[FilaImportada, ...]
    rechazadas: tuple[FilaRechazada, ...]
    errores: tuple[str, ...]  # of the whole file, not of a row
    aviso: str = ""  # what the resource did besides (the months submitted for review)
    # The portal failed (the database, a bug), not the file: logged, and worth retrying.
    error_interno: bool = False

    @property
    def valido(self) -> bool:
        return not self.rechazadas and not self.errores

    @property
    def cambios(self) -> tuple[FilaImportada, ...]:
        return tuple(fila for fila in self.filas if fila.que != "sin cambios")

    @property
    def terminada(self) -> str:
        """«Importación terminada: 2 filas nuevas, 1 actualizada y 3 sin cambios.»"""
        return _terminada(self.nuevas, self.actualizadas, self.sin_cambios)

    @property
    def filas_rechazadas(self) -> int:
        """Rows refused (a row may be refused for several reasons)."""
        return len({fila.numero for fila in self.rechazadas})

    @property
    def texto(self) -> str:
        """«1 nuevas, 1 actualizadas, 0 sin cambios, 0 rechazadas»"""
        return (
            f"{self.nuevas} nuevas, {self.actualizadas} actualizadas, {self.sin_cambios} sin "
            f"cambios, {self.filas_rechazadas} rechazadas"
        )


# Raised on purpose by the import's own code, with a message for the clerk.
_ESPERADAS = (ValidationError, PermissionDenied, HojaRechazada)


def _mensajes_de(error: BaseException) -> list[str]:
    """The Spanish messages of an exception the import's own code raises on purpose; for any
    other (a bug, a database failure), a sentence saying so: its text is the library's."""
    if isinstance(error, ValidationError):
        return list(error.messages)
    if isinstance(error, HojaRechazada):
        return [error.mensaje]
    if isinstance(error, PermissionDenied) and str(error):
        return [str(error)]
    return [_ERROR_INTERNO]


def _resumir(tipo, recurso, resultado, *, nombre: str, confirmado: bool) -> ResumenImportacion:
    filas = tuple(
        FilaImportada(
            numero=recurso.fila_de_la_hoja(indice)
            if hasattr(recurso, "fila_de_la_hoja")
            else indice,
            que=_QUE[fila.import_type],
            descripcion=fila.object_repr or "",
        )
        for indice, fila in enumerate(resultado.rows, start=1)
        if fila.import_type in _QUE
    )
    encabezados = {columna_normalizar(c): c for c in tipo.encabezados}
    rechazadas = []
    error_interno = False
    for fila in resultado.invalid_rows:  # already numbered as the spreadsheet shows them
        for columna, mensajes in fila.error_dict.items():
            columna = "" if columna == NON_FIELD_ERRORS else columna
            rechazadas += [
                FilaRechazada(fila.number, columna, encabezados.get(columna, columna), mensaje)
                for mensaje in mensajes
            ]
    for fila in resultado.error_rows:
        for error in fila.errors:
            if not isinstance(error.error, _ESPERADAS):
                error_interno = True
                logger.error(
                    "Importación de %s, fila %s:\n%s", tipo.slug, fila.number, error.traceback
                )
            rechazadas += [
                FilaRechazada(fila.number, "", "", mensaje) for mensaje in _mensajes_de(error.error)
            ]
    errores = []
    for error in resultado.base_errors:
        if not isinstance(error.error, _ESPERADAS):
            error_interno = True
            logger.error("Importación de %s:\n%s", tipo.slug, error.traceback)
        errores += _mensajes_de(error.error)
    envio = getattr(resultado, "envio", None)
    totales = resultado.totals
    return ResumenImportacion(
        tipo=tipo,
        nombre=nombre,
        confirmado=confirmado,
        nuevas=totales[RowResult.IMPORT_TYPE_NEW],
        actualizadas=totales[RowResult.IMPORT_TYPE_UPDATE],
        sin_cambios=totales[RowResult.IMPORT_TYPE_SKIP],
        filas=filas,
        rechazadas=tuple(sorted(rechazadas, key=lambda fila: fila.numero)),
        errores=tuple(dict.fromkeys(errores)),
        aviso=getattr(envio, "mensaje", "") or "",
        error_interno=error_interno,
    )


def importacion_ejecutar(
    *,
    tipo: TipoImportable,
    contenido: bytes,
    nombre: str,
    usuario,
    confirmar: bool,
    opciones: Mapping[str, object] | None = None,
) -> ResumenImportacion:
    """Runs the kind's resource on the file: without `confirmar` a preview, in a transaction
    rolled back (nothing is written, whatever the resource does); with it, every row or none.
    `opciones` are the resource's keyword arguments (`enviar`). Raises `HojaRechazada` when the
    file cannot be read as the kind's table."""
    archivo_comprobar(nombre=nombre, tamano=len(contenido))
    dataset = tipo.formato().create_dataset(contenido)
    recurso = tipo.recurso(**dict(opciones or {}))
    # Our own transaction around the resource's: a kind registered with a resource that does
    # not roll back on its own is still all or nothing, and its preview still writes nothing.
    with transaction.atomic():
        resultado = recurso.import_data(
            dataset, dry_run=not confirmar, user=usuario, file_name=nombre
        )
        resumen = _resumir(tipo, recurso, resultado, nombre=nombre, confirmado=confirmar)
        if not confirmar or not resumen.valido:
            transaction.set_rollback(True)
    return resumen


# --- The portal's import: the file kept between the preview and the confirmation -------------

VIGENCIA_VISTA_PREVIA = 60 * 60  # seconds a preview can be confirmed
# A confirmed file of more rows is imported by the worker (`importacion_tarea`): 3.000 rows take
# a few seconds, 100.000 a minute or more, longer than a page should hang.
FILAS_EN_SEGUNDO_PLANO = 3_000
# Seconds a file waiting for the worker is kept: until its task runs, and for a retry if the
# task fails (a worker stopped half-way).
CONSERVAR_ENCOLADA = 7 * 24 * 60 * 60
_NOMBRE_GUARDADO = re.compile(r"[0-9a-f]{32}")
_ENCOLADA = ".encolada"
_FIRMA = "casmul.hojas.importacion"
_VOLVER_A_SUBIR = "Vuelva a subir el archivo para ver la vista previa de nuevo."
_YA_NO_ESTA = (
    "El archivo de la vista previa ya no está en el servidor (quizá ya se importó) y no se "
    f"importó nada. {_VOLVER_A_SUBIR}"
)
_RECHAZADAS_EN_EL_MENSAJE = 10


@dataclass(frozen=True)
class VistaPrevia:
    resumen: ResumenImportacion
    # Signed, bound to the user and the kind; it names the file kept on the server. None when
    # the file has refused rows: there is nothing to confirm.
    token: str | None

    @property
    def en_segundo_plano(self) -> bool:
        """Whether its confirmation will run on the worker."""
        return len(self.resumen.filas) > FILAS_EN_SEGUNDO_PLANO


@dataclass(frozen=True)
class Confirmacion:
    """A confirmed import: done (its summary), or sent to the worker (its task's id)."""

    resumen: ResumenImportacion | None = None
    tarea_id: str = ""
    # The token to confirm the same file again, when the portal failed before importing it.
    token: str = ""


def _carpeta_importaciones() -> Path:
    return Path(settings.IMPORTACIONES_ROOT)


def importaciones_vencidas_borrar() -> None:
    """Removes the kept files no confirmation nor retry can use any more (each upload does it
    too; `manage.py tareas_depurar` for the days without uploads)."""
    _guardadas_limpiar(_carpeta_importaciones())


def _guardadas_limpiar(carpeta: Path) -> None:
    """Removes the files of previews never confirmed, once they cannot be confirmed, and those
    of imports sent to the worker once their task cannot be retried."""
    ahora = time.time()
    try:
        entradas = list(os.scandir(carpeta))
    except FileNotFoundError:
        return
    for entrada in entradas:
        conservar = (
            CONSERVAR_ENCOLADA if entrada.name.endswith(_ENCOLADA) else 2 * VIGENCIA_VISTA_PREVIA
        )
        try:
            if entrada.is_file() and entrada.stat().st_mtime < ahora - conservar:
                os.remove(entrada.path)
        except OSError:
            continue  # removed meanwhile by another request


def importacion_previsualizar(*, tipo: TipoImportable, archivo, usuario) -> VistaPrevia:
    """The preview of an uploaded file (`importacion_ejecutar` without writing); a file without
    refused rows is kept on the server, under a random name, for `importacion_confirmar`.
    Raises `HojaRechazada` when the file cannot be read."""
    contenido = archivo.read()
    nombre = PurePath(archivo.name).name[:150]
    resumen = importacion_ejecutar(
        tipo=tipo, contenido=contenido, nombre=nombre, usuario=usuario, confirmar=False
    )
    if not resumen.valido:
        return VistaPrevia(resumen=resumen, token=None)
    carpeta = _carpeta_importaciones()
    carpeta.mkdir(parents=True, exist_ok=True)
    _guardadas_limpiar(carpeta)
    guardado = secrets.token_hex(16)
    (carpeta / guardado).write_bytes(contenido)
    token = signing.dumps(
        {
            "archivo": guardado,
            "tipo": tipo.slug,
            "usuario": usuario.pk,
            "nombre": nombre,
            "filas": len(resumen.filas),
        },
        salt=_FIRMA,
    )
    return VistaPrevia(resumen=resumen, token=token)


def importacion_confirmar(
    *, tipo: TipoImportable, token: str, usuario, opciones: Mapping[str, object] | None = None
) -> Confirmacion:
    """Imports the file of a preview, named by its token, every row or none: at once, or on the
    worker when it has more than `FILAS_EN_SEGUNDO_PLANO` rows. The preview is spent either way
    (a token is used once). Raises `HojaRechazada`, in Spanish, for a token that is not the
    user's for this kind, has expired, or whose file is gone."""
    try:
        datos = signing.loads(token, salt=_FIRMA, max_age=VIGENCIA_VISTA_PREVIA)
    except signing.SignatureExpired:
        raise HojaRechazada(
            f"La vista previa caducó (pasó más de {VIGENCIA_VISTA_PREVIA // 60} minutos) y no "
            f"se importó nada. {_VOLVER_A_SUBIR}"
        ) from None
    except signing.BadSignature:
        datos = None
    if (
        not isinstance(datos, dict)
        or datos.get("tipo") != tipo.slug
        or datos.get("usuario") != usuario.pk
        or not _NOMBRE_GUARDADO.fullmatch(str(datos.get("archivo", "")))
    ):
        raise HojaRechazada(
            f"La confirmación no corresponde a una vista previa suya de "
            f"{tipo.nombre.lower()} y no se importó nada. {_VOLVER_A_SUBIR}"
        )
    ruta = _carpeta_importaciones() / datos["archivo"]
    nombre = str(datos.get("nombre") or "archivo")
    encolar = int(datos.get("filas") or 0) > FILAS_EN_SEGUNDO_PLANO
    # Taken first, atomically: of two confirmations sent at once (a double click), only one
    # finds the file. The worker reads it whenever its turn comes: the token's hour counts
    # until the confirmation, not until the task runs.
    tomada = ruta.with_suffix(_ENCOLADA if encolar else ".importando")
    try:
        ruta.rename(tomada)
    except FileNotFoundError:
        raise HojaRechazada(_YA_NO_ESTA) from None
    if encolar:
        tarea = importacion_tarea.enqueue(
            tipo=tipo.slug,
            archivo=datos["archivo"],
            nombre=nombre,
            usuario_id=usuario.pk,
            opciones=dict(opciones or {}),
        )
        return Confirmacion(tarea_id=tarea.id)
    try:
        resumen = _guardada_importar(
            tipo=tipo, ruta=tomada, nombre=nombre, usuario=usuario, opciones=opciones
        )
    except Exception:
        # The portal failed (the database went away), not the file: kept under its token.
        tomada.rename(ruta)
        raise
    if resumen.error_interno:
        # Nothing was written and the file is fine: the same token confirms it again
        # («Reintentar»), within the preview's hour.
        tomada.rename(ruta)
        return Confirmacion(resumen=resumen, token=token)
    # Imported or refused, the preview is spent: a second confirmation cannot import twice.
    tomada.unlink(missing_ok=True)
    return Confirmacion(resumen=resumen)


def _guardada_importar(*, tipo, ruta: Path, nombre: str, usuario, opciones) -> ResumenImportacion:
    """Imports a file kept on the server, confirmed: every row or none."""
    return importacion_ejecutar(
        tipo=tipo,
        contenido=ruta.read_bytes(),
        nombre=nombre,
        usuario=usuario,
        confirmar=True,
        opciones=opciones,
    )


@task()
def importacion_tarea(
    *, tipo: str, archivo: str, nombre: str, usuario_id: int, opciones: dict
) -> dict:
    """A confirmed import on the worker: every row or none, as at once. Its file is removed
    once imported or refused, and kept when the task fails otherwise (the worker stopped, the
    database failed), so that retrying the task imports it."""
    ruta = _carpeta_importaciones() / f"{archivo}{_ENCOLADA}"
    if not _NOMBRE_GUARDADO.fullmatch(archivo) or not ruta.is_file():
        raise TareaRechazada(_YA_NO_ESTA)
    importable_ = importable(tipo)
    usuario = get_user_model().objects.get(pk=usuario_id)
    if not importable_.importa(usuario):
        ruta.unlink()
        raise TareaRechazada("Su rol ya no permite importar este archivo; no se importó nada.")
    try:
        resumen = _guardada_importar(
            tipo=importable_, ruta=ruta, nombre=nombre, usuario=usuario, opciones=opciones
        )
    except HojaRechazada as error:
        ruta.unlink()
        raise TareaRechazada(error.mensaje) from error
    if resumen.error_interno:
        # Not the file's fault: kept for a retry.
        raise RuntimeError(f"La importación de {nombre} falló por un error del portal.")
    ruta.unlink()
    if not resumen.valido:
        raise TareaRechazada(_rechazo_resumido(resumen))
    return {
        "texto": " ".join(filter(None, (resumen.terminada, resumen.aviso))),
        "enlace": reverse("importar_tipo", args=[tipo]),
    }


def _rechazo_resumido(resumen: ResumenImportacion) -> str:
    """Why a file valid at its preview was refused when imported (a month approved meanwhile),
    in one paragraph (a task's error is one line): each reason once, with its first rows."""
    filas_por_motivo: dict[str, list[int]] = {}
    for fila in resumen.rechazadas:
        filas_por_motivo.setdefault(fila.mensaje, []).append(fila.numero)
    motivos = list(resumen.errores)
    for mensaje, numeros in filas_por_motivo.items():
        primeras = ", ".join(str(n) for n in numeros[:_RECHAZADAS_EN_EL_MENSAJE])
        resto = len(numeros) - _RECHAZADAS_EN_EL_MENSAJE
        mas = f" y {numero(resto)} más" if resto > 0 else ""
        motivos.append(f"{'filas' if len(numeros) > 1 else 'fila'} {primeras}{mas}: {mensaje}")
    return (
        "Entre la vista previa y la importación cambiaron los registros y no se importó nada. "
        f"{' '.join(motivos)} {_VOLVER_A_SUBIR}"
    )
