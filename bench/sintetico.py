"""A larger synthetic year for benchmarks and query-count tests: every record of a year
copied N-1 more times, so that each table of the report has N times the rows.

    .venv/bin/python -m bench.sintetico 2023 --factor 10     # only on a test database
"""

import argparse
import copy
import os

import django

if __name__ == "__main__":
    # From the command line the apps are not loaded yet, and the models imported below need them.
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "casmul.settings.local")
    django.setup()

from django.core.management.color import color_style
from django.db import transaction
from django.db.models import Max

from centros.models import (
    AccionGeneral,
    Centro,
    CifraMensual,
    FotoCentro,
    HorarioAtencion,
    IndicadorCentro,
    Instalacion,
    OperacionAnual,
    ReporteMensual,
)
from convenios.models import Convenio
from presupuesto.models import GastoComun, LineaPresupuestaria, ProcesoContratacion
from salud.models import AtencionClinica, DotacionProfesional

# Copies get centre numbers above this step, so they never collide with real ones.
PASO_NUMERO = 1000
# The centre number is a smallint: PostgreSQL refuses a larger one (SQLite stores it anyway).
NUMERO_MAYOR = 32767


def _copia(objeto, **cambios):
    objeto.pk = None
    objeto.id = None
    for campo, valor in cambios.items():
        setattr(objeto, campo, valor)
    return objeto


def _originales(anio: int) -> dict[str, list[int]]:
    """The year's records that each round copies, taken once: a round copies them, not the
    copies of earlier rounds."""
    return {
        "convenios": list(Convenio.objects.del_informe(anio).values_list("pk", flat=True)),
        "acciones": list(AccionGeneral.objects.filter(anio=anio).values_list("pk", flat=True)),
        "dotacion": list(
            DotacionProfesional.objects.filter(anio=anio).values_list("pk", flat=True)
        ),
        "lineas": list(LineaPresupuestaria.objects.filter(anio=anio).values_list("pk", flat=True)),
        "gastos": list(GastoComun.objects.filter(anio=anio).values_list("pk", flat=True)),
        "procesos": list(
            ProcesoContratacion.objects.filter(anio=anio).values_list("pk", flat=True)
        ),
    }


@transaction.atomic
def anio_multiplicar(*, anio: int, factor: int) -> None:
    """Adds factor-1 copies of every centre operating in the year (with its months, figures,
    clinic rows, hours, photos), of the year's agreements, budget lines, shared expenses,
    procurement processes, general actions and staffing rows. Copy k of centre n is number
    n + 1000·k; a factor whose numbers would not fit a smallint (from the 33rd copy on) is
    copied as `anio_multiplicar_en_bloque` numbers it."""
    centros = list(Centro.objects.en_operacion(anio).order_by("numero"))
    mayor = max((centro.numero for centro in centros), default=0)
    if mayor + PASO_NUMERO * (factor - 1) > NUMERO_MAYOR:
        anio_multiplicar_en_bloque(anio=anio, factor=factor)
        return
    originales = _originales(anio)
    for copia in range(1, factor):
        sufijo = f" (copia {copia})"
        nuevos = {}
        for centro in centros:
            original_pk = centro.pk
            nuevo = _copia(
                Centro.objects.get(pk=original_pk),
                numero=centro.numero + PASO_NUMERO * copia,
                nombre=centro.nombre + sufijo,
                nombre_corto=centro.nombre_corto + sufijo,
            )
            nuevo.save()
            nuevos[original_pk] = nuevo
        _copiar_dependientes(
            anio=anio, nuevos=nuevos, sufijo=sufijo, copia=copia, plantilla=originales
        )


@transaction.atomic
def anio_multiplicar_en_bloque(*, anio: int, factor: int) -> None:
    """As `anio_multiplicar` (the same copies of every centre and record of the year), for the
    factors of a national network: the copies of the centres are numbered one after another
    above the highest number (`numero + PASO_NUMERO * copia` passes a smallint's 32.767 from the
    33rd copy, which PostgreSQL refuses) and written with one `bulk_create` per round."""
    centros = list(Centro.objects.en_operacion(anio).order_by("numero"))
    originales = _originales(anio)
    siguiente = (Centro.objects.aggregate(mayor=Max("numero"))["mayor"] or 0) + 1
    for copia in range(1, factor):
        sufijo = f" (copia {copia})"
        copias = Centro.objects.bulk_create(
            _copia(
                copy.copy(centro),
                numero=siguiente + (copia - 1) * len(centros) + indice,
                nombre=centro.nombre + sufijo,
                nombre_corto=centro.nombre_corto + sufijo,
            )
            for indice, centro in enumerate(centros)
        )
        if copias and copias[0].pk is None:  # databases that don't return ids from bulk_create
            numeros = [copia_centro.numero for copia_centro in copias]
            copias = list(Centro.objects.filter(numero__in=numeros).order_by("numero"))
        nuevos = {centro.pk: nuevo for centro, nuevo in zip(centros, copias, strict=True)}
        _copiar_dependientes(
            anio=anio, nuevos=nuevos, sufijo=sufijo, copia=copia, plantilla=originales
        )


