"""Writes of `presupuesto`: every record is validated by the model (`full_clean`: amounts,
a process's date inside its year, a published year closed) inside the transaction that saves
it, so no page, import or script stores what the model refuses."""

from django.db import transaction

from casmul.versiones import datos_cambiaron

from .models import GastoComun, LineaPresupuestaria, PresupuestoInstitucional, ProcesoContratacion


def _guardar(registro):
    registro.full_clean()
    # The year it had before the edit counts too: a record moved to another year leaves it.
    anterior = (
        list(type(registro).objects.filter(pk=registro.pk).values_list("anio", flat=True))
        if registro.pk
        else []
    )
    registro.save()
    datos_cambiaron(registro.anio, *anterior)
    return registro


@transaction.atomic
def linea_presupuestaria_guardar(*, linea: LineaPresupuestaria) -> LineaPresupuestaria:
    """Creates or updates a budget line. Raises ValidationError with Spanish messages."""
    return _guardar(linea)


@transaction.atomic
def presupuesto_institucional_guardar(
    *, presupuesto: PresupuestoInstitucional
) -> PresupuestoInstitucional:
    """Creates or updates a year's institutional budget (one per year). Raises
    ValidationError with Spanish messages."""
    return _guardar(presupuesto)


@transaction.atomic
def gasto_comun_guardar(*, gasto: GastoComun) -> GastoComun:
    """Creates or updates a shared expense. Raises ValidationError with Spanish messages."""
    return _guardar(gasto)


@transaction.atomic
def proceso_contratacion_guardar(*, proceso: ProcesoContratacion) -> ProcesoContratacion:
    """Creates or updates a procurement process; its date must fall inside its year. Raises
    ValidationError with Spanish messages."""
    return _guardar(proceso)
