from django.apps import AppConfig


class SaludConfig(AppConfig):
    name = "salud"
    verbose_name = "Clínica municipal"

    def ready(self):
        from casmul.hojas import TipoImportable, importable_registrar
        from casmul.roles import Rol

        from .resources import AtencionClinicaResource, HojaDeAtenciones, atenciones_plantilla

        # The clinic's months from a spreadsheet (`casmul.hojas`).
        importable_registrar(
            TipoImportable(
                slug="atenciones",
                nombre="Atenciones de la clínica",
                recurso=AtencionClinicaResource,
                formato=HojaDeAtenciones,
                plantilla=atenciones_plantilla,
                # The clinic's staff fill its months too.
                roles=(Rol.ADMINISTRACION, Rol.PERSONAL_CENTRO),
            )
        )
