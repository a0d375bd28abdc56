from django.apps import AppConfig


class SaludConfig(AppConfig):
    name = "salud"
    verbose_name = "Clínica municipal"
