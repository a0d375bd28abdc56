"""Spreadsheet import and export of monthly figures (django-import-export).

One row per figure: `centro` (the centre's number), `anio`, `mes`, `indicador` (its code) and
`valor`. A row goes through the same rules as the monthly form (`centros.services`): a known
centre and a figure it reports, a whole non-negative count (two decimals for money), not a
future month and not an approved one. The month's report is created as a draft when missing.

Files uploaded through the admin are read by `HojaDeCifras` (`casmul.hojas`): CSV with `;` or `,`
in UTF-8 or Windows-1252, or XLSX, with a title above the header and blank rows anywhere; errors
name the spreadsheet's row numbers.

An import is all or nothing: if any row is refused, no row is written (see `import_data`).
With `enviar`, the months the file wrote are then submitted for review as the year page does
(`reportes_importados_enviar`: complete drafts without warnings), in the same transaction.
"""

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.utils import timezone
from import_export import fields, resources, widgets
from import_export.results import Result

from casmul.hojas import FilasDeLaHoja, FormatoHoja, columnas_faltan_mensaje
from casmul.meses import PRIMER_ANIO, Mes
from casmul.numeros import Clase, numero_leer
from casmul.permisos import puede_registrar_cifras

from .models import Centro, CifraMensual, Indicador, OperacionAnual, ReporteMensual
from .services import (
    ConflictoDeVersion,
    ResultadoEnvio,
    fila_del_mes_guardar,
    mes_comprobar_abierto,
    reporte_abrir,
    reporte_cerrar_edicion,
    reportes_importados_enviar,
)

COLUMNAS = ["centro", "anio", "mes", "indicador", "valor"]


@dataclass(frozen=True)
class FilaLeida:
    centro: Centro
    indicador: Indicador
    reporte: ReporteMensual
    valor: Decimal


def _entero(valor) -> int | None:
    """A whole number from a spreadsheet cell: 7, 7.0, "7", " 7 "; None otherwise."""
    if isinstance(valor, bool) or valor is None:
        return None
    if isinstance(valor, int):
        return valor
    try:
        numero = Decimal(str(valor).strip())
    except InvalidOperation:
        return None
    if not numero.is_finite() or numero != numero.to_integral_value():
        return None
    return int(numero)


