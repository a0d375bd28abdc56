from django.core.management.base import BaseCommand, CommandError

from casmul.sintetico import anio_multiplicar


class Command(BaseCommand):
    help = (
        "Multiplica los registros de un año (centros, meses, cifras, convenios, presupuesto, "
        "contratación) para pruebas de carga. Solo para bases de prueba."
    )

    def add_arguments(self, parser):
        parser.add_argument("anio", type=int)
        parser.add_argument("--factor", type=int, default=10)

    def handle(self, *args, anio, factor, **options):
        if factor < 2:
            raise CommandError("El factor debe ser 2 o más.")
        anio_multiplicar(anio=anio, factor=factor)
        self.stdout.write(self.style.SUCCESS(f"Registros de {anio} multiplicados por {factor}."))
