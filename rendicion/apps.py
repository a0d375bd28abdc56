from django.apps import AppConfig


class RendicionConfig(AppConfig):
    name = "rendicion"
    verbose_name = "Rendición de cuentas"

    def ready(self):
        from casmul.cierres import cierre_registrar

        from .models import anio_cerrado
        from .services import fe_de_erratas_para_corregir

        # A published year closes its months, agreements, budget and procurement
        # (casmul.cierres); reopening one of its months opens its erratum.
        cierre_registrar(anio_cerrado, abridor=fe_de_erratas_para_corregir)
