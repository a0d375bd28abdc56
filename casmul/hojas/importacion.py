"""Running an import of a registered kind, for the `importar` command, the portal's page and
its worker (`importacion_ejecutar`): a preview that writes nothing, or every row or none; and
what it did, in Spanish, with the spreadsheet's row numbers (`ResumenImportacion`), never a
library's message or a traceback."""

import logging
from collections.abc import Mapping
from dataclasses import dataclass

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import transaction
from import_export.results import RowResult

from ..versiones import datos_cambiaron
from .lector import HojaRechazada, archivo_comprobar, columna_normalizar
from .registro import TipoImportable

logger = logging.getLogger(__name__)

SIN_VALOR = "sin valor"
_QUE = {
    RowResult.IMPORT_TYPE_NEW: "nueva",
    RowResult.IMPORT_TYPE_UPDATE: "actualizada",
    RowResult.IMPORT_TYPE_SKIP: "sin cambios",
}
_ERROR_INTERNO = (
    "No se pudo importar por un error del portal; no se escribió nada. Avise al equipo técnico."
)


@dataclass(frozen=True)
class FilaImportada:
    numero: int  # as the spreadsheet shows it
    que: str  # "nueva", "actualizada", "sin cambios"
    descripcion: str


@dataclass(frozen=True)
class FilaRechazada:
    numero: int  # as the spreadsheet shows it
    columna: str  # the column read (normalised, "anio"), "" for the whole row
    encabezado: str  # the column as the template's header shows it ("Año"), "" for the row
    mensaje: str  # in Spanish


@dataclass(frozen=True)
class ResumenImportacion:
    """What an import did (or, not confirmed, would do): in Spanish, with spreadsheet row
    numbers, never a library's message or a traceback."""

    tipo: TipoImportable
    nombre: str  # the file's name
    confirmado: bool
    nuevas: int
    actualizadas: int
    sin_cambios: int
    filas: tuple[FilaImportada, ...]
    rechazadas: tuple[FilaRechazada, ...]
    errores: tuple[str, ...]  # of the whole file, not of a row
    aviso: str = ""  # what the resource did besides (the months submitted for review)
    # The portal failed (the database, a bug), not the file: logged, and worth retrying.
    error_interno: bool = False
    # Rows whose value cell was empty: passed over, not refused (`fila_sin_valor`).
    sin_valor: int = 0

    @property
    def valido(self) -> bool:
        return not self.rechazadas and not self.errores

    @property
    def cambios(self) -> tuple[FilaImportada, ...]:
        return tuple(fila for fila in self.filas if fila.que not in ("sin cambios", SIN_VALOR))

    @property
    def terminada(self) -> str:
        """«Importación terminada: 2 filas nuevas, 1 actualizada y 3 sin cambios.»"""
        return _terminada(self.nuevas, self.actualizadas, self.sin_cambios, self.sin_valor)

    @property
    def filas_rechazadas(self) -> int:
        """Rows refused (a row may be refused for several reasons)."""
        return len({fila.numero for fila in self.rechazadas})

    @property
    def texto(self) -> str:
        """«1 nuevas, 1 actualizadas, 0 sin cambios, 0 rechazadas» (and «N sin valor» if any)"""
        sin_valor = f", {self.sin_valor} sin valor" if self.sin_valor else ""
        return (
            f"{self.nuevas} nuevas, {self.actualizadas} actualizadas, {self.sin_cambios} sin "
            f"cambios{sin_valor}, {self.filas_rechazadas} rechazadas"
        )


# Raised on purpose by the import's own code, with a message for the clerk.
_ESPERADAS = (ValidationError, PermissionDenied, HojaRechazada)


def _mensajes_de(error: BaseException) -> list[str]:
    """The Spanish messages of an exception the import's own code raises on purpose; for any
    other (a bug, a database failure), a sentence saying so: its text is the library's."""
    if isinstance(error, ValidationError):
        return list(error.messages)
    if isinstance(error, HojaRechazada):
        return [error.mensaje]
    if isinstance(error, PermissionDenied) and str(error):
        return [str(error)]
    return [_ERROR_INTERNO]


