"""Whether a year's records are closed because its report was published, and how a correction
opens it. The report app says how to tell and how to open when it starts (`rendicion.apps`);
the records' apps ask here, so that neither imports the other: the monthly figures, agreements,
budget and procurement of a published year change only through an erratum, and reopening one
of its months is how an erratum starts."""

from collections.abc import Callable

from django.core.exceptions import PermissionDenied, ValidationError

# Each returns why the year is closed, or None.
_COMPROBADORES: list[Callable[[int], str | None]] = []
# Each opens the year for a correction with its reason (keyword arguments anio, usuario,
# motivo), when it is closed; nothing otherwise.
_ABRIDORES: list[Callable[..., object]] = []


def cierre_registrar(
    comprobador: Callable[[int], str | None], *, abridor: Callable[..., object] | None = None
) -> None:
    if comprobador not in _COMPROBADORES:
        _COMPROBADORES.append(comprobador)
    if abridor is not None and abridor not in _ABRIDORES:
        _ABRIDORES.append(abridor)


def anio_abrir_para_corregir(*, anio: int, usuario, motivo: str) -> bool:
    """Opens a closed year for the correction `motivo` describes (a published year: its
    erratum, with that reason, unless one is open already); an open year stays as it is. True
    when the correction belongs to such a correction of the year (its erratum). Call inside
    the transaction of the correction: the year opens only if the correction is written."""
    abiertos = [abridor(anio=anio, usuario=usuario, motivo=motivo) for abridor in _ABRIDORES]
    return any(abierto is not None for abierto in abiertos)


def anio_abierto_comprobar(*anios: int) -> None:
    """Refuses a change to records of a closed year, saying why and how to open it."""
    for anio in sorted(set(anios)):
        for comprobador in _COMPROBADORES:
            if motivo := comprobador(anio):
                raise ValidationError(motivo, code="anio_cerrado")


def anio_cerrado_motivo(*anios: int) -> str | None:
    """Why one of the years is closed, or None."""
    try:
        anio_abierto_comprobar(*anios)
    except ValidationError as error:
        return error.messages[0]
    return None


class CierreDelAnioAdmin:
    """Admin of records of a year: once the year is closed they are not deleted either (one by
    one or in bulk). `anios_de` says which years a record belongs to."""

    def anios_de(self, obj) -> list[int]:
        return [obj.anio]

    def has_delete_permission(self, request, obj=None):
        if obj is not None and anio_cerrado_motivo(*self.anios_de(obj)):
            return False
        return super().has_delete_permission(request, obj)

    def delete_queryset(self, request, queryset):
        anios = [anio for obj in queryset for anio in self.anios_de(obj)]
        if motivo := anio_cerrado_motivo(*anios):
            raise PermissionDenied(motivo)
        super().delete_queryset(request, queryset)
