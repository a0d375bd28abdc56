"""Read functions of `convenios`: Tabla 9 and the agreements' coverage."""

from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet

from .models import Convenio


def convenios_del_informe(*, anio: int) -> QuerySet[Convenio]:
    """The agreements the year's report lists, with their counterparts and centres."""
    return (
        Convenio.objects.del_informe(anio)
        .prefetch_related("instituciones", "centros")
        .order_by("orden", "fecha_inicio")
    )


@dataclass(frozen=True)
class ConteoConvenios:
    total: int
    mies: int


def conteo_convenios(*, anio: int) -> ConteoConvenios:
    """How many agreements the year's report lists, and how many are with the MIES."""
    conteo = Convenio.objects.del_informe(anio).aggregate(
        total=Count("pk"), mies=Count("pk", filter=Q(tipo=Convenio.Tipo.MIES))
    )
    return ConteoConvenios(total=conteo["total"], mies=conteo["mies"])
