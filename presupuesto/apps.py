from django.apps import AppConfig


class PresupuestoConfig(AppConfig):
    name = "presupuesto"
    verbose_name = "Presupuesto y contratación pública"

    def ready(self):
        from casmul.hojas import TipoImportable, importable_registrar

        from .resources import (
            HojaDeLineas,
            HojaDeProcesos,
            LineaPresupuestariaResource,
            ProcesoContratacionResource,
            lineas_plantilla,
            procesos_plantilla,
        )

        # Budget lines and processes from a spreadsheet (`casmul.hojas`); the administration
        # keeps them.
        importable_registrar(
            TipoImportable(
                slug="lineas",
                nombre="Líneas presupuestarias",
                recurso=LineaPresupuestariaResource,
                formato=HojaDeLineas,
                plantilla=lineas_plantilla,
            )
        )
        importable_registrar(
            TipoImportable(
                slug="procesos",
                nombre="Procesos de contratación",
                recurso=ProcesoContratacionResource,
                formato=HojaDeProcesos,
                plantilla=procesos_plantilla,
            )
        )
