"""Writes of `convenios`."""

from collections.abc import Iterable

from django.db import transaction

from casmul.versiones import datos_cambiaron
from centros.models import Centro

from .models import Convenio, Institucion


@transaction.atomic
def convenio_guardar(
    *,
    convenio: Convenio,
    instituciones: Iterable[Institucion],
    centros: Iterable[Centro],
    renueva_a: Convenio | None = None,
) -> Convenio:
    """Saves an agreement (new or edited) with its counterparts and centres; `renueva_a`
    records the agreement it renews. `full_clean` runs here even after a form validated it:
    it is what refuses a change to a published year's agreement, whichever door it comes
    through. Raises ValidationError."""
    if renueva_a is not None:
        convenio.renueva_a = renueva_a
    convenio.full_clean()
    convenio.save()
    convenio.instituciones.set(instituciones)
    convenio.centros.set(centros)
    # An agreement counts in every year its dates cover, and its dates may have just moved.
    datos_cambiaron()
    return convenio
