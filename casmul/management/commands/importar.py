"""`python manage.py importar <tipo> <archivo> [--usuario U] [--confirmar]`: the admin's
import from the command line, for any kind registered in `casmul.hojas`.

Without `--confirmar` it shows what the file would do and writes nothing; with it, it imports
every row or none. Exits with 1 when a row is refused (and then nothing is written). The
running and the summary are the portal's (`casmul.hojas.importacion_ejecutar`)."""

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from casmul.hojas import HojaRechazada, importable, importables, importacion_ejecutar


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
            resumen = importacion_ejecutar(
                tipo=importable_,
                contenido=contenido,
                nombre=ruta.name,
                usuario=usuario_,
                confirmar=confirmar,
            )
        except HojaRechazada as error:
            raise CommandError(error.mensaje) from None

        self._filas_mostrar(resumen)
        if not resumen.valido:
            raise CommandError(
                f"{importable_.nombre} de «{ruta.name}»: {resumen.texto}. No se importó ninguna "
                "fila: corrija las filas rechazadas y vuelva a intentarlo.",
                returncode=1,
            )
        if confirmar:
            self.stdout.write(self.style.SUCCESS(f"Importado: {resumen.texto}."))
        else:
            self.stdout.write(
                f"Vista previa de {importable_.nombre.lower()}: {resumen.texto}. No se escribió "
                "nada: para importar, repita la orden con --confirmar."
            )

    def _usuario(self, nombre: str | None):
        if nombre is None:
            return None
        try:
            return get_user_model().objects.get_by_natural_key(nombre)
        except get_user_model().DoesNotExist:
            raise CommandError(f"No existe el usuario «{nombre}».") from None

    def _filas_mostrar(self, resumen) -> None:
        """Every row with its spreadsheet number: what it would do, or why it is refused."""
        for fila in resumen.filas:
            descripcion = f" — {fila.descripcion}" if fila.descripcion else ""
            self.stdout.write(f"Fila {fila.numero}: {fila.que}{descripcion}")
        for fila in resumen.rechazadas:
            donde = f"{fila.columna}: " if fila.columna else ""
            self.stderr.write(f"Fila {fila.numero} rechazada: {donde}{fila.mensaje}")
        for error in resumen.errores:
            self.stderr.write(f"Error: {error}")
