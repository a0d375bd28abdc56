from decimal import ROUND_HALF_UP, Decimal

CENTAVO = Decimal("0.01")


def a_centavos(valor) -> Decimal:
    """Rounds a database sum to cents: SQLite adds decimals as floats (61255.7600000001)."""
    return Decimal(valor or 0).quantize(CENTAVO, rounding=ROUND_HALF_UP)
