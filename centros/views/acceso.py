"""The centre a URL names, for the users who may see it."""

from django.shortcuts import get_object_or_404

from ..models import Centro
from ..selectors.acceso import centros_de_usuario


def centro_de_usuario(usuario, centro_id: int) -> Centro:
    """The centre if the user may see it; 404 otherwise (staff of another centre do not even
    learn that it exists)."""
    return get_object_or_404(centros_de_usuario(usuario), pk=centro_id)
