"""Opening a new year. Each records' app says what a new year copies from the one before
(`centros`: every operating centre's year, with its staff and definition) when it starts
(`apps.ready`); the report's page that opens a year runs them all with its texts, so that
neither app imports the other (as `casmul.cierres` for a year closed)."""

from collections.abc import Callable

# Each opens year `anio` (keyword arguments anio, usuario) and says what it did, for the
# person who opened it.
_ABRIDORES: list[Callable[..., str]] = []


def apertura_registrar(abridor: Callable[..., str]) -> None:
    if abridor not in _ABRIDORES:
        _ABRIDORES.append(abridor)


def anio_nuevo_abrir(*, anio: int, usuario) -> list[str]:
    """Opens `anio` from the year before in every app; what each did. Call inside the
    transaction that opens the year."""
    return [abridor(anio=anio, usuario=usuario) for abridor in _ABRIDORES]
