from django.apps import AppConfig


class CasmulConfig(AppConfig):
    name = "casmul"
    verbose_name = "Portal CASMUL"

    def ready(self):
        from . import checks  # noqa: F401  (registers the system checks)
