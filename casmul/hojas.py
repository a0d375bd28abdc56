"""Reading an uploaded spreadsheet into a clean table, as clerks really write them.

What Excel and LibreOffice in Spanish save: CSV separated by `;` (or `,`, or tabs), in UTF-8 with
or without BOM or in Windows-1252; XLSX with a title above the header, headers written
`Año`/`CENTRO`/` centro `, and formatted but empty rows at the end. `hoja_leer` turns any of
them into a `Tabla`: the expected columns under their canonical names, the rows that have data,
each with the row number the spreadsheet shows, so that every error can name it.

The second half plugs the reading into django-import-export (a format, an import form, a
resource mixin), for every record kind imported through the admin. No domain app is imported
here: the columns are given by the caller.
"""

import csv
import io
import re
import unicodedata
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import PurePath

import tablib
from django import forms
from django.core.exceptions import ValidationError
from import_export.formats import base_formats
from import_export.forms import ImportForm

from casmul.formato import numero

TAMANO_MAXIMO = 10 * 1024 * 1024  # bytes; a year of figures of every centre is far below
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


def hoja_leer(contenido: bytes, *, columnas: Sequence[str]) -> Tabla:
    """The table of a CSV or XLSX file (told apart by content, not by name) with `columnas`.

    The header row is the first row holding every expected column (names compared normalised,
    see `columna_normalizar`); rows above it are skipped, as are rows with every cell empty.
    Raises `HojaRechazada` when the file cannot give such a table."""
    _tamano_comprobar(len(contenido))
    esperadas = tuple(columna_normalizar(c) for c in columnas)
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


def _csv_leer(texto: str, esperadas: tuple[str, ...]) -> Tabla:
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


def _xlsx_leer(contenido: bytes, esperadas: tuple[str, ...]) -> Tabla:
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


def _tabla_de_la_primera(candidatas: Iterable, esperadas: tuple[str, ...]) -> Tabla:
    """The table of the first candidate reading (a CSV delimiter, an XLSX sheet) that has the
    header row; when none has it, the missing-columns error of the closest one."""
    mejor: tuple[int, Sequence] | None = None  # (expected columns found, header cells)
    for _, filas in candidatas:
        filas = iter(filas)
        encontrado = _encabezado_buscar(filas, esperadas)
        if isinstance(encontrado, dict):
            return _datos_leer(filas, encontrado, esperadas)
        if encontrado is not None and (mejor is None or encontrado[0] > mejor[0]):
            mejor = encontrado
    if mejor is None:
        raise HojaRechazada("El archivo está vacío.")
    _, celdas = mejor
    presentes = {columna_normalizar(c) for c in celdas}
    raise HojaRechazada(
        columnas_faltan_mensaje([c for c in esperadas if c not in presentes], celdas)
    )


def _encabezado_buscar(filas: Iterator, esperadas: tuple[str, ...]):
    """Consumes rows up to the header: returns {column: cell index} when found, else the row
    closest to a header (how many expected columns, its cells), or None for no data at all."""
    mejor = None
    for numero_fila, celdas, _ in filas:
        if all(_vacia(c) for c in celdas):
            continue
        nombres = [columna_normalizar(c) for c in celdas]
        encontradas = [c for c in esperadas if c in nombres]
        if len(encontradas) == len(esperadas):
            for columna in esperadas:
                if nombres.count(columna) > 1:
                    raise HojaRechazada(
                        f"La columna «{columna}» aparece dos veces en la fila de encabezados "
                        f"(fila {numero_fila}): deje una sola."
                    )
            return {columna: nombres.index(columna) for columna in esperadas}
        if mejor is None or len(encontradas) > mejor[0]:
            mejor = (len(encontradas), celdas)
    return mejor


def _datos_leer(filas: Iterator, posiciones: dict[str, int], esperadas: tuple[str, ...]) -> Tabla:
    leidas = []
    for numero_fila, celdas, errores in filas:
        errores_columna = {c: errores[posiciones[c]] for c in esperadas if posiciones[c] in errores}
        # Excel and LibreOffice keep rows that were only formatted; `;;;;` lines are the same.
        if not errores_columna and all(_vacia(c) for c in celdas):
            continue
        valores = tuple(
            celdas[i] if i < len(celdas) else None for i in (posiciones[c] for c in esperadas)
        )
        leidas.append(Fila(numero=numero_fila, valores=valores, errores=errores_columna))
    if not leidas:
        raise HojaRechazada(_SIN_FILAS)
    return Tabla(columnas=esperadas, filas=tuple(leidas))


# --- django-import-export ----------------------------------------------------------------------


def hoja_dataset(tabla: Tabla) -> tablib.Dataset:
    """The table as the dataset import-export reads, carrying the table for `FilasDeLaHoja`."""
    dataset = tablib.Dataset(*(fila.valores for fila in tabla.filas), headers=list(tabla.columnas))
    dataset.hoja = tabla
    return dataset


class FormatoHoja(base_formats.Format):
    """One import format for CSV and XLSX: the file says which it is. Subclass it with the
    record kind's `columnas`."""

    columnas: tuple[str, ...] = ()

    def __init__(self, encoding=None):
        # The admin passes its text encoding; the file is read as bytes and its own encoding
        # is found by `hoja_leer`.
        self.encoding = encoding

    def get_title(self):
        return "Hoja de cálculo (CSV o XLSX)"

    def create_dataset(self, in_stream):
        return hoja_dataset(hoja_leer(in_stream, columnas=self.columnas))

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


class HojaImportForm(ImportForm):
    """The admin's import form, refusing a file too large or of another type before it is read."""

    def clean_import_file(self):
        archivo = self.cleaned_data["import_file"]
        try:
            archivo_comprobar(nombre=archivo.name, tamano=archivo.size)
        except HojaRechazada as error:
            raise forms.ValidationError(error.mensaje, code="hoja") from None
        return archivo


class FilasDeLaHoja:
    """Resource mixin: the rows of a dataset read by `hoja_leer` are numbered as the spreadsheet
    shows them, and a cell that could not be read makes its row invalid.

    A dataset built another way keeps import-export's numbering (1 = first data row)."""

    def before_import(self, dataset, **kwargs):
        super().before_import(dataset, **kwargs)
        self._hoja: Tabla | None = getattr(dataset, "hoja", None)

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
