"""The report's tables as spreadsheets (XLSX and CSV), built from the same `InformeRendicion`
the page and the PDF print: same rows, same totals, numbers as numbers.

Each table is a `tablib.Dataset` (the library django-import-export uses). Text that a
spreadsheet would read as a formula (starting with = + - @, tab or carriage return) is
prefixed with a single quote in both formats; numbers, negative ones included, stay numbers.

Why not the libraries' own escaping: tablib's XLSX `escape=True` only drops a leading "=" (so
"+1", "-1+2" and "@SUM(A1)" pass, and "=cmd" becomes "cmd"), and django-import-export's
IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT does the same and turns every cell into text.

CSV is written for Excel in Spanish (Ecuador), whose decimal separator is the comma and list
separator the semicolon: fields are separated by ";", decimals use "," and no thousands
separator, dates are ISO (2023-01-31, read as dates by any Excel), UTF-8 with BOM so the
accents open right."""

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from io import BytesIO

import tablib
from django.conf import settings
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from casmul.montos import a_centavos

from .selectors import InformeRendicion, informe_rendicion

TOTAL = "total"  # tablib tag of the rows the report prints as totals
INICIOS_DE_FORMULA = ("=", "+", "-", "@", "\t", "\r")
DELIMITADOR_CSV = ";"
ANCHO_MAXIMO = 60


def neutralizar(valor):
    """A text a spreadsheet could take for a formula gets a leading quote; anything else
    (numbers, negative ones too, dates, empty cells) is returned as it is."""
    if isinstance(valor, str) and valor.startswith(INICIOS_DE_FORMULA):
        return "'" + valor
    return valor


