"""Creates or updates a portal user with exactly one role: the first administrator of a new
server, and anyone after. The password is asked for (never typed on the command line, where
the shell history would keep it), or read from an environment variable for scripts."""

import getpass
import os

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from casmul.roles import Rol
from casmul.services import usuario_con_rol_guardar

from ...models import Centro

ROLES = {
    "personal": Rol.PERSONAL_CENTRO,
    "coordinacion": Rol.COORDINACION,
    "administracion": Rol.ADMINISTRACION,
}


class Command(BaseCommand):
    help = "Crea o actualiza un usuario con un rol (personal, coordinacion o administracion)."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--rol", required=True, choices=sorted(ROLES))
        parser.add_argument("--nombre", default="", help="Nombres de la persona.")
        parser.add_argument("--apellido", default="", help="Apellidos de la persona.")
        parser.add_argument("--correo", default="")
        parser.add_argument(
            "--centros", default="", help="Números de sus centros, separados por comas."
        )
        parser.add_argument(
            "--clave-del-entorno",
            metavar="VARIABLE",
            help="Lee la contraseña de esa variable de entorno en lugar de preguntarla.",
        )

    def handle(self, *args, **opciones):
        clave = self._clave(opciones["clave_del_entorno"])
        try:
            numeros = {int(n) for n in opciones["centros"].split(",") if n.strip()}
        except ValueError:
            raise CommandError("--centros lleva números de centro separados por comas.") from None
        centros = dict(Centro.objects.filter(numero__in=numeros).values_list("numero", "pk"))
        if faltan := sorted(numeros - centros.keys()):
            raise CommandError(f"No existen los centros {', '.join(map(str, faltan))}.")
        try:
            usuario = usuario_con_rol_guardar(
                username=opciones["username"],
                password=clave,
                rol=ROLES[opciones["rol"]],
                first_name=opciones["nombre"],
                last_name=opciones["apellido"],
                email=opciones["correo"],
                centro_ids=list(centros.values()),
            )
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        self.stdout.write(f"Usuario «{usuario.username}» guardado con el rol {opciones['rol']}.")

    def _clave(self, variable: str | None) -> str:
        if variable:
            clave = os.environ.get(variable, "")
            if not clave:
                raise CommandError(f"La variable de entorno {variable} está vacía o no existe.")
            return clave
        clave = getpass.getpass("Contraseña: ")
        if clave != getpass.getpass("Repita la contraseña: "):
            raise CommandError("Las contraseñas no coinciden.")
        return clave
