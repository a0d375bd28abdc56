from django.apps import AppConfig


class CentrosConfig(AppConfig):
    name = "centros"
    verbose_name = "Centros y cifras mensuales"
