"""The report's tables, each defined once: caption, columns (header, how to read the value
from a row, kind of value), rows and total rows, all read from the year's `InformeRendicion`.

The page and the PDF print them through `templates/rendicion/_tabla.html`; the XLSX and CSV
exports (`exportar.py`) write the same values. Values stay raw (int, Decimal, date, str),
already rounded as the report states them, so a sheet holds exactly what the page prints;
they become es-EC text for the page in one place, `FORMATOS`, by their kind.

A few cells are printed one way and exported another: the page writes a centre's modality as
its mark ("*") after the name and the beneficiaries' unit after their number, which the sheets
keep in columns of their own; an agreement's term is one cell on the page and four columns
(term, from, to, note) in the sheets, so that the dates stay dates."""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from typing import Any

from django.urls import reverse

from casmul.formato import dinero, numero, porcentaje
from casmul.montos import a_centavos

from .selectors import APOYO_SOCIAL, DESARROLLO_INFANTIL, InformeRendicion


class Tipo(StrEnum):
    TEXTO = "texto"
    ORDEN = "orden"  # a centre's number: printed "13."
    ENTERO = "entero"
    DINERO = "dinero"
    PORCENTAJE = "porcentaje"  # percentage points (12.3), with the decimals the report prints
    FECHA = "fecha"


NUMERICOS = frozenset({Tipo.ORDEN, Tipo.ENTERO, Tipo.DINERO, Tipo.PORCENTAJE})


def _porcentaje(puntos) -> str:
    puntos = Decimal(puntos)
    return porcentaje(puntos / 100, max(-puntos.as_tuple().exponent, 0))


FORMATOS: dict[Tipo, Callable[[Any], str]] = {
    Tipo.TEXTO: str,
    Tipo.ORDEN: lambda valor: f"{numero(valor)}.",
    Tipo.ENTERO: numero,
    Tipo.DINERO: dinero,
    Tipo.PORCENTAJE: _porcentaje,
    Tipo.FECHA: lambda valor: valor.strftime("%d/%m/%Y"),
}


@dataclass(frozen=True)
class Celda:
    """A cell as the page prints it; a value of several lines (an agreement's term) is printed
    one line under the other."""

    lineas: tuple[str, ...] = ()
    numerica: bool = False
    columnas: int = 1
    # The page's link to the rows behind the figure (its drill-down); none in the PDF. Not
    # part of what a cell is: the page's cell and the PDF's print the same.
    enlace: str = field(default="", compare=False)

    @property
    def texto(self) -> str:
        return " ".join(self.lineas)


def _celda(valor, tipo: Tipo, sufijo: str = "") -> Celda:
    if valor is None:
        return Celda()
    lineas = valor if isinstance(valor, tuple) else (FORMATOS[tipo](valor),)
    if sufijo:
        lineas = (*lineas[:-1], f"{lineas[-1]} {sufijo}")
    return Celda(lineas=lineas, numerica=tipo in NUMERICOS)


@dataclass(frozen=True)
class Columna:
    """`tipo` is the kind of every value of the column or, where a column mixes counts and
    dollars (a centre's yearly figures), a function of the row. `sufijo` is text the page
    prints after the value; the sheets do not."""

    encabezado: str
    valor: Callable[[Any], Any]
    tipo: Tipo | Callable[[Any], Tipo] = Tipo.TEXTO
    sufijo: Callable[[Any], str] | None = None
    en_pagina: bool = True
    en_hoja: bool = True
    # (year, row) -> the URL of the rows behind the value.
    enlace: Callable[[int, Any], str] | None = None
    # year -> the URL of the rows behind the column's total (every row's rows at once).
    enlace_total: Callable[[int], str] | None = None

    @property
    def numerica(self) -> bool:
        """Numbers are right-aligned."""
        return self.tipo in NUMERICOS

    @property
    def encabezado_hoja(self) -> str:
        # The page prints "12,3 %"; a sheet holds the bare 12.3.
        return f"{self.encabezado} (%)" if self.tipo == Tipo.PORCENTAJE else self.encabezado

    def celda(self, registro, anio: int | None = None) -> Celda:
        tipo = self.tipo(registro) if callable(self.tipo) else self.tipo
        celda = _celda(self.valor(registro), tipo, self.sufijo(registro) if self.sufijo else "")
        if self.enlace and anio is not None and celda.lineas:
            celda = replace(celda, enlace=self.enlace(anio, registro))
        return celda


