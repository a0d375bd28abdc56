"""`python manage.py importar <tipo> <archivo> [--usuario U] [--confirmar]`: the admin's
import from the command line, for any kind registered in `casmul.hojas`.

Without `--confirmar` it shows what the file would do and writes nothing; with it, it imports
every row or none. Exits with 1 when a row is refused (and then nothing is written)."""

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from import_export.results import RowResult

from casmul.hojas import HojaRechazada, archivo_comprobar, importable, importables

_QUE = {
    RowResult.IMPORT_TYPE_NEW: "nueva",
    RowResult.IMPORT_TYPE_UPDATE: "actualizada",
    RowResult.IMPORT_TYPE_SKIP: "sin cambios",
}


class Command(BaseCommand):
    help = (
        "Importa una hoja de cálculo (CSV o XLSX) de un tipo de registro. Sin --confirmar solo "
        "muestra lo que haría."
    )

    def add_arguments(self, parser):
        tipos = ", ".join(tipo.slug for tipo in importables())
        parser.add_argument("tipo", help=f"Tipo de registro: {tipos}.")
        parser.add_argument("archivo", help="Ruta del archivo .csv o .xlsx.")
        parser.add_argument("--usuario", help="Nombre de usuario que queda en el historial.")
        parser.add_argument(
            "--confirmar", action="store_true", help="Importa de verdad (todo o nada)."
        )

    def handle(self, *args, tipo, archivo, usuario=None, confirmar=False, **options):
        try:
            importable_ = importable(tipo)
        except LookupError as error:
            raise CommandError(str(error)) from None
        usuario_ = self._usuario(usuario)
        ruta = Path(archivo)
        try:
            contenido = ruta.read_bytes()
        except OSError as error:
            raise CommandError(f"No se pudo leer «{archivo}»: {error.strerror}.") from None
        try:
            archivo_comprobar(nombre=ruta.name, tamano=len(contenido))
            dataset = importable_.formato().create_dataset(contenido)
        except HojaRechazada as error:
            raise CommandError(error.mensaje) from None

        recurso = importable_.recurso()
        resultado = recurso.import_data(
            dataset, dry_run=not confirmar, user=usuario_, file_name=ruta.name
        )
        self._filas_mostrar(recurso, resultado)
        totales = resultado.totals
        resumen = (
            f"{totales[RowResult.IMPORT_TYPE_NEW]} nuevas, "
            f"{totales[RowResult.IMPORT_TYPE_UPDATE]} actualizadas, "
            f"{totales[RowResult.IMPORT_TYPE_SKIP]} sin cambios, "
            f"{len(resultado.invalid_rows) + len(resultado.error_rows)} rechazadas"
        )
        if resultado.has_errors() or resultado.has_validation_errors():
            raise CommandError(
                f"{importable_.nombre} de «{ruta.name}»: {resumen}. No se importó ninguna fila: "
                "corrija las filas rechazadas y vuelva a intentarlo.",
                returncode=1,
            )
        if confirmar:
            self.stdout.write(self.style.SUCCESS(f"Importado: {resumen}."))
        else:
            self.stdout.write(
                f"Vista previa de {importable_.nombre.lower()}: {resumen}. No se escribió nada: "
                "para importar, repita la orden con --confirmar."
            )

    def _usuario(self, nombre: str | None):
        if nombre is None:
            return None
        try:
            return get_user_model().objects.get_by_natural_key(nombre)
        except get_user_model().DoesNotExist:
            raise CommandError(f"No existe el usuario «{nombre}».") from None

    def _filas_mostrar(self, recurso, resultado) -> None:
        """Every row with its spreadsheet number: what it would do, or why it is refused."""
        for indice, fila in enumerate(resultado.rows, start=1):
            if fila.import_type in _QUE:
                descripcion = f" — {fila.object_repr}" if fila.object_repr else ""
                numero = recurso.fila_de_la_hoja(indice)
                self.stdout.write(f"Fila {numero}: {_QUE[fila.import_type]}{descripcion}")
        for fila in resultado.invalid_rows:  # already numbered as the spreadsheet shows them
            for columna, mensajes in fila.error_dict.items():
                donde = "" if columna == "__all__" else f"{columna}: "
                for mensaje in mensajes:
                    self.stderr.write(f"Fila {fila.number} rechazada: {donde}{mensaje}")
        for fila in resultado.error_rows:
            for error in fila.errors:
                self.stderr.write(f"Fila {fila.number} rechazada: {error.error}")
        for error in resultado.base_errors:
            self.stderr.write(f"Error: {error.error}")
