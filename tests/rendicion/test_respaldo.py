"""A backup restored into an empty database, with its media folder, holds the published 2023
report as it was: the snapshot recomputed equals the published one figure by figure, every
published file has its SHA-256, and `comprobar_respaldo` says so (or names what differs).

Both paths of docs/respaldos.md: `dumpdata`/`loaddata` (SQLite, but it runs on any database)
and `pg_dump -Fc`/`pg_restore` into a new PostgreSQL database (only on PostgreSQL)."""

import datetime
import hashlib
import io
import json
import os
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings as django_settings
from django.core.management import CommandError, call_command
from django.db import connection

from casmul.roles import Rol
from rendicion.instantanea import instantanea, instantanea_json
from rendicion.models import Publicacion
from rendicion.selectors import informe_rendicion
from rendicion.services import informe_publicar
from tests.factories import UserFactory

# Committed, not inside a test transaction: pg_dump reads the database from another connection.
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("datos_2023")]

HOY = datetime.date(2024, 3, 1)
RAIZ = Path(__file__).resolve().parent.parent.parent


def dumpdata_excluidos() -> list[str]:
    """What docs/respaldos.md leaves out of `dumpdata`: what Django recreates (content types,
    permissions), sessions, and axes' lockouts when it is installed."""
    excluidos = ["contenttypes", "auth.permission", "admin.logentry", "sessions"]
    if apps.is_installed("axes"):
        excluidos += ["axes"]
    return [opcion for app in excluidos for opcion in ("-e", app)]


def _leer(campo) -> bytes:
    with campo.open("rb") as archivo:
        return archivo.read()


@pytest.fixture
def publicada(db):
    coordinacion = UserFactory(roles=[Rol.COORDINACION], username="coordinacion")
    return informe_publicar(anio=2023, usuario=coordinacion, hoy=HOY)


def _comprobar(anio: int = 2023) -> str:
    salida = io.StringIO()
    call_command("comprobar_respaldo", str(anio), stdout=salida)
    return salida.getvalue()


def test_dumpdata_and_loaddata_into_an_empty_database_keep_the_published_report(
    publicada, settings, tmp_path
):
    # Given the 2023 report published, and its snapshot as stored
    publicada_cifras = json.loads(_leer(publicada.cifras))
    huellas = {campo: huella for campo, _, huella in publicada.archivos}
    respaldo = tmp_path / "respaldo.json"
    copia_media = tmp_path / "copia-media"

    # When the database is dumped, the media folder copied, everything emptied and restored
    call_command(
        "dumpdata", "--natural-foreign", "--natural-primary", *dumpdata_excluidos(),
        "--output", str(respaldo), verbosity=0,
    )  # fmt: skip
    shutil.copytree(settings.MEDIA_ROOT, copia_media)
    call_command("flush", interactive=False, verbosity=0)
    shutil.rmtree(settings.MEDIA_ROOT)
    assert not Publicacion.objects.exists()
    settings.MEDIA_ROOT = copia_media
    call_command("loaddata", str(respaldo), verbosity=0)

    # Then the snapshot recomputed is the published one, figure by figure
    restaurada = Publicacion.objects.get(anio=2023, version=1)
    recalculada = json.loads(instantanea_json(instantanea(informe_rendicion(anio=2023, hoy=HOY))))
    publicada_cifras.pop("version")
    assert len(recalculada["cifras"]) == len(publicada_cifras["cifras"]) > 0
    for antes, despues in zip(publicada_cifras["cifras"], recalculada["cifras"], strict=True):
        assert despues == antes
    assert recalculada == publicada_cifras
    # and every published file is there with its SHA-256
    for campo, _, huella in restaurada.archivos:
        assert huella == huellas[campo]
        assert hashlib.sha256(_leer(getattr(restaurada, campo))).hexdigest() == huella
    assert restaurada.publicado_por.username == "coordinacion"
    assert _comprobar().startswith("OK: Rendición de cuentas 2023, versión 1 — 4 archivos")


