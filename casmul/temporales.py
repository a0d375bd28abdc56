"""The admin's import keeps the uploaded spreadsheet between its preview and its confirmation
(django-import-export's temporary storage): under IMPORTACIONES_ROOT/admin, beside the portal's
own kept files, instead of the system's temporary folder, where an import never confirmed or
killed half-way left people's data until the next reboot."""

import os
import tempfile
import time
from pathlib import Path

from django.conf import settings
from import_export.tmp_storages import TempFolderStorage

# Seconds an admin's file is kept: its preview can be confirmed for an hour (the signed token,
# casmul.hojas.VIGENCIA_VISTA_PREVIA), and the confirmation then runs at most gunicorn's timeout;
# twice that, as the portal's own previews.
CONSERVAR_SEGUNDOS = 2 * 60 * 60


def carpeta_temporal() -> Path:
    """Where the admin's import keeps its files."""
    return Path(settings.IMPORTACIONES_ROOT) / "admin"


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
        archivo = tempfile.NamedTemporaryFile(dir=carpeta, delete=False)  # noqa: SIM115
        self.name = os.path.basename(archivo.name)
        return archivo


def temporales_vencidos_borrar() -> int:
    """Removes the admin's files older than `CONSERVAR_SEGUNDOS` (a preview never confirmed, an
    import killed half-way: also its `.importando` copy); returns how many."""
    limite = time.time() - CONSERVAR_SEGUNDOS
    try:
        entradas = list(os.scandir(carpeta_temporal()))
    except FileNotFoundError:
        return 0
    borrados = 0
    for entrada in entradas:
        try:
            if entrada.is_file(follow_symlinks=False) and entrada.stat().st_mtime < limite:
                os.remove(entrada.path)
                borrados += 1
        except OSError:
            continue  # removed meanwhile by its own confirmation
    return borrados
