from django.utils.functional import SimpleLazyObject

from .selectors.inicio import pendientes_de_usuario


def pendientes(request):
    """The count beside «Inicio» in the navigation: read only by the pages that show it (the
    portal's, not the admin's), so the others pay no query for it."""
    usuario = getattr(request, "user", None)
    if usuario is None or not usuario.is_authenticated:
        return {}
    return {"pendientes_navegacion": SimpleLazyObject(lambda: pendientes_de_usuario(usuario))}