def _copiar_dependientes(*, anio, nuevos, sufijo, copia, plantilla):
    originales = list(nuevos)
    OperacionAnual.objects.bulk_create(
        _copia(op, centro=nuevos[op.centro_id])
        for op in OperacionAnual.objects.filter(centro_id__in=originales)
    )
    IndicadorCentro.objects.bulk_create(
        _copia(ic, centro=nuevos[ic.centro_id])
        for ic in IndicadorCentro.objects.filter(centro_id__in=originales)
    )
    for modelo in (HorarioAtencion, Instalacion):
        modelo.objects.bulk_create(
            _copia(fila, centro=nuevos[fila.centro_id])
            for fila in modelo.objects.filter(centro_id__in=originales)
        )
    FotoCentro.objects.bulk_create(
        _copia(foto, centro=nuevos[foto.centro_id])
        for foto in FotoCentro.objects.filter(centro_id__in=originales, anio=anio)
    )
    reportes = list(ReporteMensual.objects.filter(centro_id__in=originales, anio=anio))
    originales_reporte = [reporte.pk for reporte in reportes]
    copias = ReporteMensual.objects.bulk_create(
        _copia(reporte, centro=nuevos[reporte.centro_id]) for reporte in reportes
    )
    if copias and copias[0].pk is None:  # databases that don't return ids from bulk_create
        copias = list(
            ReporteMensual.objects.filter(centro__in=nuevos.values(), anio=anio).order_by("pk")
        )
    reporte_nuevo = dict(zip(originales_reporte, (c.pk for c in copias), strict=True))
    CifraMensual.objects.bulk_create(
        _copia(cifra, reporte_id=reporte_nuevo[cifra.reporte_id])
        for cifra in CifraMensual.objects.filter(reporte_id__in=originales_reporte)
    )
    AtencionClinica.objects.bulk_create(
        _copia(atencion, reporte_id=reporte_nuevo[atencion.reporte_id])
        for atencion in AtencionClinica.objects.filter(reporte_id__in=originales_reporte)
    )
    convenios = Convenio.objects.filter(pk__in=plantilla["convenios"])
    for convenio in convenios.prefetch_related("instituciones", "centros"):
        instituciones, centros = list(convenio.instituciones.all()), list(convenio.centros.all())
        nuevo = _copia(convenio, titulo=convenio.titulo + sufijo)
        nuevo.save()
        nuevo.instituciones.set(instituciones)
        nuevo.centros.set([nuevos.get(c.pk, c) for c in centros])
    AccionGeneral.objects.bulk_create(
        _copia(accion, actividad=accion.actividad + sufijo)
        for accion in AccionGeneral.objects.filter(pk__in=plantilla["acciones"])
    )
    DotacionProfesional.objects.bulk_create(
        _copia(fila, denominacion=fila.denominacion + sufijo)
        for fila in DotacionProfesional.objects.filter(pk__in=plantilla["dotacion"])
    )
    LineaPresupuestaria.objects.bulk_create(
        _copia(linea, centro=nuevos.get(linea.centro_id), descripcion=linea.descripcion + sufijo)
        for linea in LineaPresupuestaria.objects.filter(pk__in=plantilla["lineas"])
    )
    GastoComun.objects.bulk_create(
        _copia(gasto, concepto=gasto.concepto + sufijo)
        for gasto in GastoComun.objects.filter(pk__in=plantilla["gastos"])
    )
    ProcesoContratacion.objects.bulk_create(
        _copia(proceso, codigo=f"{proceso.codigo}-C{copia}")
        for proceso in ProcesoContratacion.objects.filter(pk__in=plantilla["procesos"])
    )


def main():
    parser = argparse.ArgumentParser(
        prog="python -m bench.sintetico",
        description=(
            "Multiplica los registros de un año (centros, meses, cifras, convenios, presupuesto, "
            "contratación) para pruebas de carga. Solo para bases de prueba."
        ),
    )
    parser.add_argument("anio", type=int)
    parser.add_argument("--factor", type=int, default=10)
    argumentos = parser.parse_args()
    if argumentos.factor < 2:
        parser.error("El factor debe ser 2 o más.")
    anio_multiplicar(anio=argumentos.anio, factor=argumentos.factor)
    mensaje = f"Registros de {argumentos.anio} multiplicados por {argumentos.factor}."
    print(color_style().SUCCESS(mensaje))


if __name__ == "__main__":
    main()
