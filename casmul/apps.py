from axes import apps as axes_apps
from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django_tasks_db import apps as tareas_apps


class CasmulConfig(AppConfig):
    name = "casmul"
    verbose_name = "Portal CASMUL"

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from . import checks  # noqa: F401  (registers the system checks)
        from .sesiones import sesion_marcar_ingreso

        user_logged_in.connect(sesion_marcar_ingreso, dispatch_uid="casmul_sesion_ingreso")


class CasmulAdminConfig(admin_apps.AdminConfig):
    """Django's admin with the administration's site as `admin.site` (named in INSTALLED_APPS
    in place of "django.contrib.admin")."""

    default_site = "casmul.admin_sitio.SitioAdministracion"
    # Named explicitly, never picked for "casmul" (Django's AdminConfig is a default one).
    default = False


class AccesosConfig(axes_apps.AppConfig):
    """django-axes under a Spanish name in the admin (named in INSTALLED_APPS in place of
    "axes"); its models and columns are translated in casmul/locale."""

    verbose_name = "Ingresos y bloqueos"
    # Named explicitly, never picked for "casmul".
    default = False


class TareasConfig(tareas_apps.TasksAppConfig):
    """django-tasks' database backend under a Spanish name in the admin (named in
    INSTALLED_APPS in place of "django_tasks_db"); its model and states are translated in
    casmul/locale."""

    verbose_name = "Tareas en segundo plano"
    default = False
