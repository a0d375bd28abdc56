from django.apps import AppConfig


class ConveniosConfig(AppConfig):
    name = "convenios"
    verbose_name = "Convenios"

    def ready(self):
        from casmul.hojas import TipoImportable, importable_registrar

        from .resources import ConvenioResource, HojaDeConvenios, convenios_plantilla

        # Agreements from a spreadsheet (`casmul.hojas`); the administration keeps them.
        importable_registrar(
            TipoImportable(
                slug="convenios",
                nombre="Convenios",
                recurso=ConvenioResource,
                formato=HojaDeConvenios,
                plantilla=convenios_plantilla,
            )
        )
