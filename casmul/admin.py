"""Two libraries' pages in the admin, in Spanish: django-axes' failed attempts, where the
Administración unlocks an account (its status column and a "Desbloquear" action), and
django-tasks' record of background tasks (its columns). Their models, fields and states are
translated in casmul/locale; the apps' names are those of `apps.AccesosConfig` and
`apps.TareasConfig`."""

from axes.admin import AccessAttemptAdmin
from axes.conf import settings as axes_settings
from axes.models import AccessAttempt
from django.contrib import admin, messages
from django_tasks_db.admin import DBTaskResultAdmin
from django_tasks_db.models import DBTaskResult


class IntentosFallidosAdmin(AccessAttemptAdmin):
    """One row per account, address and browser that failed to log in; deleting the row is
    what unlocks that account from that address."""

    actions = ["desbloquear", *AccessAttemptAdmin.actions]

    @admin.display(description="Estado")
    def status(self, obj: AccessAttempt) -> str:
        restantes = axes_settings.AXES_FAILURE_LIMIT - obj.failures_since_start
        if restantes <= 0:
            return "Bloqueado"
        return "Le queda 1 intento" if restantes == 1 else f"Le quedan {restantes} intentos"

    @admin.action(
        description="Desbloquear: borrar los intentos fallidos seleccionados",
        permissions=["delete"],
    )
    def desbloquear(self, request, queryset):
        self.log_deletions(request, queryset)
        borrados = queryset.delete()[1].get(AccessAttempt._meta.label, 0)
        cuantos = (
            "1 registro de intentos fallidos borrado"
            if borrados == 1
            else f"{borrados} registros de intentos fallidos borrados"
        )
        self.message_user(
            request,
            f"Desbloqueado ({cuantos}): esas cuentas pueden volver a ingresar desde esas "
            "direcciones.",
            messages.SUCCESS,
        )


# axes registers its admin on import; this page replaces its attempts' page.
if admin.site.is_registered(AccessAttempt):
    admin.site.unregister(AccessAttempt)
    admin.site.register(AccessAttempt, IntentosFallidosAdmin)


class ResultadoDeTareaAdmin(DBTaskResultAdmin):
    """The library's read-only page with its own columns named in Spanish."""

    list_display = (
        "id",
        "tarea",
        "status",
        "enqueued_at",
        "started_at",
        "finished_at",
        "priority",
        "queue_name",
    )

    @admin.display(description="tarea", ordering="task_path")
    def tarea(self, obj: DBTaskResult) -> str:
        return obj.task_name

    @admin.display(description="detalle del error")
    def formatted_traceback(self, obj: DBTaskResult) -> str:
        return super().formatted_traceback(obj)

    @admin.display(description="ejecutar desde")
    def display_run_after(self, obj: DBTaskResult):
        return super().display_run_after(obj)


if admin.site.is_registered(DBTaskResult):
    admin.site.unregister(DBTaskResult)
admin.site.register(DBTaskResult, ResultadoDeTareaAdmin)
