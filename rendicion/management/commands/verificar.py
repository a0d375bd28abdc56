from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.formats import date_format

from rendicion.selectors import publicacion_de_archivo


class Command(BaseCommand):
    help = (
        "Dice qué versión publicada de un informe es un archivo (PDF, HTML, tablas o cifras); "
        "termina con código 1 si no es ninguna."
    )

    def add_arguments(self, parser):
        parser.add_argument("archivo", type=Path)

    def handle(self, *args, archivo: Path, **options):
        if not archivo.is_file():
            raise CommandError(f"No existe el archivo {archivo}.")
        resultado = publicacion_de_archivo(archivo.read_bytes())
        if resultado is None:
            # Exit status 1 with the reason: scripts test it, people read it.
            raise CommandError(
                f"{archivo} no es ninguna versión publicada: su huella SHA-256 no coincide."
            )
        publicacion = resultado.publicacion
        # The date the archive and the cover print: Loja's, not the server's UTC.
        publicada = date_format(timezone.localtime(publicacion.publicado_en), "d/m/Y")
        self.stdout.write(
            self.style.SUCCESS(
                f"{archivo}: {publicacion} ({resultado.archivo}), publicada el {publicada}."
            )
        )
        if resultado.reemplazada_por:
            self.stdout.write(
                f"Reemplazada por la versión {resultado.reemplazada_por} (fe de erratas)."
            )
