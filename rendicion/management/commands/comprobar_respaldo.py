from django.core.management.base import BaseCommand, CommandError

from rendicion.respaldo import respaldo_comprobar

_MOTIVOS = {
    "falta": "no está en el almacenamiento (¿se copió la carpeta MEDIA_ROOT?)",
    "huella": "su huella SHA-256 no es la publicada: el archivo cambió",
}


class Command(BaseCommand):
    help = (
        "Comprueba que una copia restaurada tiene el informe publicado de un año: cada archivo "
        "publicado con su huella SHA-256 y las cifras recalculadas iguales a las publicadas. "
        "Termina con código 1 si algo difiere."
    )

    def add_arguments(self, parser):
        parser.add_argument("anio", type=int, metavar="año")

    def handle(self, *args, anio: int, **options):
        comprobacion = respaldo_comprobar(anio=anio)
        if comprobacion is None:
            raise CommandError(f"El informe de {anio} no tiene ninguna versión publicada.")
        diferencias = [
            f"{a.publicacion}, {a.archivo} ({a.ruta}): {_MOTIVOS[a.motivo]}."
            for a in comprobacion.archivos_alterados
        ]
        diferencias += [
            f"{c['cifra']}: publicada {c['antes']}, recalculada {c['despues']}."
            for c in comprobacion.cifras_distintas
        ]
        diferencias += [
            f"Difiere de lo publicado: {parte}." for parte in comprobacion.partes_distintas
        ]
        if diferencias:
            # Exit status 1 with every difference: scripts test it, people read it.
            raise CommandError(
                f"La copia no coincide con {comprobacion.publicacion}:\n"
                + "\n".join(f"- {d}" for d in diferencias)
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"OK: {comprobacion.publicacion} — {comprobacion.archivos_comprobados} archivos "
                "publicados con su huella SHA-256 y todas las cifras iguales a las publicadas."
            )
        )