def _sin_totales(informe: InformeRendicion) -> list[dict[str, Any]]:
    return []


@dataclass(frozen=True)
class DefinicionTabla:
    """One table of the report. `totales` gives each total row as {header: value}; the
    columns it leaves out are blank. `total_primero`: the totals head the rows (Tabla 2: the
    clinic and its patients, then the patients per service)."""

    slug: str
    etiqueta: str
    nombre: str
    hoja: str  # the XLSX sheet's name (at most 31 characters, no ":")
    columnas: tuple[Columna, ...]
    registros: Callable[[InformeRendicion], Iterable]
    totales: Callable[[InformeRendicion], Iterable[dict[str, Any]]] = _sin_totales
    total_primero: bool = False

    @property
    def titulo(self) -> str:
        return f"{self.etiqueta}: {self.nombre}"

    def tabla(self, informe: InformeRendicion) -> "Tabla":
        encabezados = {columna.encabezado for columna in self.columnas}
        totales = []
        for total in self.totales(informe):
            if desconocidos := total.keys() - encabezados:
                raise ValueError(f"{self.slug}: totals of unknown columns {desconocidos}")
            totales.append(tuple(total.get(columna.encabezado) for columna in self.columnas))
        return Tabla(
            definicion=self,
            anio=informe.anio,
            registros=tuple(self.registros(informe)),
            totales=tuple(totales),
        )


@dataclass(frozen=True)
class Tabla:
    """A table with the year's rows. `filas` and `totales` hold one raw value per column;
    the page reads `encabezados`, `filas_pagina` and `totales_pagina`, the sheets the
    `*_hoja` ones."""

    definicion: DefinicionTabla
    anio: int
    registros: tuple
    totales: tuple[tuple, ...]

    @property
    def etiqueta(self) -> str:
        return self.definicion.etiqueta

    @property
    def nombre(self) -> str:
        return self.definicion.nombre

    @property
    def total_primero(self) -> bool:
        return self.definicion.total_primero

    @property
    def filas(self) -> list[tuple]:
        return [
            tuple(columna.valor(registro) for columna in self.definicion.columnas)
            for registro in self.registros
        ]

    # --- The page ---

    @property
    def _columnas_pagina(self) -> list[Columna]:
        return [columna for columna in self.definicion.columnas if columna.en_pagina]

    @property
    def encabezados(self) -> list[Celda]:
        return [
            Celda(lineas=(columna.encabezado,), numerica=columna.numerica)
            for columna in self._columnas_pagina
        ]

    @property
    def filas_pagina(self) -> list[list[Celda]]:
        columnas = self._columnas_pagina
        return [
            [columna.celda(registro, self.anio) for columna in columnas]
            for registro in self.registros
        ]

    @property
    def totales_pagina(self) -> list[list[Celda]]:
        """Each total row with its label ("Total") spanning the blank cells after it."""
        filas = []
        for total in self.totales:
            celdas: list[Celda] = []
            for valor, columna in zip(total, self.definicion.columnas, strict=True):
                if not columna.en_pagina:
                    continue
                celda = _celda(valor, columna.tipo)
                if columna.enlace_total and celda.lineas:
                    celda = replace(celda, enlace=columna.enlace_total(self.anio))
                if not celda.lineas and celdas and celdas[-1].lineas and not celdas[-1].numerica:
                    celdas[-1] = replace(celdas[-1], columnas=celdas[-1].columnas + 1)
                else:
                    celdas.append(celda)
            filas.append(celdas)
        return filas

    # --- The sheets ---

    def _de_hoja(self, valores: tuple) -> list:
        return [v for v, c in zip(valores, self.definicion.columnas, strict=True) if c.en_hoja]

    @property
    def encabezados_hoja(self) -> list[str]:
        return [columna.encabezado_hoja for columna in self.definicion.columnas if columna.en_hoja]

    @property
    def filas_hoja(self) -> list[list]:
        return [self._de_hoja(fila) for fila in self.filas]

    @property
    def totales_hoja(self) -> list[list]:
        return [self._de_hoja(total) for total in self.totales]


