"""Whether a year's records are closed because its report was published. The report app says
how to tell when it starts (`rendicion.apps`); the records' apps ask here, so that neither
imports the other: agreements, budget and procurement of a published year change only
through an erratum."""

from collections.abc import Callable

from django.core.exceptions import ValidationError

# Each returns why the year is closed, or None.
_COMPROBADORES: list[Callable[[int], str | None]] = []


def cierre_registrar(comprobador: Callable[[int], str | None]) -> None:
    if comprobador not in _COMPROBADORES:
        _COMPROBADORES.append(comprobador)


def anio_abierto_comprobar(*anios: int) -> None:
    """Refuses a change to records of a closed year, saying why and how to open it."""
    for anio in sorted(set(anios)):
        for comprobador in _COMPROBADORES:
            if motivo := comprobador(anio):
                raise ValidationError(motivo, code="anio_cerrado")
