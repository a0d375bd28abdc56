"""The centres' years of operation."""

from django.db import transaction

from ..models import Centro, OperacionAnual


@transaction.atomic
def operaciones_continuar(*, desde_anio: int, hasta_anio: int) -> int:
    """Records that the centres operating in `desde_anio` go on operating every year up to
    `hasta_anio` (staff unknown). Returns how many years of operation were added."""
    centros = list(Centro.objects.en_operacion(desde_anio).values_list("pk", flat=True))
    existentes = set(
        OperacionAnual.objects.filter(
            centro_id__in=centros, anio__gt=desde_anio, anio__lte=hasta_anio
        ).values_list("centro_id", "anio")
    )
    nuevas = [
        OperacionAnual(centro_id=centro, anio=anio)
        for anio in range(desde_anio + 1, hasta_anio + 1)
        for centro in centros
        if (centro, anio) not in existentes
    ]
    OperacionAnual.objects.bulk_create(nuevas)
    return len(nuevas)
