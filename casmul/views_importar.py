"""Downloads of the import templates, one per kind registered in `casmul.hojas`: this package
reads the registry, never the apps that fill it."""

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.views.decorators.http import require_GET

from .exportar import XLSX, Archivo, descarga
from .hojas import importable, plantilla_xlsx
from .roles import tiene_rol


@require_GET
def plantilla(request, tipo: str):
    """The kind's template as XLSX, for the roles the kind names (the administration always)."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    try:
        importable_ = importable(tipo)
    except LookupError as error:
        raise Http404(str(error)) from None
    if not tiene_rol(request.user, *importable_.roles):
        raise PermissionDenied("Su rol no permite descargar esta plantilla.")
    return descarga(
        Archivo(plantilla_xlsx(importable_), XLSX, f"plantilla-{importable_.slug}.xlsx")
    )
