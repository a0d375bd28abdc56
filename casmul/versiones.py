"""Pages computed from a year's data, kept until that data changes.

Every write of records a page reads calls `datos_cambiaron` inside its own transaction: the
year's mark changes with the data or not at all (a write that rolls back leaves the old mark,
and the page computed from the old data stays right). Readers ask `calculado`, which keys what
it keeps by the marks read *before* computing: a write committed meanwhile changes the mark, so
what was computed from older data is never found again. Nothing is kept by time: the timeout
below only frees the space of marks no longer read.

The marks are random, not counters: after a database is emptied and loaded again (`demo`, a
restore, the tests' flush) a new mark can never repeat an old one."""

import hashlib
import time
import uuid
from collections.abc import Callable, Iterable
from typing import TypeVar

from django.core.cache import cache

from .models import VersionDeDatos

Valor = TypeVar("Valor")

# `anio` of the marks of records that hold for every year (a centre's base definition, an
# indicator, an area): part of every year's key.
TODOS_LOS_ANIOS = 0
# What is kept is freed after a day (correctness never depends on it): the report's keys carry
# today's date, so nothing older is asked for again.
CONSERVAR_SEGUNDOS = 24 * 3600
# How long another process computing the same page is waited for, and how often it is asked.
ESPERA_SEGUNDOS, ESPERA_PASO = 120, 0.1
_FALTA = object()


def datos_cambiaron(*anios: int, solo_borradores: bool = False) -> None:
    """The records of `anios` (of every year when none is named) changed. `solo_borradores`:
    only months not approved changed, which the report does not count (the matrix and the
    preview do). Call inside the transaction of the write."""
    anios_cambiados = sorted({anio for anio in anios if anio is not None}) or [TODOS_LOS_ANIOS]
    marca = uuid.uuid4().hex
    # One statement, created or updated (INSERT … ON CONFLICT DO UPDATE): two writes of the
    # same year at once take turns on its row, and each leaves its own mark.
    VersionDeDatos.objects.bulk_create(
        [
            VersionDeDatos(anio=anio, entrada=marca, aprobada="" if solo_borradores else marca)
            for anio in anios_cambiados
        ],
        update_conflicts=True,
        unique_fields=["anio"],
        update_fields=["entrada"] if solo_borradores else ["entrada", "aprobada"],
    )


def version_de_los_datos(anios: Iterable[int] | None, *, borradores: bool = False) -> str:
    """The marks of `anios` and of every year's records (of all the years when None)."""
    campo = "entrada" if borradores else "aprobada"
    filas = VersionDeDatos.objects.order_by("anio")
    if anios is not None:
        filas = filas.filter(anio__in={TODOS_LOS_ANIOS, *anios})
    # A year with drafts but nothing approved yet has no approved mark, as before its row.
    return ",".join(f"{anio}:{marca}" for anio, marca in filas.values_list("anio", campo) if marca)


def calculado(
    nombre: str,
    calcular: Callable[[], Valor],
    *,
    anios: Iterable[int] | None,
    borradores: bool = False,
    partes: Iterable[object] = (),
) -> Valor:
    """`calcular()`, computed once per version of the data of `anios` (of every year when None)
    and kept in Django's cache: `borradores` when it counts months not approved. `partes` is
    whatever else the result depends on (today's date, a filter)."""
    version = version_de_los_datos(anios, borradores=borradores)
    huella = hashlib.sha256(repr((nombre, version, *partes)).encode()).hexdigest()
    clave = f"calculado:{nombre}:{huella}"
    valor = cache.get(clave, _FALTA)
    if valor is not _FALTA:
        return valor
    # One process computes each version; the others wait for its result instead of spending
    # the same seconds again (the report of 3.000 centres takes six, and twenty coordinators
    # open it together after an approval). A process that dies computing holds no one past
    # ESPERA_SEGUNDOS.
    cerrojo = f"{clave}:calculando"
    if not cache.add(cerrojo, True, ESPERA_SEGUNDOS):
        limite = time.monotonic() + ESPERA_SEGUNDOS
        while time.monotonic() < limite and cache.get(cerrojo):
            time.sleep(ESPERA_PASO)
            valor = cache.get(clave, _FALTA)
            if valor is not _FALTA:
                return valor
    try:
        valor = calcular()
        cache.set(clave, valor, CONSERVAR_SEGUNDOS)
    finally:
        cache.delete(cerrojo)
    return valor
