"""A figure's yearly value by its own rule (`Indicador.Agregacion`, which also says how the rule
is written): computed in the database for the report and a centre's year view, and on values
already read for a month's page. The two below are the one rule; change them together."""

from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Avg, Case, DecimalField, Max, Sum, When

from casmul.montos import a_centavos

from ..models import CifraMensual, Indicador, del_informe


def valor_anual():
    """Flows add up, stocks take their monthly maximum or average; per group of rows."""
    return Case(
        When(indicador__agregacion=Indicador.Agregacion.SUMA, then=Sum("valor")),
        When(indicador__agregacion=Indicador.Agregacion.MAXIMO, then=Max("valor")),
        default=Avg("valor"),
        output_field=DecimalField(max_digits=16, decimal_places=2),
    )


def valor_anual_de(valores: list[Decimal], agregacion: str) -> Decimal | None:
    """`valor_anual` of the months' values already read; None without any."""
    if not valores:
        return None
    if agregacion == Indicador.Agregacion.SUMA:
        return sum(valores, Decimal(0))
    if agregacion == Indicador.Agregacion.MAXIMO:
        return max(valores)
    return sum(valores, Decimal(0)) / len(valores)


def personas(valor) -> int:
    """A yearly count of people as the report states it: whole persons (an average of 36,5
    children is 37)."""
    return int(a_centavos(valor).to_integral_value(ROUND_HALF_UP))


def cifras_anuales(
    *, anio: int, centro_ids=None, con_sin_aprobar: bool = False
) -> dict[tuple[int, str], Decimal]:
    """Every figure's yearly value per centre: {(centro_id, indicador codigo): valor}, from the
    approved months (or every month entered, `con_sin_aprobar`)."""
    cifras = CifraMensual.objects.filter(
        del_informe(anio, con_sin_aprobar=con_sin_aprobar, via="reporte__")
    )
    if centro_ids is not None:
        cifras = cifras.filter(reporte__centro_id__in=centro_ids)
    filas = (
        cifras.values("reporte__centro_id", "indicador__codigo", "indicador__agregacion")
        .annotate(valor_anual=valor_anual())
        .order_by()
    )
    return {
        (fila["reporte__centro_id"], fila["indicador__codigo"]): a_centavos(fila["valor_anual"])
        for fila in filas
    }
