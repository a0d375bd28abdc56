"""Spreadsheet import of budget lines and procurement processes (django-import-export).

Budget lines are found by year, área, partida and description; processes by year and code. A
row that names a stored record updates it, another creates one; a row equal to its record is
left unchanged. Money is read the Ecuadorian way (`casmul.numeros`: "1.234,56", never the
ambiguous "1.250"), dates as dd/mm/aaaa or real XLSX dates. Every row goes through the model's
`full_clean`, so a published year's records are refused (`casmul.cierres`), and the import is
all or nothing (`casmul.hojas.RecursoDeHoja`).
"""

import datetime
from decimal import Decimal

import tablib
from django.core.exceptions import ValidationError
from django.utils import timezone
from import_export import resources

from casmul.hojas import (
    FormatoHoja,
    RecursoDeHoja,
    anio_leer,
    celda_entero,
    celda_fecha,
    celda_opcion,
    celda_texto,
    columna_normalizar,
)
from casmul.numeros import Clase, numero_leer
from centros.models import Area, Centro
from centros.resources import area_leer

from .models import LineaPresupuestaria, ProcesoContratacion, TipoContratacion


def _dinero_leer(row, columna: str, errores: dict[str, str], *, obligatorio: bool):
    try:
        valor = numero_leer(row.get(columna), clase=Clase.DINERO)
    except ValidationError as error:
        errores[columna] = error.messages[0]
        return None
    if valor is None and obligatorio:
        errores[columna] = "Escriba el valor en dólares, por ejemplo 1.234,56."
    return valor


def _texto_obligatorio(row, columna: str, que: str, errores: dict[str, str]) -> str:
    texto = celda_texto(row.get(columna))
    if not texto:
        errores[columna] = f"Escriba {que}."
    return texto


# --- Budget lines ------------------------------------------------------------------------------


class HojaDeLineas(FormatoHoja):
    """CSV or XLSX of budget lines (Tabla 11)."""

    columnas = ("Año", "Código del área", "Partida", "Descripción", "Codificado")
    # Without them a line keeps its centre and its executed amount.
    opcionales = ("Centro", "Ejecutado")


class LineaPresupuestariaResource(RecursoDeHoja, resources.ModelResource):
    columnas_de_campos = {"area": "codigo_del_area"}

    class Meta:
        model = LineaPresupuestaria
        fields = ["anio", "area", "centro", "partida", "descripcion", "codificado", "ejecutado"]
        # No `id` column: a line is found by its year, área, partida and description.
        import_id_fields = []
        use_transactions = True

    def hoja_preparar(self) -> None:
        self._areas = {columna_normalizar(area.codigo): area for area in Area.objects.all()}
        self._centros = {centro.numero: centro for centro in Centro.objects.all()}

    def existentes(self):
        return {
            (linea.anio, linea.area_id, linea.partida, linea.descripcion): linea
            for linea in LineaPresupuestaria.objects.all()
        }

    def fila_clave(self, valores):
        return (valores["anio"], valores["area"].pk, valores["partida"], valores["descripcion"])

    def fila_leer(self, row) -> dict[str, object]:
        errores: dict[str, str] = {}
        valores: dict[str, object] = {"anio": anio_leer(row, errores)}
        valores["area"] = area_leer(row, self._areas, errores)
        valores["partida"] = celda_texto(row.get("partida"))
        valores["descripcion"] = _texto_obligatorio(
            row, "descripcion", "la descripción de la línea", errores
        )
        valores["codificado"] = _dinero_leer(row, "codificado", errores, obligatorio=True)
        if "ejecutado" in row:
            valores["ejecutado"] = _dinero_leer(row, "ejecutado", errores, obligatorio=False)
        if "centro" in row:
            valores["centro"] = None
            if texto := celda_texto(row["centro"]):
                numero = celda_entero(texto)
                valores["centro"] = self._centros.get(numero) if numero is not None else None
                if valores["centro"] is None:
                    errores["centro"] = (
                        f"No existe el centro número {numero}."
                        if numero is not None
                        else "Escriba el número del centro, o déjelo vacío."
                    )
        if errores:
            raise ValidationError(errores)
        return valores


def hoja_de_lineas(lineas) -> tablib.Dataset:
    """The lines with the import's columns, written as it reads them, and beside them the
    área's and the centre's names and the execution, which it ignores: the list's export,
    which uploaded unchanged changes nothing."""
    datos = tablib.Dataset(
        headers=[
            "Año",
            "Código del área",
            "Área",
            "Centro",
            "Nombre del centro",
            "Partida",
            "Descripción",
            "Codificado",
            "Ejecutado",
            "Ejecución (%)",
        ],
        title="Líneas presupuestarias",
    )
    for linea in lineas:
        ejecucion = linea.ejecucion
        datos.append(
            [
                linea.anio,
                linea.area.codigo,
                linea.area.nombre,
                linea.centro.numero if linea.centro else None,
                linea.centro.nombre_corto if linea.centro else "",
                linea.partida,
                linea.descripcion,
                linea.codificado,
                linea.ejecutado,
                (ejecucion * 100).quantize(Decimal("0.1")) if ejecucion is not None else None,
            ]
        )
    return datos


