from django.apps import AppConfig


class RendicionConfig(AppConfig):
    name = "rendicion"
    verbose_name = "Rendición de cuentas"

    def ready(self):
        from casmul.cierres import cierre_registrar

        from .models import anio_cerrado

        # A published year closes its agreements, budget and procurement (casmul.cierres).
        cierre_registrar(anio_cerrado)
