"""The admin site belongs to the administration: the coordination and centre staff work through
the portal's pages, which check their role and centres."""

from functools import wraps

from django.contrib import admin
from django.contrib.admin.forms import AdminAuthenticationForm
from django.core.exceptions import ValidationError
from django.db import transaction

from .roles import Rol, tiene_rol
from .versiones import datos_cambiaron


class IngresoAdministracionForm(AdminAuthenticationForm):
    """The admin's login refuses, by name, an account of another role (the coordination is
    staff): otherwise it would log her in and send her back to this same form."""

    def confirm_login_allowed(self, user):
        super().confirm_login_allowed(user)
        if not tiene_rol(user, Rol.ADMINISTRACION):
            raise ValidationError(
                "Esta cuenta no tiene acceso a la administración del portal. "
                "Ingrese al portal desde su página de inicio.",
                code="sin_rol_administracion",
            )


class SitioAdministracion(admin.AdminSite):
    login_form = IngresoAdministracionForm

    def has_permission(self, request):
        """Active staff of the administration role (superusers act as the administration)."""
        return super().has_permission(request) and tiene_rol(request.user, Rol.ADMINISTRACION)

    def admin_view(self, view, cacheable=False):
        """Every write of the admin (a record saved or deleted, an action, an import) marks
        the data of every year as changed, in the transaction of the write: a record edited
        here may be read by any year's pages, and the admin writes rarely."""
        vista = super().admin_view(view, cacheable)

        @wraps(vista)
        def vista_que_marca(request, *args, **kwargs):
            if request.method in ("GET", "HEAD", "OPTIONS"):
                return vista(request, *args, **kwargs)
            with transaction.atomic():
                respuesta = vista(request, *args, **kwargs)
                datos_cambiaron()
            return respuesta

        return vista_que_marca


class SoloLecturaAdmin(admin.ModelAdmin):
    """A record the portal's own services write (a publication, a return, a notice sent):
    listed and opened in the admin, never added, changed or deleted there."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