def lineas_plantilla(usuario=None) -> list[tuple]:
    """The budget lines' template: an example row of this year, with an área that exists."""
    area = Area.objects.values_list("codigo", flat=True).first() or "codigo-del-area"
    return [
        (
            timezone.localdate().year,
            area,
            "73.08.11",
            "Material didáctico (reemplace esta fila)",
            Decimal("12500.00"),
            None,
            Decimal("8300.50"),
        )
    ]


# --- Procurement -------------------------------------------------------------------------------


class HojaDeProcesos(FormatoHoja):
    """CSV or XLSX of procurement processes (Tabla 12)."""

    columnas = ("Año", "Tipo", "Código", "Objeto", "Monto", "Fecha")
    opcionales = ("Estado", "Fecha de adjudicación", "Fecha de finalización", "Monto al finalizar")


class ProcesoContratacionResource(RecursoDeHoja, resources.ModelResource):
    class Meta:
        model = ProcesoContratacion
        fields = [
            "anio",
            "tipo",
            "codigo",
            "objeto",
            "monto",
            "fecha",
            "estado",
            "fecha_adjudicacion",
            "fecha_finalizacion",
            "monto_final",
        ]
        # No `id` column: a process is found by its year and code.
        import_id_fields = []
        use_transactions = True

    def existentes(self):
        return {
            (proceso.anio, proceso.codigo): proceso for proceso in ProcesoContratacion.objects.all()
        }

    def fila_clave(self, valores):
        return (valores["anio"], valores["codigo"])

    def fila_leer(self, row) -> dict[str, object]:
        errores: dict[str, str] = {}
        valores: dict[str, object] = {"anio": anio_leer(row, errores)}
        valores["tipo"] = self._tipo_leer(row, errores)
        valores["codigo"] = _texto_obligatorio(row, "codigo", "el código del proceso", errores)
        valores["objeto"] = _texto_obligatorio(row, "objeto", "el objeto del proceso", errores)
        valores["monto"] = _dinero_leer(row, "monto", errores, obligatorio=True)
        try:
            valores["fecha"] = celda_fecha(row.get("fecha"))
        except ValidationError as error:
            errores["fecha"] = error.messages[0]
        # The state's columns came later: a sheet without them leaves the stored state as it is.
        if "monto_al_finalizar" in row:
            valores["monto_final"] = _dinero_leer(
                row, "monto_al_finalizar", errores, obligatorio=False
            )
        for campo, columna in [
            ("fecha_adjudicacion", "fecha_de_adjudicacion"),
            ("fecha_finalizacion", "fecha_de_finalizacion"),
        ]:
            if columna in row:
                try:
                    valores[campo] = celda_fecha(row.get(columna))
                except ValidationError as error:
                    errores[columna] = error.messages[0]
        if {"estado", "fecha_de_adjudicacion", "fecha_de_finalizacion"} & set(row.keys()):
            valores["estado"] = self._estado_leer(row, valores, errores)
        if errores:
            raise ValidationError(errores)
        return valores

    def _tipo_leer(self, row, errores: dict[str, str]) -> TipoContratacion | None:
        if not hasattr(self, "_tipos"):
            self._tipos = {tipo.codigo: tipo for tipo in TipoContratacion.objects.all()}
        opciones = [(codigo, tipo.nombre) for codigo, tipo in self._tipos.items()]
        try:
            codigo = celda_opcion(row.get("tipo"), opciones)
        except ValidationError as error:
            errores["tipo"] = error.messages[0]
            return None
        if codigo is None:
            nombres = ", ".join(f"«{nombre}»" for _, nombre in opciones)
            errores["tipo"] = f"Escriba el tipo de proceso: {nombres}."
            return None
        return self._tipos[codigo]

    @staticmethod
    def _estado_leer(row, valores: dict, errores: dict[str, str]) -> str:
        """The written state; a sheet without one (the one used before processes had states)
        says it by its dates."""
        try:
            estado = celda_opcion(row.get("estado"), ProcesoContratacion.Estado.choices)
        except ValidationError as error:
            errores["estado"] = error.messages[0]
            return ""
        if estado is not None:
            return estado
        if valores.get("fecha_finalizacion"):
            return ProcesoContratacion.Estado.FINALIZADO
        if valores.get("fecha_adjudicacion"):
            return ProcesoContratacion.Estado.ADJUDICADO
        return ProcesoContratacion.Estado.EN_CURSO


def procesos_plantilla(usuario=None) -> list[tuple]:
    """The processes' template: an example row of this year."""
    anio = timezone.localdate().year
    return [
        (
            anio,
            TipoContratacion.objects.order_by("orden").values_list("nombre", flat=True).first(),
            f"IC-CASMUL-001-{anio}",
            "Adquisición de material didáctico (reemplace esta fila)",
            Decimal("1250.50"),
            datetime.date(anio, 3, 15),
            ProcesoContratacion.Estado.FINALIZADO.label,
            datetime.date(anio, 3, 20),
            datetime.date(anio, 4, 5),
            None,
        )
    ]
