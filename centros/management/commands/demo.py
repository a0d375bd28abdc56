from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from casmul.roles import Rol
from casmul.services import usuario_con_rol_guardar
from casmul.versiones import datos_cambiaron
from centros.services import operaciones_continuar

FIXTURES_2023 = ["centros", "salud", "convenios", "presupuesto", "rendicion"]

# Demo users only: never created by migrations, never in production.
USUARIOS_DEMO = [
    {
        "username": "personal",
        # The demo's notices are printed by the worker (`make run`), addressed here.
        "email": "personal@casmul.demo",
        "password": "casmul-personal",
        "rol": Rol.PERSONAL_CENTRO,
        "first_name": "María",
        "last_name": "Jaramillo (personal de centro)",
        "centro_ids": [1, 4, 30],
    },
    {
        "username": "coordinacion",
        "email": "coordinacion@casmul.demo",
        "password": "casmul-coordinacion",
        "rol": Rol.COORDINACION,
        "first_name": "Luis",
        "last_name": "Armijos (coordinación)",
    },
    {
        "username": "admin",
        "email": "admin@casmul.demo",
        "password": "casmul-admin",
        "rol": Rol.ADMINISTRACION,
        "first_name": "Ana",
        "last_name": "Ordóñez (administración)",
    },
]


class Command(BaseCommand):
    help = "Carga los datos de 2023 y crea un usuario de demostración por rol."

    @transaction.atomic
    def handle(self, *args, **options):
        call_command("loaddata", *FIXTURES_2023, verbosity=0)
        # Fixtures are written by no service: the pages computed before them are not theirs.
        datos_cambiaron()
        # The 2023 centres go on operating, so that this year's months can be entered.
        operaciones_continuar(desde_anio=2023, hasta_anio=timezone.localdate().year)
        for datos in USUARIOS_DEMO:
            usuario_con_rol_guardar(**datos)
        self.stdout.write(self.style.SUCCESS("Datos de 2023 cargados. Usuarios de demostración:"))
        for datos in USUARIOS_DEMO:
            rol, usuario, clave = datos["rol"].label, datos["username"], datos["password"]
            self.stdout.write(f"  {rol:<32} {usuario} / {clave}")