# --- The definitions, in the report's order ---------------------------------------------------


def _usuarios_por_centro(
    numero_tabla: int, nombre: str, area_codigo: str, tabla_de: Callable, *, con_linea: bool
) -> DefinicionTabla:
    linea = [Columna("Línea", lambda fila: fila.linea_nombre)] if con_linea else []
    return DefinicionTabla(
        slug=f"tabla-{numero_tabla:02d}",
        etiqueta=f"Tabla {numero_tabla}",
        nombre=nombre,
        hoja=f"Tabla {numero_tabla}",
        columnas=(
            Columna("Nro.", lambda fila: fila.numero, Tipo.ORDEN),
            Columna(
                "Centro/Proyecto", lambda fila: fila.nombre, sufijo=lambda f: f.marca_modalidad
            ),
            Columna("Modalidad", lambda fila: fila.modalidad_nombre, en_pagina=False),
            *linea,
            Columna(
                "Nro. usuarios",
                lambda fila: fila.usuarios,
                Tipo.ENTERO,
                enlace=lambda anio, fila: reverse(
                    "rendicion:detalle_usuarios", args=[anio, fila.centro_id]
                ),
                enlace_total=lambda anio: reverse(
                    "rendicion:detalle_usuarios_area", args=[anio, area_codigo]
                ),
            ),
            Columna("Regla", lambda fila: fila.regla, en_pagina=False),
        ),
        registros=lambda informe: tabla_de(informe).filas,
        totales=lambda informe: [
            {"Centro/Proyecto": "Total", "Nro. usuarios": tabla_de(informe).total}
        ],
    )


def _plazo_de_ejecucion(convenio) -> tuple[str, ...]:
    """The term as the 2023 document prints it: stated duration, from, to, note."""
    lineas = []
    if convenio.indefinido:
        lineas.append("Indefinido")
    elif convenio.fecha_inicio or convenio.fecha_fin:
        if convenio.duracion_declarada_meses:
            lineas.append(convenio.duracion_declarada_texto)
        for etiqueta, fecha in (("Desde", convenio.fecha_inicio), ("Hasta", convenio.fecha_fin)):
            lineas.append(f"{etiqueta} {FORMATOS[Tipo.FECHA](fecha) if fecha else '—'}")
    if convenio.plazo_nota:
        lineas.append(convenio.plazo_nota)
    return tuple(lineas)


def _horario(horario) -> str:
    return " ".join(parte for parte in (horario.dias, horario.horas) if parte)


def _unidad_beneficiarios(accion) -> str:
    return accion.get_unidad_beneficiarios_display()


def _enlace_contratacion(anio: int, fila) -> str:
    return reverse("rendicion:detalle_contratacion", args=[anio, fila.tipo])


def _enlace_contratacion_total(anio: int) -> str:
    return reverse("rendicion:detalle_contratacion_total", args=[anio])


def _enlace_convenio(anio: int, convenio) -> str:
    """The list of the agreements the report counts, at this one's row."""
    return f"{reverse('rendicion:detalle_convenios', args=[anio])}#convenio-{convenio.pk}"


@dataclass(frozen=True)
class _Participacion:
    area_id: int
    area: str
    codificado: Decimal
    puntos: Decimal  # 12.3 for 12,3 %, rounded as the report prints it


