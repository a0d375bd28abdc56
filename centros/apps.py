from django.apps import AppConfig


class CentrosConfig(AppConfig):
    name = "centros"
    verbose_name = "Centros y cifras mensuales"

    def ready(self):
        from casmul.hojas import TipoImportable, importable_registrar
        from casmul.roles import Rol

        from .resources import (
            CentroResource,
            CifraMensualResource,
            HojaDeCentros,
            HojaDeCifras,
            centros_plantilla,
            cifras_plantilla,
        )

        # The spreadsheets this app imports (`casmul.hojas`): the admin, the template
        # download and the `importar` command find them there.
        importable_registrar(
            TipoImportable(
                slug="cifras",
                nombre="Cifras mensuales",
                recurso=CifraMensualResource,
                formato=HojaDeCifras,
                plantilla=cifras_plantilla,
                # The centres' staff fill the monthly figures too.
                roles=(Rol.ADMINISTRACION, Rol.PERSONAL_CENTRO),
            )
        )
        importable_registrar(
            TipoImportable(
                slug="centros",
                nombre="Centros",
                recurso=CentroResource,
                formato=HojaDeCentros,
                plantilla=centros_plantilla,
            )
        )
