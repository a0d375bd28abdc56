"""Lists and tables as spreadsheets (XLSX and CSV) that people open in Excel in Spanish:
numbers stay numbers, dates dates, and no text runs as a formula.

Text that a spreadsheet could take for a formula — one starting with = + - @ (or their
full-width forms ＝ ＋ － ＠, which some spreadsheets fold into the ASCII ones), also after
leading spaces, non-breaking spaces or line breaks, and one starting with a tab, carriage return
or line feed — is a text cell with Excel's "quote prefix" in XLSX (shown as typed, never
computed), and is prefixed with a single quote in CSV, which has no cell types; the imports
take that quote off again (`desneutralizar`). Numbers, negative ones included, stay numbers.

Why not the libraries' own escaping: tablib's XLSX `escape=True` only drops a leading "=" (so
"+1", "-1+2" and "@SUM(A1)" pass, and "=cmd" becomes "cmd"), and django-import-export's
IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT does the same and turns every cell into text.

CSV is written for Excel in Spanish (Ecuador), whose decimal separator is the comma and list
separator the semicolon: fields are separated by ";", decimals use "," and no thousands
separator, dates are ISO (2023-01-31, read as dates by any Excel), UTF-8 with BOM so the
accents open right."""

import datetime
import unicodedata
from dataclasses import dataclass
from decimal import Decimal
from io import BytesIO

import tablib
from django.conf import settings
from django.http import HttpResponse
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

TOTAL = "total"  # tablib tag of the rows printed as totals (bold in the XLSX)
INICIOS_DE_FORMULA = ("=", "+", "-", "@", "\uff1d", "\uff0b", "\uff0d", "\uff20")
CONTROLES = ("\t", "\r", "\n")
DELIMITADOR_CSV = ";"
ANCHO_MAXIMO = 60

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV = "text/csv; charset=utf-8"


def parece_formula(texto: str) -> bool:
    # str.lstrip() drops every Unicode space: the no-break space, the ideographic one, …
    return texto.startswith(CONTROLES) or texto.lstrip().startswith(INICIOS_DE_FORMULA)


def neutralizar(valor):
    """A text a spreadsheet could take for a formula gets a leading quote; anything else
    (numbers, negative ones too, dates, empty cells) is returned as it is."""
    if isinstance(valor, str) and parece_formula(valor):
        return "'" + valor
    return valor


def desneutralizar(texto: str) -> str:
    """The text `neutralizar` quoted, as it was: what an export re-imported must read."""
    if texto.startswith("'") and parece_formula(texto[1:]):
        return texto[1:]
    return texto


def _texto_csv(valor) -> str:
    if valor is None:
        return ""
    if isinstance(valor, bool):
        return "Sí" if valor else "No"
    if isinstance(valor, int):
        return str(valor)
    if isinstance(valor, Decimal | float):
        numero = Decimal(str(valor)) if isinstance(valor, float) else valor
        return f"{numero:f}".replace(".", ",")
    if isinstance(valor, datetime.date):
        return valor.isoformat()
    return neutralizar(str(valor))


def a_csv(datos: tablib.Dataset) -> bytes:
    """Semicolon-separated, decimal comma, UTF-8 with BOM: what Excel es-EC opens as is."""
    salida = tablib.Dataset(headers=[_texto_csv(e) for e in datos.headers])
    for fila in datos:
        salida.append([_texto_csv(valor) for valor in fila])
    return salida.export("csv", delimiter=DELIMITADOR_CSV).encode("utf-8-sig")


def _escribir(hoja_xlsx, fila: int, columna: int, valor):
    """A cell; a text that looks like a formula stays text, with the quote prefix."""
    if not isinstance(valor, str):
        return hoja_xlsx.cell(row=fila, column=columna, value=valor)
    # Characters XML forbids (form feeds pasted from Word) would make openpyxl fail.
    texto = ILLEGAL_CHARACTERS_RE.sub("\N{REPLACEMENT CHARACTER}", valor)
    celda = hoja_xlsx.cell(row=fila, column=columna, value=texto)
    if parece_formula(texto):
        celda.data_type = "s"
        celda.quotePrefix = True
    return celda