def _participaciones(informe: InformeRendicion) -> list[_Participacion]:
    presupuesto = informe.presupuesto
    return [
        _Participacion(
            area_id=fila.area_id,
            area=fila.area,
            codificado=fila.codificado,
            puntos=(presupuesto.participacion(fila) * 100).quantize(
                Decimal("0.1"), rounding=ROUND_HALF_UP
            ),
        )
        for fila in presupuesto.filas
    ]


@dataclass(frozen=True)
class _FilaCifra:
    numero: int
    centro: str
    cifra: str
    unidad: str
    valor: int | Decimal
    tipo: Tipo
    promedio_diario: int | None = None
    promedio_mensual: int | None = None


def _entero(valor) -> int:
    """Rounded half up, as `numero` prints it (Python's round() would give 110 for 110.5)."""
    return int(Decimal(valor).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _filas_cifras(centros_area) -> list[_FilaCifra]:
    """Sections 3.1.4 and 3.1.5: each centre's yearly figures (money with cents, the rest
    rounded as printed), the daily and monthly averages of the flows, and its staff."""
    filas = []
    for centro in centros_area:
        for cifra in centro.cifras:
            if cifra.es_monetaria:
                # A figure without months is a bare Decimal(0): cents, as every amount.
                valor, tipo, diario, mensual = a_centavos(cifra.valor), Tipo.DINERO, None, None
            else:
                valor, tipo = _entero(cifra.valor), Tipo.ENTERO
                diario = _entero(cifra.promedio_diario) if cifra.es_flujo else None
                mensual = _entero(cifra.promedio_mensual) if cifra.es_flujo else None
            filas.append(
                _FilaCifra(
                    numero=centro.numero,
                    centro=centro.nombre_corto,
                    cifra=cifra.nombre,
                    unidad=cifra.unidad_nombre,
                    valor=valor,
                    tipo=tipo,
                    promedio_diario=diario,
                    promedio_mensual=mensual,
                )
            )
        if centro.personal:
            filas.append(
                _FilaCifra(
                    numero=centro.numero,
                    centro=centro.nombre_corto,
                    cifra="Equipo",
                    unidad="Colaboradores",
                    valor=centro.personal,
                    tipo=Tipo.ENTERO,
                )
            )
    return filas


def _cifras(slug: str, etiqueta: str, nombre: str, hoja: str, centros_de: Callable):
    return DefinicionTabla(
        slug=slug,
        etiqueta=etiqueta,
        nombre=nombre,
        hoja=hoja,
        columnas=(
            Columna("Nro.", lambda fila: fila.numero, Tipo.ORDEN),
            Columna("Centro/Proyecto", lambda fila: fila.centro),
            Columna("Cifra", lambda fila: fila.cifra),
            Columna("Unidad", lambda fila: fila.unidad),
            Columna("Valor anual", lambda fila: fila.valor, tipo=lambda fila: fila.tipo),
            Columna("Promedio diario", lambda fila: fila.promedio_diario, Tipo.ENTERO),
            Columna("Promedio mensual", lambda fila: fila.promedio_mensual, Tipo.ENTERO),
        ),
        registros=lambda informe: _filas_cifras(centros_de(informe)),
    )


TABLAS: dict[str, DefinicionTabla] = {
    definicion.slug: definicion
    for definicion in [
        _usuarios_por_centro(
            1,
            "Centros/Proyectos del Área de Desarrollo infantil",
            DESARROLLO_INFANTIL,
            lambda informe: informe.desarrollo_infantil,
            con_linea=False,
        ),
        DefinicionTabla(
            slug="tabla-02",
            etiqueta="Tabla 2",
            nombre="Centros/Proyectos del Área de Salud",
            hoja="Tabla 2",
            columnas=(
                # The service rows have no number: only the clinic's (total) row does.
                Columna("Nro.", lambda fila: None, Tipo.ORDEN),
                Columna(
                    "Centro/Proyecto", lambda fila: f"Pacientes atendidos en {fila.nombre.lower()}"
                ),
                Columna(
                    "Nro. usuarios",
                    lambda fila: fila.pacientes,
                    Tipo.ENTERO,
                    enlace=lambda anio, fila: reverse(
                        "rendicion:detalle_clinica_servicio", args=[anio, fila.servicio]
                    ),
                    enlace_total=lambda anio: reverse("rendicion:detalle_clinica", args=[anio]),
                ),
            ),
            registros=lambda informe: informe.clinica.por_servicio,
            totales=lambda informe: [
                {
                    "Nro.": centro.numero,
                    "Centro/Proyecto": centro.nombre,
                    "Nro. usuarios": informe.clinica.total,
                }
                for centro in informe.salud
            ],
            total_primero=True,
        ),
        DefinicionTabla(
            slug="tabla-03",
            etiqueta="Tabla 3",
            nombre="Especialidades",
            hoja="Tabla 3",
            columnas=(Columna("Especialidad", lambda especialidad: especialidad.nombre),),
            registros=lambda informe: informe.especialidades,
        ),
        DefinicionTabla(
            slug="tabla-04",
            etiqueta="Tabla 4",
            nombre="Especialidades y número de profesionales de la Clínica",
            hoja="Tabla 4",
            columnas=(
                Columna("Especialidad", lambda fila: fila.denominacion),
                Columna("Nro. de profesionales", lambda fila: fila.cantidad, Tipo.ENTERO),
            ),
            registros=lambda informe: informe.dotacion.filas,
            totales=lambda informe: [
                {"Especialidad": "Total", "Nro. de profesionales": informe.dotacion.total}
            ],
        ),
        DefinicionTabla(
            slug="tabla-05",
            etiqueta="Tabla 5",
            nombre="Horario de atención",
            hoja="Tabla 5",
            columnas=(
                Columna("Servicio", lambda horario: horario.servicio),
                Columna("Días", lambda horario: horario.dias),
                Columna("Horario", lambda horario: horario.horas),
            ),
            registros=lambda informe: informe.horarios_clinica,
        ),
        _usuarios_por_centro(
            6,
            "Centros/Proyectos del Área de Apoyo y Servicio Social",
            APOYO_SOCIAL,
            lambda informe: informe.apoyo_social,
            con_linea=True,
        ),
        DefinicionTabla(
            slug="tabla-07",
            etiqueta="Tabla 7",
            nombre="Instalaciones que favorecen la calidad",
            hoja="Tabla 7",
            columnas=(
                Columna("Instalación", lambda instalacion: instalacion.nombre),
                Columna("Descripción", lambda instalacion: instalacion.descripcion),
                Columna("Objetivo", lambda instalacion: instalacion.objetivo),
            ),
            registros=lambda informe: informe.instalaciones,
        ),
        DefinicionTabla(
            slug="tabla-08",
            etiqueta="Tabla 8",
            nombre="Servicios y horarios de atención",
            hoja="Tabla 8",
            columnas=(
                Columna("Servicio", lambda horario: horario.servicio),
                Columna("Descripción", lambda horario: horario.descripcion),
                Columna("Horario", _horario),
            ),
            registros=lambda informe: informe.horarios_servicios,
        ),
        DefinicionTabla(
            slug="tabla-09",
            etiqueta="Tabla 9",
            nombre="Convenios interinstitucionales",
            hoja="Tabla 9",
            columnas=(
                Columna("Convenio", lambda convenio: convenio.titulo),
                Columna("Nro.", lambda convenio: convenio.numero_mostrado, enlace=_enlace_convenio),
                Columna("Plazo de ejecución", _plazo_de_ejecucion, en_hoja=False),
                Columna(
                    "Plazo",
                    lambda c: "Indefinido" if c.indefinido else c.duracion_declarada_texto,
                    en_pagina=False,
                ),
                Columna("Desde", lambda c: c.fecha_inicio, Tipo.FECHA, en_pagina=False),
                Columna("Hasta", lambda c: c.fecha_fin, Tipo.FECHA, en_pagina=False),
                Columna("Nota sobre el plazo", lambda c: c.plazo_nota, en_pagina=False),
                Columna("Descripción", lambda convenio: convenio.objeto),
            ),
            registros=lambda informe: informe.convenios,
        ),
        DefinicionTabla(
            slug="tabla-10",
            etiqueta="Tabla 10",
            nombre="Acciones generales",
            hoja="Tabla 10",
            columnas=(
                Columna("Actividad", lambda accion: accion.actividad),
                Columna("Cantidad", lambda accion: accion.cantidad, Tipo.ENTERO),
                Columna("Sector", lambda accion: accion.sector),
                Columna("Descripción", lambda accion: accion.descripcion),
                Columna(
                    "Nro. beneficiarios",
                    lambda accion: accion.beneficiarios,
                    Tipo.ENTERO,
                    sufijo=_unidad_beneficiarios,
                ),
                Columna("Beneficiarios", _unidad_beneficiarios, en_pagina=False),
            ),
            registros=lambda informe: informe.acciones,
        ),
        DefinicionTabla(
            slug="tabla-11",
            etiqueta="Tabla 11",
            nombre="Presupuesto por línea de acción",
            hoja="Tabla 11",
            columnas=(
                Columna("Área", lambda fila: fila.area),
                Columna(
                    "Presupuesto",
                    lambda fila: fila.codificado,
                    Tipo.DINERO,
                    enlace=lambda anio, fila: reverse(
                        "rendicion:detalle_presupuesto", args=[anio, fila.area_id]
                    ),
                    enlace_total=lambda anio: reverse(
                        "rendicion:detalle_presupuesto_total", args=[anio]
                    ),
                ),
                Columna("Participación", lambda fila: fila.puntos, Tipo.PORCENTAJE),
            ),
            registros=_participaciones,
            totales=lambda informe: [
                {
                    "Área": "Total",
                    "Presupuesto": informe.presupuesto.total,
                    "Participación": Decimal("100.0") if informe.presupuesto.total else None,
                }
            ],
        ),
        DefinicionTabla(
            slug="tabla-12",
            etiqueta="Tabla 12",
            nombre="Procesos de contratación",
            hoja="Tabla 12",
            columnas=(
                Columna("Tipo de contratación", lambda fila: fila.nombre),
                Columna(
                    "Nro. de procesos",
                    lambda fila: fila.procesos,
                    Tipo.ENTERO,
                    enlace=_enlace_contratacion,
                    enlace_total=_enlace_contratacion_total,
                ),
                Columna(
                    "Monto",
                    lambda fila: fila.monto,
                    Tipo.DINERO,
                    enlace=_enlace_contratacion,
                    enlace_total=_enlace_contratacion_total,
                ),
            ),
            registros=lambda informe: informe.contratacion.filas,
            totales=lambda informe: [
                {
                    "Tipo de contratación": "Total",
                    "Nro. de procesos": informe.contratacion.total_procesos,
                    "Monto": informe.contratacion.total_monto,
                }
            ],
        ),
        _cifras(
            "cifras-impulso-economico",
            "3.1.4",
            "Cifras de los centros de Impulso económico",
            "Impulso económico",
            lambda informe: informe.impulso_economico,
        ),
        _cifras(
            "cifras-servicios-comunidad",
            "3.1.5",
            "Cifras de los centros de Otros servicios a la comunidad",
            "Servicios a la comunidad",
            lambda informe: informe.servicios_comunidad,
        ),
    ]
}


def tablas_del_informe(informe: InformeRendicion) -> dict[str, Tabla]:
    """Every table of the year's report, in its order, under a key a template can look up
    (`tablas.tabla_01`)."""
    return {
        slug.replace("-", "_"): definicion.tabla(informe) for slug, definicion in TABLAS.items()
    }
