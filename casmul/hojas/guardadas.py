"""Every spreadsheet kept on the server between an import's preview and its import, the portal's
and the admin's: where it lives, its name, how a confirmation takes it, gives it back or sends it
to the worker, and when it is swept.

Under IMPORTACIONES_ROOT (people's data: never published):

- `<32 hex>`: a portal preview, kept by `guardada_guardar` under the name its token carries;
- `<32 hex>.importando`: taken by a confirmation that imports it at once;
- `<32 hex>.encolada`: taken by a confirmation that sent it to the worker (`encolada_ruta`);
- `admin/tmpXXXXXXXX`: an admin preview, kept by import-export's temporary storage
  (`TemporalDeImportacion`, IMPORT_EXPORT_TMP_STORAGE_CLASS) under the name `tempfile` picks;
- `admin/tmpXXXXXXXX.importando`: taken by the admin's confirmation.

A confirmation takes its file by renaming it (`guardada_tomar`): of two sent at once (a double
click), only one finds it. Nothing else keeps a file for an import, and `guardadas_vencidas_borrar`
is the one sweep of them all.
"""

import os
import re
import secrets
import tempfile
import time
from pathlib import Path
from typing import NamedTuple

from django.conf import settings
from import_export.tmp_storages import TempFolderStorage

from .lector import HojaRechazada

VIGENCIA_VISTA_PREVIA = 60 * 60  # seconds a preview can be confirmed
# Seconds a preview's file (or one taken and never given back: an import killed half-way) is
# kept: confirmable for an hour, and the confirmation then runs at most gunicorn's timeout.
CONSERVAR_VISTA_PREVIA = 2 * VIGENCIA_VISTA_PREVIA
# Seconds a file waiting for the worker is kept: until its task runs, and for a retry if the
# task fails (a worker stopped half-way).
CONSERVAR_ENCOLADA = 7 * 24 * 60 * 60
_NOMBRE_GUARDADO = re.compile(r"[0-9a-f]{32}")
# What `tempfile.NamedTemporaryFile` names a file: never a path, nor another file's name.
_NOMBRE_TEMPORAL = re.compile(r"tmp[a-z0-9_]{8}")
_IMPORTANDO = ".importando"
_ENCOLADA = ".encolada"

VOLVER_A_SUBIR = "Vuelva a subir el archivo para ver la vista previa de nuevo."
CADUCADA = (
    f"La vista previa caducó (pasó más de {VIGENCIA_VISTA_PREVIA // 60} minutos) y no se "
    f"importó nada. {VOLVER_A_SUBIR}"
)
YA_NO_ESTA = (
    "El archivo de la vista previa ya no está en el servidor (quizá ya se importó) y no se "
    f"importó nada. {VOLVER_A_SUBIR}"
)


def _carpeta() -> Path:
    return Path(settings.IMPORTACIONES_ROOT)


def carpeta_temporal() -> Path:
    """Where the admin's import keeps its files."""
    return _carpeta() / "admin"


def guardada_guardar(contenido: bytes) -> str:
    """Keeps a portal preview's file under a new random name, and returns the name (its token
    carries it)."""
    carpeta = _carpeta()
    carpeta.mkdir(parents=True, exist_ok=True)
    guardadas_vencidas_borrar()
    nombre = secrets.token_hex(16)
    (carpeta / nombre).write_bytes(contenido)
    return nombre


class TemporalDeImportacion(TempFolderStorage):
    """import-export's `TempFolderStorage` in `carpeta_temporal()`: the same names (`tmpXXXXXXXX`,
    what `tempfile` picks), the confirmation finding its file by name as before."""

    def get_full_path(self) -> str:
        # The confirmation posts back a bare name (import-export keeps only its basename).
        return str(carpeta_temporal() / os.path.basename(self.name))

    def _open(self, mode="r"):
        if self.name:
            return super()._open(mode)
        carpeta = carpeta_temporal()
        carpeta.mkdir(parents=True, exist_ok=True)
        guardadas_vencidas_borrar()
        archivo = tempfile.NamedTemporaryFile(dir=carpeta, delete=False)  # noqa: SIM115
        self.name = os.path.basename(archivo.name)
        return archivo


def guardada_ruta(nombre: str) -> Path | None:
    """The portal preview's file named `nombre` (by a signed token); None for a name
    `guardada_guardar` never gives."""
    return _carpeta() / nombre if _NOMBRE_GUARDADO.fullmatch(nombre) else None


def temporal_ruta(nombre: str) -> Path | None:
    """The admin preview's file named `nombre` (by a signed token); None for a name
    `TemporalDeImportacion` never gives."""
    return carpeta_temporal() / nombre if _NOMBRE_TEMPORAL.fullmatch(nombre) else None


def guardada_tomar(ruta: Path, *, encolar: bool = False) -> Path:
    """Takes a preview's file for its import, renamed so that of two confirmations sent at once
    (a double click) only one finds it; for the worker (`encolada_ruta`) when `encolar`. Raises
    `HojaRechazada`, in Spanish, when it is gone."""
    tomada = ruta.with_name(f"{ruta.name}{_ENCOLADA if encolar else _IMPORTANDO}")
    try:
        ruta.rename(tomada)
    except FileNotFoundError:
        raise HojaRechazada(YA_NO_ESTA) from None
    return tomada


def guardada_devolver(tomada: Path) -> None:
    """Gives back a file `guardada_tomar` took, when the portal failed, not the file: the same
    token confirms it again, within the preview's hour."""
    tomada.rename(tomada.with_suffix(""))


def encolada_ruta(nombre: str) -> Path | None:
    """The file a confirmation sent to the worker under `nombre` (the task's argument); None
    when there is none."""
    ruta = guardada_ruta(nombre)
    if ruta is None:
        return None
    encolada = ruta.with_name(f"{ruta.name}{_ENCOLADA}")
    return encolada if encolada.is_file() else None


def guardada_borrar(ruta: Path) -> None:
    """Removes a kept file once spent: imported or refused, it cannot be imported twice."""
    ruta.unlink(missing_ok=True)


class Borradas(NamedTuple):
    """How many kept files a sweep removed: the portal's, and the admin's."""

    portal: int
    admin: int


def guardadas_vencidas_borrar() -> Borradas:
    """Removes the kept files nobody can use any more: a preview's (or one taken and never given
    back) after `CONSERVAR_VISTA_PREVIA`, one waiting for the worker after `CONSERVAR_ENCOLADA`.
    Each upload calls it, and `manage.py tareas_depurar` for the days without uploads."""
    return Borradas(portal=_vencidas_borrar(_carpeta()), admin=_vencidas_borrar(carpeta_temporal()))


def _vencidas_borrar(carpeta: Path) -> int:
    ahora = time.time()
    try:
        entradas = list(os.scandir(carpeta))
    except FileNotFoundError:
        return 0
    borradas = 0
    for entrada in entradas:
        encolada = entrada.name.endswith(_ENCOLADA)
        limite = ahora - (CONSERVAR_ENCOLADA if encolada else CONSERVAR_VISTA_PREVIA)
        try:
            if entrada.is_file(follow_symlinks=False) and entrada.stat().st_mtime < limite:
                os.remove(entrada.path)
                borradas += 1
        except OSError:
            continue  # removed meanwhile by its own confirmation or another sweep
    return borradas
