"""Read functions of `rendicion`: the year's editable texts."""

from .models import InformeAnual


def informe_del_anio(*, anio: int) -> InformeAnual | None:
    """The year's texts with their glossary, objectives, section 4 and signatories."""
    return (
        InformeAnual.objects.filter(anio=anio)
        .prefetch_related("objetivos", "glosario", "fortalecimiento", "firmantes")
        .first()
    )
