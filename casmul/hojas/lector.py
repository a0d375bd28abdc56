"""Reading an uploaded spreadsheet into a clean table, as clerks really write them.

What Excel and LibreOffice in Spanish save: CSV separated by `;` (or `,`, or tabs), in UTF-8 with
or without BOM or in Windows-1252; XLSX with a title above the header, headers written
`Año`/`CENTRO`/` centro `, and formatted but empty rows at the end. `hoja_leer` turns any of
them into a `Tabla`: the expected columns under their canonical names, the rows that have data,
each with the row number the spreadsheet shows, so that every error can name it.
"""

import csv
import io
import re
import unicodedata
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import PurePath

from casmul.exportar import desneutralizar
from casmul.formato import numero

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
    # Normalised -> as the template's header writes it, for the messages.
    etiquetas: Mapping[str, str] = field(default_factory=dict)

    @property
    def todas(self) -> tuple[str, ...]:
        return (*self.obligatorias, *self.opcionales)

    def etiqueta(self, columna: str) -> str:
        return self.etiquetas.get(columna, columna)


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
        {columna_normalizar(c): str(c).strip() for c in (*columnas, *opcionales)},
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
        columnas_faltan_mensaje(
            [esperadas.etiqueta(c) for c in esperadas.obligatorias if c not in presentes], celdas
        )
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


def _celda_leida(celda):
    # The portal's own exports quote text that looks like a formula (in CSV): read as typed.
    return desneutralizar(celda) if isinstance(celda, str) else celda


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
        valores = tuple(
            _celda_leida(celdas[i]) if i < len(celdas) else None for i in posiciones.values()
        )
        leidas.append(Fila(numero=numero_fila, valores=valores, errores=errores_columna))
    if not leidas:
        raise HojaRechazada(_SIN_FILAS)
    # An optional column the file lacks is not in the table: its records keep what they have.
    return Tabla(columnas=tuple(posiciones), filas=tuple(leidas))
