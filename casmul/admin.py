"""django-axes' failed attempts in the admin, where the Administración unlocks an account: axes'
own page with its status column in Spanish and a "Desbloquear" action. (Its models, columns and
other actions are translated in casmul/locale; the app's name is `apps.AccesosConfig`'s.)"""

from axes.admin import AccessAttemptAdmin
from axes.conf import settings as axes_settings
from axes.models import AccessAttempt
from django.contrib import admin, messages


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
