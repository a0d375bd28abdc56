"""The reading plugged into django-import-export, for every record kind imported from a
spreadsheet (the admin, the portal, the command): one format for CSV and XLSX (`FormatoHoja`),
and the resource mixins that import a file all or nothing, numbering a row as the spreadsheet
shows it (`FilasDeLaHoja`), and that import records a row gives whole (`RecursoDeHoja`)."""

from collections.abc import Hashable, Mapping

import tablib
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from import_export.formats import base_formats
from import_export.results import RowResult

from .lector import Tabla, hoja_leer


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


class FilasDeLaHoja:
    """Resource mixin: a file is imported all or nothing; the rows of a dataset read by
    `hoja_leer` are numbered as the spreadsheet shows them, and a cell that could not be read
    makes its row invalid.

    A dataset built another way keeps import-export's numbering (1 = first data row)."""

    def before_import(self, dataset, **kwargs):
        super().before_import(dataset, **kwargs)
        self._hoja: Tabla | None = getattr(dataset, "hoja", None)
        # Who imports, for the checks of the rows (which centres a clerk may write).
        self._importador = self.usuario_de(kwargs)
        self.filas_sin_valor: list[int] = []

    def fila_sin_valor(self, row) -> bool:
        """A row left for someone else to fill (its value cell empty, in a template that
        lists more than the clerk's own): passed over, counted apart, never refused."""
        return False

    def import_row(self, row, instance_loader, **kwargs):
        hoja = getattr(self, "_hoja", None)
        ilegible = hoja is not None and hoja.filas[kwargs["row_number"] - 1].errores
        if not ilegible and self.fila_sin_valor(row):
            self.filas_sin_valor.append(self.fila_de_la_hoja(kwargs["row_number"]))
            resultado = self.get_row_result_class()()
            resultado.import_type = RowResult.IMPORT_TYPE_SKIP
            return resultado
        return super().import_row(row, instance_loader, **kwargs)

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

    def after_import(self, dataset, result, **kwargs):
        # Not ModelResource's, which resets the table's id sequence to its largest id (for
        # imports that write ids, as loaddata does). The portal's ids come from the database,
        # and on PostgreSQL a reset while someone else inserts hands an id out twice: a month
        # saved beside an import failed with a duplicate key (bench/load.py).
        pass

    def import_data(self, dataset, dry_run=False, raise_errors=False, **kwargs):
        """Always inside one transaction, rolled back when any row is invalid or fails: a file
        with a refused row writes nothing, whatever the caller asks for (the admin's confirm
        step passes neither option)."""
        kwargs["use_transactions"] = True
        kwargs["rollback_on_validation_errors"] = True
        self._prueba = dry_run
        result = super().import_data(dataset, dry_run=dry_run, raise_errors=raise_errors, **kwargs)
        if getattr(dataset, "hoja", None) is not None:
            # Import-export counts data rows from 1; the admin shows this number as "Fila".
            for fila in result.invalid_rows:
                fila.number = self.fila_de_la_hoja(fila.number)
            for fila in result.error_rows:
                fila.number = self.fila_de_la_hoja(fila.number)
                for error in fila.errors:
                    error.number = fila.number
        return result


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
            # By the key stored (the id, or the field the relation points to): reading the
            # related record would cost a query per row.
            clave = getattr(valor, modelo.target_field.attname) if valor is not None else None
            return getattr(instance, modelo.attname) == clave
        return getattr(instance, campo) == valor

    def skip_row(self, instance, original, row, import_validation_errors=None):
        return not import_validation_errors and not self._cambia

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        if not import_validation_errors and not self._cambia:
            # Left as stored, so not checked again: an export uploaded unchanged is «sin
            # cambios» even for a record a published year closes.
            return
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