def _resumir(tipo, recurso, resultado, *, nombre: str, confirmado: bool) -> ResumenImportacion:
    sin_valor = set(getattr(recurso, "filas_sin_valor", ()))
    filas = []
    for indice, fila in enumerate(resultado.rows, start=1):
        if fila.import_type not in _QUE:
            continue
        numero = recurso.fila_de_la_hoja(indice) if hasattr(recurso, "fila_de_la_hoja") else indice
        filas.append(
            FilaImportada(
                numero=numero,
                que=SIN_VALOR if numero in sin_valor else _QUE[fila.import_type],
                descripcion=fila.object_repr or "",
            )
        )
    encabezados = {columna_normalizar(c): c for c in tipo.encabezados}
    rechazadas = []
    error_interno = False
    for fila in resultado.invalid_rows:  # already numbered as the spreadsheet shows them
        for columna, mensajes in fila.error_dict.items():
            columna = "" if columna == NON_FIELD_ERRORS else columna
            rechazadas += [
                FilaRechazada(fila.number, columna, encabezados.get(columna, columna), mensaje)
                for mensaje in mensajes
            ]
    for fila in resultado.error_rows:
        for error in fila.errors:
            if not isinstance(error.error, _ESPERADAS):
                error_interno = True
                logger.error(
                    "Importación de %s, fila %s:\n%s", tipo.slug, fila.number, error.traceback
                )
            rechazadas += [
                FilaRechazada(fila.number, "", "", mensaje) for mensaje in _mensajes_de(error.error)
            ]
    errores = []
    for error in resultado.base_errors:
        if not isinstance(error.error, _ESPERADAS):
            error_interno = True
            logger.error("Importación de %s:\n%s", tipo.slug, error.traceback)
        errores += _mensajes_de(error.error)
    envio = getattr(resultado, "envio", None)
    totales = resultado.totals
    return ResumenImportacion(
        tipo=tipo,
        nombre=nombre,
        confirmado=confirmado,
        nuevas=totales[RowResult.IMPORT_TYPE_NEW],
        actualizadas=totales[RowResult.IMPORT_TYPE_UPDATE],
        sin_cambios=totales[RowResult.IMPORT_TYPE_SKIP] - len(sin_valor),
        sin_valor=len(sin_valor),
        filas=tuple(filas),
        rechazadas=tuple(sorted(rechazadas, key=lambda fila: fila.numero)),
        errores=tuple(dict.fromkeys(errores)),
        aviso=getattr(envio, "mensaje", "") or "",
        error_interno=error_interno,
    )


def importacion_ejecutar(
    *,
    tipo: TipoImportable,
    contenido: bytes,
    nombre: str,
    usuario,
    confirmar: bool,
    opciones: Mapping[str, object] | None = None,
) -> ResumenImportacion:
    """Runs the kind's resource on the file: without `confirmar` a preview, in a transaction
    rolled back (nothing is written, whatever the resource does); with it, every row or none.
    `opciones` are the resource's keyword arguments (`enviar`). Raises `HojaRechazada` when the
    file cannot be read as the kind's table."""
    archivo_comprobar(nombre=nombre, tamano=len(contenido))
    dataset = tipo.formato().create_dataset(contenido)
    recurso = tipo.recurso(**dict(opciones or {}))
    # Our own transaction around the resource's: a kind registered with a resource that does
    # not roll back on its own is still all or nothing, and its preview still writes nothing.
    with transaction.atomic():
        resultado = recurso.import_data(
            dataset, dry_run=not confirmar, user=usuario, file_name=nombre
        )
        resumen = _resumir(tipo, recurso, resultado, nombre=nombre, confirmado=confirmar)
        if not confirmar or not resumen.valido:
            transaction.set_rollback(True)
        else:
            # A file may hold records of any year (centres, agreements, budget lines).
            datos_cambiaron()
    return resumen


def importacion_resumen(result) -> str:
    """«Importación terminada: 2 filas nuevas, 1 actualizada y 3 sin cambios.»"""
    totales = result.totals
    return _terminada(
        totales[RowResult.IMPORT_TYPE_NEW],
        totales[RowResult.IMPORT_TYPE_UPDATE],
        totales[RowResult.IMPORT_TYPE_SKIP],
    )


def _terminada(nuevas: int, actualizadas: int, sin_cambios: int, sin_valor: int = 0) -> str:
    partes = [
        f"{nuevas} {'fila nueva' if nuevas == 1 else 'filas nuevas'}",
        f"{actualizadas} {'actualizada' if actualizadas == 1 else 'actualizadas'}",
        f"{sin_cambios} sin cambios",
    ]
    if sin_valor:
        partes.append(f"{sin_valor} sin valor (no se importan)")
    return f"Importación terminada: {', '.join(partes[:-1])} y {partes[-1]}."