class ResultadoImportacion(Result):
    """An import's result, with what its submission did (None when none was asked for)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.envio: ResultadoEnvio | None = None


class HojaDeCifras(FormatoHoja):
    """CSV or XLSX of monthly figures, as Excel and LibreOffice save them (`casmul.hojas`)."""

    columnas = tuple(COLUMNAS)


class CifraMensualResource(FilasDeLaHoja, resources.ModelResource):
    centro = fields.Field(attribute="reporte__centro__numero", column_name="centro", readonly=True)
    anio = fields.Field(attribute="reporte__anio", column_name="anio", readonly=True)
    mes = fields.Field(attribute="reporte__mes", column_name="mes", readonly=True)
    indicador = fields.Field(attribute="indicador__codigo", column_name="indicador", readonly=True)
    valor = fields.Field(
        attribute="valor", column_name="valor", readonly=True, widget=widgets.DecimalWidget()
    )

    class Meta:
        model = CifraMensual
        fields = COLUMNAS
        export_order = COLUMNAS
        import_order = COLUMNAS
        # No `id` column: a row is found by its centre, month and figure.
        import_id_fields = []
        use_transactions = True
        skip_unchanged = False

    def __init__(self, *, enviar: bool = False, **kwargs):
        super().__init__(**kwargs)
        # Submit the months written, once the whole file is in (never in a dry run).
        self.enviar = enviar
        self._prueba = True  # set by `import_data`

    @classmethod
    def get_result_class(cls):
        return ResultadoImportacion

    def get_queryset(self):
        return CifraMensual.objects.select_related("reporte__centro", "indicador")

    # --- All or nothing ------------------------------------------------------------------------

    def import_data(self, dataset, dry_run=False, raise_errors=False, **kwargs):
        """Always inside one transaction, rolled back when any row is invalid or fails: a file
        with a refused row writes nothing. Whatever the caller asks for (the admin's confirm
        step passes neither option)."""
        kwargs["use_transactions"] = True
        kwargs["rollback_on_validation_errors"] = True
        self._prueba = dry_run
        return super().import_data(dataset, dry_run=dry_run, raise_errors=raise_errors, **kwargs)

    # --- Reading and checking a row ------------------------------------------------------------

    def before_import(self, dataset, **kwargs):
        super().before_import(dataset, **kwargs)
        self._centros = {
            centro.numero: centro
            for centro in Centro.objects.prefetch_related("indicadores_centro__indicador")
        }
        self._indicadores = {indicador.codigo: indicador for indicador in Indicador.objects.all()}
        self._vistas: dict[tuple, int] = {}
        self._reportes: dict[int, ReporteMensual] = {}
        # Read once for the whole file: each month is checked, opened and locked once.
        self._operaciones = {
            (centro_id, anio): (inicio, fin)
            for centro_id, anio, inicio, fin in OperacionAnual.objects.values_list(
                "centro_id", "anio", "mes_inicio", "mes_fin"
            )
        }
        self._hoy = timezone.localdate()
        self._abiertos: dict[tuple[int, int, int], ReporteMensual] = {}
        self._cifras: dict[tuple[int, int], CifraMensual] = {}
        self._fila: FilaLeida | None = None
        # A file read by `HojaDeCifras` has them all (its reading refuses it otherwise).
        faltan = [c for c in COLUMNAS if c not in (dataset.headers or [])]
        self._sin_columnas = (
            columnas_faltan_mensaje(faltan, dataset.headers or []) if faltan else None
        )
        if self._sin_columnas:
            raise ValidationError(self._sin_columnas)

    def before_import_row(self, row, **kwargs):
        """Reads and checks the row; a refused row raises a ValidationError keyed by column,
        which marks it invalid (and so the whole import is rolled back)."""
        self._fila = None
        if self._sin_columnas:
            raise ValidationError(self._sin_columnas)
        # A cell the spreadsheet could not give (a formula never computed) refuses the row.
        super().before_import_row(row, **kwargs)
        # Numbered as the spreadsheet shows it, so that the repeated row can be found there.
        numero_fila = self.fila_de_la_hoja(kwargs["row_number"])
        errores: dict[str, str] = {}
        centro = indicador = None
        numero = _entero(row.get("centro"))
        if numero is None:
            errores["centro"] = "Escriba el número del centro."
        elif (centro := self._centros.get(numero)) is None:
            errores["centro"] = f"No existe el centro número {numero}."
        codigo = str(row.get("indicador") or "").strip()
        if not codigo:
            errores["indicador"] = "Escriba el código del indicador."
        elif (indicador := self._indicadores.get(codigo)) is None:
            errores["indicador"] = f"No existe el indicador «{codigo}»."
        elif centro and indicador.pk not in {
            ic.indicador_id for ic in centro.indicadores_centro.all()
        }:
            errores["indicador"] = f"El centro {numero} no reporta «{indicador.nombre}»."
        anio = _entero(row.get("anio"))
        if anio is None or anio < PRIMER_ANIO:
            errores["anio"] = f"Escriba el año con cuatro cifras ({PRIMER_ANIO} o posterior)."
        mes = _entero(row.get("mes"))
        if mes is None or not 1 <= mes <= 12:
            errores["mes"] = "Escriba el mes como un número del 1 al 12."
        valor = None
        # How a value is read depends on its indicator (money has cents, a count may be written
        # 4.321): without a known indicator there is nothing to read it by.
        if indicador is not None:
            try:
                valor = numero_leer(row.get("valor"), clase=Clase.de_unidad(indicador.unidad))
            except ValidationError as error:
                errores["valor"] = " ".join(error.messages)
            else:
                if valor is None:
                    errores["valor"] = "Escriba la cifra como un número (0 si no hubo)."
        if centro and indicador and "anio" not in errores and "mes" not in errores:
            primera = self._vistas.setdefault((centro.pk, anio, mes, indicador.pk), numero_fila)
            if primera != numero_fila:
                errores[NON_FIELD_ERRORS] = (
                    f"Esta cifra ya está en la fila {primera} del archivo: deje una sola."
                )
        reporte = None
        if centro and "anio" not in errores and "mes" not in errores:
            try:
                reporte = self._abrir(centro, anio, mes)
            except ConflictoDeVersion as error:
                errores["mes"] = str(error)
            except ValidationError as error:
                errores["mes"] = " ".join(error.messages)
        if errores:
            raise ValidationError(errores)
        self._fila = FilaLeida(centro=centro, indicador=indicador, reporte=reporte, valor=valor)

    def _abrir(self, centro: Centro, anio: int, mes: int) -> ReporteMensual:
        """The rules of every write (`centros.services`): a month that has come, that the
        centre operates, not approved. The month stays locked until the import ends: it cannot
        be approved halfway."""
        clave = (centro.pk, anio, mes)
        if clave not in self._abiertos:
            mes_comprobar_abierto(
                centro=centro,
                mes=Mes(anio, mes),
                operacion=self._operaciones.get((centro.pk, anio)),
                hoy=self._hoy,
            )
            reporte = reporte_abrir(centro=centro, anio=anio, mes=mes, version=None)
            self._abiertos[clave] = reporte
            if reporte.version:  # version 0: created just now, it has no figures yet
                self._cifras.update(
                    ((reporte.pk, cifra.indicador_id), cifra) for cifra in reporte.cifras.all()
                )
        return self._abiertos[clave]

    def get_or_init_instance(self, instance_loader, row):
        fila = self._fila
        cifra = self._cifras.get((fila.reporte.pk, fila.indicador.pk))
        nueva = cifra is None
        cifra = cifra or CifraMensual()
        cifra.reporte, cifra.indicador = fila.reporte, fila.indicador
        return cifra, nueva

    def import_instance(self, instance, row, **kwargs):
        instance.valor = self._fila.valor

    # --- Writing -------------------------------------------------------------------------------

    def save_instance(self, instance, is_create, row, **kwargs):
        # A dry run writes too (inside the transaction rolled back at the end), so that the
        # preview sees exactly what the import would do.
        self._reportes[instance.reporte.pk] = instance.reporte
        fila_del_mes_guardar(
            fila=instance, usuario=self._usuario(kwargs), motivo=self._motivo("Importado", kwargs)
        )

    @staticmethod
    def _usuario(kwargs):
        usuario = kwargs.get("user")
        return usuario if usuario is not None and usuario.is_authenticated else None

    @staticmethod
    def _motivo(que: str, kwargs) -> str:
        archivo = kwargs.get("file_name")
        return f"{que} desde «{archivo}»" if archivo else f"{que} desde un archivo"

    def after_import(self, dataset, result, **kwargs):
        super().after_import(dataset, result, **kwargs)
        if result.has_errors() or result.has_validation_errors():
            return  # everything is rolled back
        # Each month touched is closed as every other write closes it: a new version (a form
        # opened before the import cannot overwrite it) and its warnings recomputed.
        usuario = self._usuario(kwargs)
        for reporte in self._reportes.values():
            reporte_cerrar_edicion(
                reporte=reporte, usuario=usuario, motivo=self._motivo("Cifras importadas", kwargs)
            )
        if self.enviar and not self._prueba:
            self._enviar(result, usuario, kwargs)

    def _enviar(self, result, usuario, kwargs) -> None:
        # The year page's rule: the coordination reviews months, it does not submit them.
        # Raised here, the import fails and is rolled back as a whole.
        if usuario is None or not puede_registrar_cifras(usuario):
            raise PermissionDenied(
                "Su rol no permite enviar meses a revisión: importe sin esa opción."
            )
        result.envio = reportes_importados_enviar(
            reporte_ids=list(self._reportes),
            usuario=usuario,
            motivo=self._motivo("Enviado a revisión", kwargs),
        )