# Columns of whole numbers that name something (a year, a month, a centre's number, a code):
# written 2026, never 2.026, which Calc would save back as text and the import refuse.
IDENTIFICADORES = frozenset(
    {"ano", "anio", "mes", "nro.", "nro", "numero", "centro", "codigo", "desde el ano"}
)


def _es_identificador(encabezado) -> bool:
    texto = unicodedata.normalize("NFKD", str(encabezado or "")).encode("ascii", "ignore")
    return texto.decode().strip().lower() in IDENTIFICADORES


def _formato_numero(valor, *, identificador: bool = False) -> str | None:
    if isinstance(valor, bool):
        return None
    if isinstance(valor, int):
        return "0" if identificador else "#,##0"
    if isinstance(valor, Decimal):
        decimales = max(-valor.as_tuple().exponent, 0) if valor.is_finite() else 0
        return "#,##0." + "0" * decimales if decimales else "#,##0"
    if isinstance(valor, datetime.date):
        return "dd/mm/yyyy"
    return None


def _hoja(libro: Workbook, datos: tablib.Dataset, nombre: str) -> None:
    """A sheet: bold header (frozen), bold totals, numbers and dates as such, with formats
    (thousands, the value's decimals, dd/mm/yyyy). tablib's own XLSX writer sets no formats."""
    hoja_xlsx = libro.create_sheet(nombre[:31])
    for columna, encabezado in enumerate(datos.headers, start=1):
        _escribir(hoja_xlsx, 1, columna, encabezado)
    for celda in hoja_xlsx[1]:
        celda.font = Font(bold=True)
    hoja_xlsx.freeze_panes = "A2"
    totales = {tuple(fila) for fila in datos.filter(TOTAL)}
    identificadores = [_es_identificador(e) for e in datos.headers]
    anchos = [len(str(e)) for e in datos.headers]
    for numero_fila, fila in enumerate(datos, start=2):
        es_total = tuple(fila) in totales
        for columna, valor in enumerate(fila):
            celda = _escribir(hoja_xlsx, numero_fila, columna + 1, valor)
            formato = _formato_numero(valor, identificador=identificadores[columna])
            if formato:
                celda.number_format = formato
            if es_total:
                celda.font = Font(bold=True)
            if isinstance(valor, str) and len(valor) > ANCHO_MAXIMO:
                celda.alignment = Alignment(wrap_text=True, vertical="top")
            anchos[columna] = max(anchos[columna], len(str(valor)) if valor is not None else 0)
    for columna, ancho in enumerate(anchos, start=1):
        hoja_xlsx.column_dimensions[get_column_letter(columna)].width = min(ancho + 2, ANCHO_MAXIMO)


def libro(titulo: str, hojas: list[tuple[tablib.Dataset, str]]) -> bytes:
    libro = Workbook()
    libro.remove(libro.active)
    libro.properties.title = titulo
    libro.properties.creator = settings.INSTITUCION_NOMBRE
    for datos, nombre in hojas:
        _hoja(libro, datos, nombre)
    salida = BytesIO()
    libro.save(salida)
    return salida.getvalue()


def a_xlsx(datos: tablib.Dataset, *, hoja: str = "Tabla") -> bytes:
    """One table as a workbook of one sheet."""
    return libro(datos.title or hoja, [(datos, hoja)])


@dataclass(frozen=True)
class Archivo:
    contenido: bytes
    tipo_contenido: str
    nombre: str


def hoja_de_lista(datos: tablib.Dataset, *, formato: str, nombre: str) -> Archivo | None:
    """A list as a file in `formato` ("xlsx" or "csv"), or None for another format."""
    if formato == "xlsx":
        return Archivo(a_xlsx(datos, hoja=datos.title or "Lista"), XLSX, f"{nombre}.xlsx")
    if formato == "csv":
        return Archivo(a_csv(datos), CSV, f"{nombre}.csv")
    return None


def descarga(archivo: Archivo) -> HttpResponse:
    """The file as an attachment, never kept by a browser or proxy cache: lists hold records
    that change, and some hold personal data."""
    respuesta = HttpResponse(archivo.contenido, content_type=archivo.tipo_contenido)
    respuesta["Content-Disposition"] = f'attachment; filename="{archivo.nombre}"'
    respuesta["Cache-Control"] = "no-store"
    return respuesta
