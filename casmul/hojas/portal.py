"""The portal's import page, in two steps: the upload shows a preview that writes nothing and
keeps the file on the server (`importacion_previsualizar`); the confirmation, a signed token
bound to the user and the kind, imports it every row or none (`importacion_confirmar`): at once,
or for a file of thousands of rows on the worker (`importacion_tarea`). The file waits between
the two steps in `casmul.hojas.guardadas`."""

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path, PurePath

from django.contrib.auth import get_user_model
from django.core import signing
from django.urls import reverse
from django_tasks import task

from casmul.formato import numero
from casmul.tareas import TareaRechazada, tarea_describir

from .guardadas import (
    CADUCADA,
    VIGENCIA_VISTA_PREVIA,
    VOLVER_A_SUBIR,
    YA_NO_ESTA,
    encolada_ruta,
    guardada_borrar,
    guardada_devolver,
    guardada_guardar,
    guardada_ruta,
    guardada_tomar,
)
from .importacion import ResumenImportacion, importacion_ejecutar
from .lector import HojaRechazada
from .registro import TipoImportable, importable

# A confirmed file of more rows is imported by the worker (`importacion_tarea`): 3.000 rows take
# a few seconds, 100.000 a minute or more, longer than a page should hang.
FILAS_EN_SEGUNDO_PLANO = 3_000
_FIRMA = "casmul.hojas.importacion"
_RECHAZADAS_EN_EL_MENSAJE = 10


@dataclass(frozen=True)
class VistaPrevia:
    resumen: ResumenImportacion
    # Signed, bound to the user and the kind; it names the file kept on the server. None when
    # the file has refused rows: there is nothing to confirm.
    token: str | None

    @property
    def en_segundo_plano(self) -> bool:
        """Whether its confirmation will run on the worker."""
        return len(self.resumen.filas) > FILAS_EN_SEGUNDO_PLANO


@dataclass(frozen=True)
class Confirmacion:
    """A confirmed import: done (its summary), or sent to the worker (its task's id)."""

    resumen: ResumenImportacion | None = None
    tarea_id: str = ""
    # The token to confirm the same file again, when the portal failed before importing it.
    token: str = ""


def importacion_previsualizar(*, tipo: TipoImportable, archivo, usuario) -> VistaPrevia:
    """The preview of an uploaded file (`importacion_ejecutar` without writing); a file without
    refused rows is kept on the server (`guardada_guardar`) for `importacion_confirmar`. Raises
    `HojaRechazada` when the file cannot be read."""
    contenido = archivo.read()
    nombre = PurePath(archivo.name).name[:150]
    resumen = importacion_ejecutar(
        tipo=tipo, contenido=contenido, nombre=nombre, usuario=usuario, confirmar=False
    )
    if not resumen.valido:
        return VistaPrevia(resumen=resumen, token=None)
    token = signing.dumps(
        {
            "archivo": guardada_guardar(contenido),
            "tipo": tipo.slug,
            "usuario": usuario.pk,
            "nombre": nombre,
            "filas": len(resumen.filas),
        },
        salt=_FIRMA,
    )
    return VistaPrevia(resumen=resumen, token=token)


