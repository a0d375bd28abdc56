"""A centre's definition changed from a year on: the years before keep theirs."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from casmul.cierres import anio_abrir_para_corregir, anio_cerrado_motivo
from casmul.versiones import datos_cambiaron

from ..models import (
    CAMPOS_DEL_ANIO,
    CAMPOS_DEL_INDICADOR,
    Centro,
    CifraMensual,
    Indicador,
    IndicadorCentro,
    OperacionAnual,
    ReporteMensual,
)
from .revision import reporte_reabrir


def anio_de_los_cambios(hoy: datetime.date | None = None) -> int:
    """The year a change applies from when nobody says: the one being entered."""
    return (hoy or timezone.localdate()).year


def _anios_que_lo_usan(*, centro: Centro, desde_anio: int) -> list[int]:
    """The years from `desde_anio` whose report already rests on the centre's definition:
    with approved months of the centre, or published (closed) while it operated."""
    aprobados = set(
        ReporteMensual.objects.filter(
            centro=centro, anio__gte=desde_anio, estado=ReporteMensual.Estado.APROBADO
        ).values_list("anio", flat=True)
    )
    operados = OperacionAnual.objects.filter(centro=centro, anio__gte=desde_anio)
    cerrados = {
        anio for anio in operados.values_list("anio", flat=True) if anio_cerrado_motivo(anio)
    }
    return sorted(aprobados | cerrados)


def _mensaje_de_rechazo(centro: Centro, desde_anio: int, anios: list[int]) -> str:
    nombrados = ", ".join(str(anio) for anio in anios)
    return (
        f"{centro.nombre_corto} ya tiene el informe de {nombrados} calculado con su definición "
        f"(meses aprobados o informe publicado). Para cambiarla desde {desde_anio}, escriba el "
        "motivo de la corrección: se reabrirán para revisarlos los meses aprobados de esos años "
        "y, si el informe está publicado, el cambio será parte de su fe de erratas. Si el cambio "
        f"rige solo en adelante, elija «Desde el año» {anios[-1] + 1}."
    )


def _del_anio(centro: Centro, cambios: dict[str, object]) -> dict[str, object]:
    return {
        campo: valor
        for campo, valor in cambios.items()
        if campo in CAMPOS_DEL_ANIO and getattr(centro, campo) != valor
    }


def centro_definicion_comprobar(
    *, centro: Centro, cambios: dict[str, object], desde_anio: int, motivo: str = ""
) -> list[int]:
    """Refuses what `centro_definir` would refuse, before anything is written (a form's
    check). Returns the years whose report the change corrects."""
    if not _del_anio(centro, cambios):
        return []
    anios = _anios_que_lo_usan(centro=centro, desde_anio=desde_anio)
    if anios and not motivo.strip():
        raise ValidationError(
            _mensaje_de_rechazo(centro, desde_anio, anios), code="anio_con_definicion"
        )
    return anios


@transaction.atomic
def centro_definir(
    *, centro: Centro, cambios: dict[str, object], desde_anio: int, usuario, motivo: str = ""
) -> Centro:
    """Sets the centre's `cambios` (field → new value) from `desde_anio` on. For the fields
    of `CAMPOS_DEL_ANIO`, each year of operation before it keeps the definition it had (its
    row takes its own copy) and each year from it on takes the new values.

    A year from `desde_anio` whose report already rests on the old definition changes only
    with a `motivo`: its approved months of the centre are reopened with it, so that the
    coordination approves them again under the new definition, and a published year's change
    becomes part of its erratum (`casmul.cierres`). Without a motivo it is refused, saying
    what to do; nothing changes."""
    guardado = Centro.objects.select_for_update().get(pk=centro.pk)
    del_anio = _del_anio(guardado, cambios)
    if del_anio:
        anios = centro_definicion_comprobar(
            centro=guardado, cambios=cambios, desde_anio=desde_anio, motivo=motivo
        )
        motivo = motivo.strip()
        for anio in anios:
            if anio_abrir_para_corregir(anio=anio, usuario=usuario, motivo=motivo):
                continue
            for reporte in ReporteMensual.objects.filter(
                centro=guardado, anio=anio, estado=ReporteMensual.Estado.APROBADO
            ):
                reporte_reabrir(reporte=reporte, motivo=motivo, usuario=usuario)
        _anteriores_conservar(guardado, desde_anio=desde_anio, usuario=usuario)
        for operacion in OperacionAnual.objects.filter(
            centro=guardado, anio__gte=desde_anio, definicion_propia=True
        ):
            for campo, valor in del_anio.items():
                setattr(operacion, campo, valor)
            operacion._history_user = usuario
            operacion.save()
    for campo, valor in cambios.items():
        setattr(guardado, campo, valor)
    if del_anio:
        guardado.definicion_desde = desde_anio
    guardado.full_clean()
    guardado.save()
    # The base definition is read by every year that has no definition of its own.
    datos_cambiaron()
    return guardado


def _anteriores_conservar(centro: Centro, *, desde_anio: int, usuario) -> None:
    for operacion in OperacionAnual.objects.filter(
        centro=centro, anio__lt=desde_anio, definicion_propia=False
    ):
        operacion.definicion_propia = True
        for campo in CAMPOS_DEL_ANIO:
            setattr(operacion, campo, getattr(centro, campo))
        operacion._history_user = usuario
        operacion._change_reason = f"Conserva su definición: el centro cambió desde {desde_anio}"
        operacion.save()


def _anios_con_cifras_aprobadas(indicador: Indicador) -> list[int]:
    return sorted(
        set(
            ReporteMensual.objects.filter(
                estado=ReporteMensual.Estado.APROBADO, cifras__indicador=indicador
            ).values_list("anio", flat=True)
        )
    )


def indicador_definicion_comprobar(
    *, indicador: Indicador, cambios: dict[str, object], desde_anio: int | None
) -> list[int]:
    """Refuses a change of `indicador` (`CAMPOS_DEL_INDICADOR`) that would recount a year with
    approved months, saying what to do. Returns the approved years that keep the indicator as
    it is (empty: the change is made in place)."""
    if not cambios:
        return []
    aprobados = _anios_con_cifras_aprobadas(indicador)
    if desde_anio is None:
        if aprobados and set(cambios) - {"nombre"}:
            _regla_rechazar(indicador, aprobados)
        # A new name with no year corrects it in every year.
        return []
    alcanzados = [anio for anio in aprobados if anio >= desde_anio]
    if alcanzados:
        _regla_rechazar(indicador, alcanzados)
    return aprobados


def _regla_rechazar(indicador: Indicador, anios: list[int]):
    nombrados = ", ".join(str(anio) for anio in anios)
    raise ValidationError(
        f"«{indicador.nombre}» tiene cifras en meses aprobados de {nombrados}, contadas así. "
        f"Para contarlas de otro modo en adelante, escriba en «Desde el año» {anios[-1] + 1} o "
        "un año posterior: los años anteriores conservan el indicador como era.",
        code="anio_con_regla",
    )


@transaction.atomic
def indicador_definir(
    *, indicador: Indicador, cambios: dict[str, object], desde_anio: int | None, usuario
) -> Indicador:
    """Sets the indicator's name, rule or unit (`cambios`) from `desde_anio` on. With no
    approved month before that year (or a new name alone, without a year), the indicator
    simply changes. Otherwise the years before keep it as it is: a new indicator with the new
    values takes its place from `desde_anio` in every centre that reports it then (the same
    order, the centres' users figure too), and the figures already typed for those years move
    to it. Refused (`indicador_definicion_comprobar`) when an approved year would be
    recounted."""
    if not indicador_definicion_comprobar(
        indicador=indicador, cambios=cambios, desde_anio=desde_anio
    ):
        for campo, valor in cambios.items():
            setattr(indicador, campo, valor)
        indicador.save(update_fields=list(cambios))
        datos_cambiaron()
        return indicador
    codigo = f"{indicador.codigo[:54]}-{desde_anio}"
    if Indicador.objects.filter(codigo=codigo).exists():
        raise ValidationError(
            f"Ya existe el indicador «{codigo}»: «{indicador.nombre}» ya cambió desde "
            f"{desde_anio}; edite ese.",
            code="sucesor_existente",
        )
    nuevo = Indicador.objects.create(
        codigo=codigo,
        descripcion=indicador.descripcion,
        **{campo: getattr(indicador, campo) for campo in CAMPOS_DEL_INDICADOR} | cambios,
    )
    for reportado in IndicadorCentro.objects.filter(indicador=indicador).del_anio(desde_anio):
        if reportado.desde_anio == desde_anio:
            reportado.indicador = nuevo
        else:
            IndicadorCentro.objects.create(
                centro_id=reportado.centro_id,
                indicador=nuevo,
                orden=reportado.orden,
                desde_anio=desde_anio,
                hasta_anio=reportado.hasta_anio,
            )
            reportado.hasta_anio = desde_anio - 1
        reportado.save()
    CifraMensual.objects.filter(indicador=indicador, reporte__anio__gte=desde_anio).update(
        indicador=nuevo
    )
    for centro in Centro.objects.filter(indicador_usuarios=indicador):
        centro_definir(
            centro=centro,
            cambios={"indicador_usuarios": nuevo},
            desde_anio=desde_anio,
            usuario=usuario,
        )
    datos_cambiaron()
    return nuevo