def _entero(valor) -> int:
    """Rounded as the report prints it (`numero`: half up)."""
    return int(Decimal(valor or 0).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _dataset(encabezados: list[str]) -> tablib.Dataset:
    return tablib.Dataset(headers=encabezados)


# --- The tables, in the report's order -------------------------------------------------------


def _usuarios_por_centro(tabla, *, con_linea: bool) -> tablib.Dataset:
    encabezados = ["Nro.", "Centro/Proyecto", "Modalidad"]
    encabezados += ["Línea", "Nro. usuarios"] if con_linea else ["Nro. usuarios"]
    datos = _dataset(encabezados)
    for fila in tabla.filas:
        celdas = [fila.numero, fila.nombre, fila.modalidad_nombre]
        celdas += [fila.linea_nombre] if con_linea else []
        datos.append([*celdas, fila.usuarios])
    vacias = [None] * (len(encabezados) - 3)
    datos.append([None, "Total", *vacias, tabla.total], tags=[TOTAL])
    return datos


def tabla_01(informe: InformeRendicion) -> tablib.Dataset:
    return _usuarios_por_centro(informe.desarrollo_infantil, con_linea=False)


def tabla_02(informe: InformeRendicion) -> tablib.Dataset:
    """As printed: the clinic's row with its total, then its patients per service."""
    datos = _dataset(["Nro.", "Centro/Proyecto", "Nro. usuarios"])
    clinica = informe.clinica
    for centro in informe.salud:
        datos.append([centro.numero, centro.nombre, clinica.total], tags=[TOTAL])
    for fila in clinica.por_servicio:
        datos.append([None, f"Pacientes atendidos en {fila.nombre.lower()}", fila.pacientes])
    return datos


def tabla_03(informe: InformeRendicion) -> tablib.Dataset:
    """The portfolio, one specialty a row (the report lays it out four to a row)."""
    datos = _dataset(["Especialidad"])
    for especialidad in informe.especialidades:
        datos.append([especialidad.nombre])
    return datos


def tabla_04(informe: InformeRendicion) -> tablib.Dataset:
    """One specialty or post a row (the report prints them in pairs)."""
    datos = _dataset(["Especialidad", "Nro. de profesionales"])
    for fila in informe.dotacion.filas:
        datos.append([fila.denominacion, fila.cantidad])
    datos.append(["Total", informe.dotacion.total], tags=[TOTAL])
    return datos


def tabla_05(informe: InformeRendicion) -> tablib.Dataset:
    datos = _dataset(["Servicio", "Días", "Horario"])
    for horario in informe.horarios_clinica:
        datos.append([horario.servicio, horario.dias, horario.horas])
    return datos


def tabla_06(informe: InformeRendicion) -> tablib.Dataset:
    return _usuarios_por_centro(informe.apoyo_social, con_linea=True)


def tabla_07(informe: InformeRendicion) -> tablib.Dataset:
    datos = _dataset(["Instalación", "Descripción", "Objetivo"])
    for instalacion in informe.instalaciones:
        datos.append([instalacion.nombre, instalacion.descripcion, instalacion.objetivo])
    return datos


def tabla_08(informe: InformeRendicion) -> tablib.Dataset:
    datos = _dataset(["Servicio", "Descripción", "Horario"])
    for horario in informe.horarios_servicios:
        texto = " ".join(parte for parte in (horario.dias, horario.horas) if parte)
        datos.append([horario.servicio, horario.descripcion, texto])
    return datos


def tabla_09(informe: InformeRendicion) -> tablib.Dataset:
    """The report's "Plazo de ejecución" cell, split so that the dates stay dates."""
    datos = _dataset(
        ["Convenio", "Nro.", "Plazo", "Desde", "Hasta", "Nota sobre el plazo", "Descripción"]
    )
    for convenio in informe.convenios:
        plazo = "Indefinido" if convenio.indefinido else convenio.duracion_declarada_texto
        datos.append(
            [
                convenio.titulo,
                convenio.numero_mostrado,
                plazo,
                convenio.fecha_inicio,
                convenio.fecha_fin,
                convenio.plazo_nota,
                convenio.objeto,
            ]
        )
    return datos


def tabla_10(informe: InformeRendicion) -> tablib.Dataset:
    """The beneficiaries' number and their unit ("familias", "niños y niñas") apart."""
    datos = _dataset(
        ["Actividad", "Cantidad", "Sector", "Descripción", "Nro. beneficiarios", "Beneficiarios"]
    )
    for accion in informe.acciones:
        datos.append(
            [
                accion.actividad,
                accion.cantidad,
                accion.sector,
                accion.descripcion,
                accion.beneficiarios,
                accion.get_unidad_beneficiarios_display(),
            ]
        )
    return datos


def _porcentaje(fraccion: Decimal) -> Decimal:
    """0.1234 -> 12.3, the share as the report prints it (one decimal)."""
    return (fraccion * 100).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def tabla_11(informe: InformeRendicion) -> tablib.Dataset:
    presupuesto = informe.presupuesto
    datos = _dataset(["Área", "Presupuesto", "Participación (%)"])
    for fila in presupuesto.filas:
        datos.append(
            [
                fila.area,
                a_centavos(fila.codificado),
                _porcentaje(presupuesto.participacion(fila)),
            ]
        )
    cien = Decimal("100.0") if presupuesto.total else None
    datos.append(["Total", a_centavos(presupuesto.total), cien], tags=[TOTAL])
    return datos


def tabla_12(informe: InformeRendicion) -> tablib.Dataset:
    contratacion = informe.contratacion
    datos = _dataset(["Tipo de contratación", "Nro. de procesos", "Monto"])
    for fila in contratacion.filas:
        datos.append([fila.nombre, fila.procesos, a_centavos(fila.monto)])
    datos.append(
        ["Total", contratacion.total_procesos, a_centavos(contratacion.total_monto)],
        tags=[TOTAL],
    )
    return datos


def _cifras(centros_area) -> tablib.Dataset:
    """Sections 3.1.4 and 3.1.5: each centre's yearly figures (money with cents, the rest
    rounded as printed), the daily and monthly averages of the flows, and its staff."""
    datos = _dataset(
        [
            "Nro.",
            "Centro/Proyecto",
            "Cifra",
            "Unidad",
            "Valor anual",
            "Promedio diario",
            "Promedio mensual",
        ]
    )
    for centro in centros_area:
        for cifra in centro.cifras:
            if cifra.es_monetaria:
                valor, diario, mensual = a_centavos(cifra.valor), None, None
            else:
                valor = _entero(cifra.valor)
                diario = _entero(cifra.promedio_diario) if cifra.es_flujo else None
                mensual = _entero(cifra.promedio_mensual) if cifra.es_flujo else None
            unidad = cifra.unidad_nombre
            datos.append(
                [centro.numero, centro.nombre_corto, cifra.nombre, unidad, valor, diario, mensual]
            )
        if centro.personal:
            datos.append(
                [centro.numero, centro.nombre_corto, "Equipo", "Colaboradores", centro.personal]
                + [None, None]
            )
    return datos


def cifras_impulso_economico(informe: InformeRendicion) -> tablib.Dataset:
    return _cifras(informe.impulso_economico)


def cifras_servicios_comunidad(informe: InformeRendicion) -> tablib.Dataset:
    return _cifras(informe.servicios_comunidad)


@dataclass(frozen=True)
class TablaExportable:
    slug: str
    titulo: str
    hoja: str  # the XLSX sheet's name (at most 31 characters, no ":")
    construir: Callable[[InformeRendicion], tablib.Dataset]

    def dataset(self, informe: InformeRendicion) -> tablib.Dataset:
        datos = self.construir(informe)
        datos.title = self.titulo
        return datos


TABLAS: dict[str, TablaExportable] = {
    tabla.slug: tabla
    for tabla in [
        TablaExportable(
            "tabla-01",
            "Tabla 1: Centros/Proyectos del Área de Desarrollo infantil",
            "Tabla 1",
            tabla_01,
        ),
        TablaExportable(
            "tabla-02", "Tabla 2: Centros/Proyectos del Área de Salud", "Tabla 2", tabla_02
        ),
        TablaExportable("tabla-03", "Tabla 3: Especialidades", "Tabla 3", tabla_03),
        TablaExportable(
            "tabla-04",
            "Tabla 4: Especialidades y número de profesionales de la Clínica",
            "Tabla 4",
            tabla_04,
        ),
        TablaExportable("tabla-05", "Tabla 5: Horario de atención", "Tabla 5", tabla_05),
        TablaExportable(
            "tabla-06",
            "Tabla 6: Centros/Proyectos del Área de Apoyo y Servicio Social",
            "Tabla 6",
            tabla_06,
        ),
        TablaExportable(
            "tabla-07", "Tabla 7: Instalaciones que favorecen la calidad", "Tabla 7", tabla_07
        ),
        TablaExportable(
            "tabla-08", "Tabla 8: Servicios y horarios de atención", "Tabla 8", tabla_08
        ),
        TablaExportable("tabla-09", "Tabla 9: Convenios interinstitucionales", "Tabla 9", tabla_09),
        TablaExportable("tabla-10", "Tabla 10: Acciones generales", "Tabla 10", tabla_10),
        TablaExportable(
            "tabla-11", "Tabla 11: Presupuesto por línea de acción", "Tabla 11", tabla_11
        ),
        TablaExportable("tabla-12", "Tabla 12: Procesos de contratación", "Tabla 12", tabla_12),
        TablaExportable(
            "cifras-impulso-economico",
            "3.1.4: Cifras de los centros de Impulso económico",
            "Impulso económico",
            cifras_impulso_economico,
        ),
        TablaExportable(
            "cifras-servicios-comunidad",
            "3.1.5: Cifras de los centros de Otros servicios a la comunidad",
            "Servicios a la comunidad",
            cifras_servicios_comunidad,
        ),
    ]
}


# --- Writers ---------------------------------------------------------------------------------


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


def _celda_xlsx(valor):
    if isinstance(valor, str):
        # Characters XML forbids (form feeds pasted from Word) would make openpyxl fail.
        return neutralizar(ILLEGAL_CHARACTERS_RE.sub("\N{REPLACEMENT CHARACTER}", valor))
    return valor


def _formato_numero(valor) -> str | None:
    if isinstance(valor, bool):
        return None
    if isinstance(valor, int):
        return "#,##0"
    if isinstance(valor, Decimal):
        decimales = max(-valor.as_tuple().exponent, 0) if valor.is_finite() else 0
        return "#,##0." + "0" * decimales if decimales else "#,##0"
    if isinstance(valor, datetime.date):
        return "dd/mm/yyyy"
    return None


def a_xlsx(datos: tablib.Dataset, *, hoja: str = "Tabla") -> bytes:
    """One sheet: bold header (frozen), bold totals, numbers and dates as such, with formats
    (thousands, the value's decimals, dd/mm/yyyy). tablib's own XLSX writer sets no formats."""
    libro = Workbook()
    libro.properties.title = datos.title or hoja
    libro.properties.creator = settings.INSTITUCION_NOMBRE
    hoja_xlsx = libro.active
    hoja_xlsx.title = hoja[:31]
    hoja_xlsx.append([_celda_xlsx(e) for e in datos.headers])
    for celda in hoja_xlsx[1]:
        celda.font = Font(bold=True)
    hoja_xlsx.freeze_panes = "A2"
    totales = {tuple(fila) for fila in datos.filter(TOTAL)}
    anchos = [len(str(e)) for e in datos.headers]
    for numero_fila, fila in enumerate(datos, start=2):
        es_total = tuple(fila) in totales
        for columna, valor in enumerate(fila):
            celda = hoja_xlsx.cell(row=numero_fila, column=columna + 1, value=_celda_xlsx(valor))
            formato = _formato_numero(valor)
            if formato:
                celda.number_format = formato
            if es_total:
                celda.font = Font(bold=True)
            if isinstance(valor, str) and len(valor) > ANCHO_MAXIMO:
                celda.alignment = Alignment(wrap_text=True, vertical="top")
            anchos[columna] = max(anchos[columna], len(str(valor)) if valor is not None else 0)
    for columna, ancho in enumerate(anchos, start=1):
        hoja_xlsx.column_dimensions[get_column_letter(columna)].width = min(ancho + 2, ANCHO_MAXIMO)
    salida = BytesIO()
    libro.save(salida)
    return salida.getvalue()


@dataclass(frozen=True)
class Formato:
    tipo_contenido: str
    escribir: Callable[[tablib.Dataset, TablaExportable], bytes]


FORMATOS: dict[str, Formato] = {
    "xlsx": Formato(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        lambda datos, tabla: a_xlsx(datos, hoja=tabla.hoja),
    ),
    "csv": Formato("text/csv; charset=utf-8", lambda datos, tabla: a_csv(datos)),
}


@dataclass(frozen=True)
class Archivo:
    contenido: bytes
    tipo_contenido: str
    nombre: str


def archivo_de_tabla(*, anio: int, slug: str, formato: str) -> Archivo | None:
    """The year's table as a file, or None for an unknown table, format or year."""
    tabla, escritor = TABLAS.get(slug), FORMATOS.get(formato)
    if tabla is None or escritor is None:
        return None
    informe = informe_rendicion(anio=anio)
    if informe is None:
        return None
    return Archivo(
        contenido=escritor.escribir(tabla.dataset(informe), tabla),
        tipo_contenido=escritor.tipo_contenido,
        nombre=f"rendicion-{anio}-{slug}.{formato}",
    )
