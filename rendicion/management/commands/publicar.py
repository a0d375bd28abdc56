from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from casmul.roles import Rol, tiene_rol
from rendicion.services import informe_publicar


class Command(BaseCommand):
    help = (
        "Publica el informe de rendición de cuentas de un año (o su fe de erratas): guarda el "
        "PDF, el HTML, las tablas y las cifras con su huella SHA-256."
    )

    def add_arguments(self, parser):
        parser.add_argument("anio", type=int, help="Año del informe, p. ej. 2023.")
        parser.add_argument(
            "--usuario", required=True, help="Quien publica (Coordinación o Administración)."
        )
        parser.add_argument("--motivo", default="", help="Motivo de la fe de erratas (versión 2+).")

    def handle(self, *args, anio, usuario, motivo, **options):
        quien = get_user_model().objects.filter(username=usuario).first()
        if quien is None or not tiene_rol(quien, Rol.COORDINACION, Rol.ADMINISTRACION):
            raise CommandError(
                f"«{usuario}» no es un usuario de la Coordinación o la Administración."
            )
        try:
            publicacion = informe_publicar(anio=anio, usuario=quien, motivo=motivo)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        self.stdout.write(self.style.SUCCESS(f"Publicado: {publicacion}."))
        for _, nombre, huella in publicacion.archivos:
            self.stdout.write(f"  {nombre:<14} {huella}")