def importacion_confirmar(
    *, tipo: TipoImportable, token: str, usuario, opciones: Mapping[str, object] | None = None
) -> Confirmacion:
    """Imports the file of a preview, named by its token, every row or none: at once, or on the
    worker when it has more than `FILAS_EN_SEGUNDO_PLANO` rows. The preview is spent either way
    (a token is used once). Raises `HojaRechazada`, in Spanish, for a token that is not the
    user's for this kind, has expired, or whose file is gone."""
    try:
        datos = signing.loads(token, salt=_FIRMA, max_age=VIGENCIA_VISTA_PREVIA)
    except signing.SignatureExpired:
        raise HojaRechazada(CADUCADA) from None
    except signing.BadSignature:
        datos = None
    ruta = guardada_ruta(str(datos.get("archivo", ""))) if isinstance(datos, dict) else None
    if ruta is None or datos.get("tipo") != tipo.slug or datos.get("usuario") != usuario.pk:
        raise HojaRechazada(
            f"La confirmación no corresponde a una vista previa suya de "
            f"{tipo.nombre.lower()} y no se importó nada. {VOLVER_A_SUBIR}"
        )
    nombre = str(datos.get("nombre") or "archivo")
    encolar = int(datos.get("filas") or 0) > FILAS_EN_SEGUNDO_PLANO
    # Taken first. The worker reads it whenever its turn comes: the token's hour counts until
    # the confirmation, not until the task runs.
    tomada = guardada_tomar(ruta, encolar=encolar)
    if encolar:
        tarea = importacion_tarea.enqueue(
            tipo=tipo.slug,
            archivo=ruta.name,
            nombre=nombre,
            usuario_id=usuario.pk,
            opciones=dict(opciones or {}),
        )
        return Confirmacion(tarea_id=tarea.id)
    try:
        resumen = _guardada_importar(
            tipo=tipo, ruta=tomada, nombre=nombre, usuario=usuario, opciones=opciones
        )
    except Exception:
        # The portal failed (the database went away), not the file: kept under its token.
        guardada_devolver(tomada)
        raise
    if resumen.error_interno:
        # Nothing was written and the file is fine: the same token confirms it again
        # («Reintentar»), within the preview's hour.
        guardada_devolver(tomada)
        return Confirmacion(resumen=resumen, token=token)
    # Imported or refused, the preview is spent: a second confirmation cannot import twice.
    guardada_borrar(tomada)
    return Confirmacion(resumen=resumen)


def _guardada_importar(*, tipo, ruta: Path, nombre: str, usuario, opciones) -> ResumenImportacion:
    """Imports a file kept on the server, confirmed: every row or none."""
    return importacion_ejecutar(
        tipo=tipo,
        contenido=ruta.read_bytes(),
        nombre=nombre,
        usuario=usuario,
        confirmar=True,
        opciones=opciones,
    )


@task()
def importacion_tarea(
    *, tipo: str, archivo: str, nombre: str, usuario_id: int, opciones: dict
) -> dict:
    """A confirmed import on the worker: every row or none, as at once. Its file is removed
    once imported or refused, and kept when the task fails otherwise (the worker stopped, the
    database failed), so that retrying the task imports it."""
    ruta = encolada_ruta(archivo)
    if ruta is None:
        raise TareaRechazada(YA_NO_ESTA)
    importable_ = importable(tipo)
    usuario = get_user_model().objects.get(pk=usuario_id)
    if not importable_.importa(usuario):
        guardada_borrar(ruta)
        raise TareaRechazada("Su rol ya no permite importar este archivo; no se importó nada.")
    try:
        resumen = _guardada_importar(
            tipo=importable_, ruta=ruta, nombre=nombre, usuario=usuario, opciones=opciones
        )
    except HojaRechazada as error:
        guardada_borrar(ruta)
        raise TareaRechazada(error.mensaje) from error
    if resumen.error_interno:
        # Not the file's fault: kept for a retry.
        raise RuntimeError(f"La importación de {nombre} falló por un error del portal.")
    guardada_borrar(ruta)
    if not resumen.valido:
        raise TareaRechazada(_rechazo_resumido(resumen))
    return {
        "texto": " ".join(filter(None, (resumen.terminada, resumen.aviso))),
        "enlace": reverse("importar_tipo", args=[tipo]),
    }


tarea_describir(
    importacion_tarea,
    titulo="Importar «{nombre}»",
    para_que="Importa un archivo grande ya revisado en la vista previa: todas sus filas o ninguna.",
)


def _rechazo_resumido(resumen: ResumenImportacion) -> str:
    """Why a file valid at its preview was refused when imported (a month approved meanwhile),
    in one paragraph (a task's error is one line): each reason once, with its first rows."""
    filas_por_motivo: dict[str, list[int]] = {}
    for fila in resumen.rechazadas:
        filas_por_motivo.setdefault(fila.mensaje, []).append(fila.numero)
    motivos = list(resumen.errores)
    for mensaje, numeros in filas_por_motivo.items():
        primeras = ", ".join(str(n) for n in numeros[:_RECHAZADAS_EN_EL_MENSAJE])
        resto = len(numeros) - _RECHAZADAS_EN_EL_MENSAJE
        mas = f" y {numero(resto)} más" if resto > 0 else ""
        motivos.append(f"{'filas' if len(numeros) > 1 else 'fila'} {primeras}{mas}: {mensaje}")
    return (
        "Entre la vista previa y la importación cambiaron los registros y no se importó nada. "
        f"{' '.join(motivos)} {VOLVER_A_SUBIR}"
    )