def test_a_changed_byte_in_a_published_pdf_fails_the_check_naming_the_file(publicada):
    ruta = Path(publicada.pdf.path)
    contenido = bytearray(ruta.read_bytes())
    contenido[len(contenido) // 2] ^= 0x01
    ruta.write_bytes(bytes(contenido))

    with pytest.raises(CommandError) as error:
        _comprobar()

    assert str(error.value) == (
        "La copia no coincide con Rendición de cuentas 2023, versión 1:\n"
        f"- Rendición de cuentas 2023, versión 1, PDF ({publicada.pdf.name}): su huella SHA-256 "
        "no es la publicada: el archivo cambió."
    )


def test_a_missing_media_folder_fails_the_check_naming_every_file(publicada, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "sin-copiar"

    with pytest.raises(CommandError) as error:
        _comprobar()

    lineas = str(error.value).splitlines()[1:]
    # The report's four files and the CPCCS form.
    assert len(lineas) == 5
    assert all("no está en el almacenamiento" in linea for linea in lineas)


def test_a_figure_changed_in_the_database_is_named_with_both_values(publicada):
    from centros.models import CifraMensual

    cifra = CifraMensual.objects.filter(
        reporte__anio=2023, indicador__agregacion="suma", valor__gt=0
    ).first()
    CifraMensual.objects.filter(pk=cifra.pk).update(valor=cifra.valor + 1000)

    with pytest.raises(CommandError) as error:
        _comprobar()

    assert "publicada" in str(error.value) and "recalculada" in str(error.value)
    assert cifra.indicador.nombre in str(error.value)


def test_a_year_never_published_fails_the_check(publicada):
    with pytest.raises(CommandError, match="El informe de 2022 no tiene ninguna versión publicada"):
        _comprobar(2022)


# --- PostgreSQL: pg_dump -Fc and pg_restore into a new database ---------------------------------


def _pg(*orden: str, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(orden, check=True, capture_output=True, text=True, **kwargs)


@pytest.mark.skipif(
    not django_settings.DATABASES["default"]["ENGINE"].endswith("postgresql"),
    reason="pg_dump/pg_restore: solo con PostgreSQL",
)
def test_pg_dump_and_pg_restore_into_a_new_database_keep_the_published_report(
    publicada, settings, tmp_path
):
    assert connection.vendor == "postgresql"
    datos = connection.settings_dict
    conexion = [
        "-h", datos["HOST"] or "127.0.0.1",
        "-p", str(datos["PORT"] or 5432),
        "-U", datos["USER"] or "postgres",
    ]  # fmt: skip
    entorno = {**os.environ, "PGPASSWORD": datos["PASSWORD"] or ""}
    respaldo = tmp_path / "casmul.dump"
    nueva = f"{datos['NAME']}_restaurada_{uuid.uuid4().hex[:8]}"

    # Given a custom-format dump of the database and a copy of the media folder
    _pg("pg_dump", "-Fc", *conexion, "-f", str(respaldo), datos["NAME"], env=entorno)
    copia_media = tmp_path / "copia-media"
    shutil.copytree(settings.MEDIA_ROOT, copia_media)
    _pg("createdb", *conexion, nueva, env=entorno)
    try:
        # When it is restored into a new, empty database
        _pg(
            "pg_restore", "--clean", "--if-exists", "--no-owner", *conexion, "-d", nueva,
            str(respaldo), env=entorno,
        )  # fmt: skip
        usuario, host, puerto = conexion[5], conexion[1], conexion[3]
        restaurada = {
            **entorno,
            "DJANGO_SETTINGS_MODULE": "casmul.settings.test",
            "DATABASE_URL": f"postgres://{usuario}@{host}:{puerto}/{nueva}",
            "MEDIA_ROOT": str(copia_media),
        }
        manage = [sys.executable, str(RAIZ / "manage.py")]

        # Then no migration is pending, and the check finds the published report as it was
        migrar = _pg(*manage, "migrate", "--check", env=restaurada, cwd=RAIZ)
        comprobar = subprocess.run(
            [*manage, "comprobar_respaldo", "2023"],
            capture_output=True,
            text=True,
            env=restaurada,
            cwd=RAIZ,
        )
    finally:
        _pg("dropdb", "--if-exists", "--force", *conexion, nueva, env=entorno)

    assert migrar.returncode == 0
    assert comprobar.returncode == 0, comprobar.stderr
    assert comprobar.stdout.startswith("OK: Rendición de cuentas 2023, versión 1 — 4 archivos")
