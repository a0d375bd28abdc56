"""`manage.py tareas_depurar`: the files tasks built and the records of finished tasks go after
TAREAS_CONSERVAR_DIAS days, the spreadsheets kept for imports (the portal's and the admin's)
once they expire; nothing newer, and no task still waiting or running."""

import datetime
import io
import os
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.test import Client, override_settings
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from casmul.hojas import guardadas as hojas
from casmul.hojas.guardadas import CONSERVAR_VISTA_PREVIA as CONSERVAR_SEGUNDOS
from casmul.hojas.guardadas import TemporalDeImportacion, carpeta_temporal
from casmul.roles import Rol
from casmul.services import usuario_con_rol_guardar
from casmul.tareas import archivo_generado_guardar, archivo_generado_ruta
from centros.models import CifraMensual
from tests.casmul.test_tareas import BASE_DE_DATOS, sumar
from tests.centros.test_importar import URL_CONFIRMAR, VALIDAS, _subir

pytestmark = pytest.mark.django_db
DIA = 24 * 60 * 60


def _envejecer(ruta: Path, dias: float) -> None:
    momento = time.time() - dias * DIA
    os.utime(ruta, (momento, momento))


def _depurar(**opciones) -> str:
    salida = io.StringIO()
    call_command("tareas_depurar", stdout=salida, **opciones)
    return salida.getvalue()


def test_generated_files_older_than_the_retention_are_deleted_and_newer_ones_kept():
    viejo = archivo_generado_guardar(contenido=b"%PDF-viejo", extension="pdf")
    nuevo = archivo_generado_guardar(contenido=b"%PDF-nuevo", extension="pdf")
    _envejecer(archivo_generado_ruta(viejo), settings.TAREAS_CONSERVAR_DIAS + 1)
    _envejecer(archivo_generado_ruta(nuevo), settings.TAREAS_CONSERVAR_DIAS - 1)

    salida = _depurar()

    assert archivo_generado_ruta(viejo) is None
    assert archivo_generado_ruta(nuevo) is not None
    assert "1 archivo(s) generado(s) borrado(s)" in salida


def test_expired_import_files_are_deleted_and_those_still_usable_kept():
    carpeta = Path(settings.IMPORTACIONES_ROOT)
    carpeta.mkdir(parents=True)
    vista_previa_vencida, vista_previa = carpeta / ("a" * 32), carpeta / ("b" * 32)
    encolada_vencida, encolada = carpeta / f"{'c' * 32}.encolada", carpeta / f"{'d' * 32}.encolada"
    for ruta in (vista_previa_vencida, vista_previa, encolada_vencida, encolada):
        ruta.write_bytes(b"Centro;A\xf1o\n")
    _envejecer(vista_previa_vencida, 3 * hojas.VIGENCIA_VISTA_PREVIA / DIA)
    _envejecer(encolada_vencida, hojas.CONSERVAR_ENCOLADA / DIA + 1)
    # Past a preview's life, not past a queued file's.
    _envejecer(encolada, 3 * hojas.VIGENCIA_VISTA_PREVIA / DIA)

    _depurar()

    assert sorted(carpeta.iterdir()) == sorted([vista_previa, encolada])


# --- The admin's import (django-import-export's temporary files) -------------------------------


def test_the_admin_s_import_files_are_kept_under_importaciones_root():
    assert (
        settings.IMPORT_EXPORT_TMP_STORAGE_CLASS == "casmul.hojas.guardadas.TemporalDeImportacion"
    )
    assert carpeta_temporal() == Path(settings.IMPORTACIONES_ROOT) / "admin"
    # Longer than a preview can be confirmed: the confirmation must still find its file.
    assert CONSERVAR_SEGUNDOS >= 2 * hojas.VIGENCIA_VISTA_PREVIA


def test_the_admin_s_temporary_file_is_written_read_and_removed_in_its_folder():
    guardado = TemporalDeImportacion(read_mode="rb")
    guardado.save(b"Centro;A\xf1o\n")

    ruta = carpeta_temporal() / guardado.name
    assert ruta.read_bytes() == b"Centro;A\xf1o\n"
    # The confirmation names it by its bare name, never a path out of the folder.
    assert hojas._NOMBRE_TEMPORAL.fullmatch(guardado.name)
    assert TemporalDeImportacion(name=guardado.name, read_mode="rb").read() == ruta.read_bytes()
    assert TemporalDeImportacion(name=f"/etc/{guardado.name}").get_full_path() == str(ruta)
    TemporalDeImportacion(name=guardado.name).remove()
    assert not ruta.exists()


def test_stale_admin_import_files_are_deleted_and_fresh_ones_kept():
    carpeta = carpeta_temporal()
    carpeta.mkdir(parents=True)
    # A preview never confirmed, an import killed half-way (its file taken for importing), and
    # a preview that can still be confirmed.
    abandonada, interrumpida, reciente = (
        carpeta / "tmpabandona",
        carpeta / "tmpinterrum.importando",
        carpeta / "tmpreciente",
    )
    for ruta in (abandonada, interrumpida, reciente):
        ruta.write_bytes(b"Centro;A\xf1o\n")
    for ruta in (abandonada, interrumpida):
        _envejecer(ruta, (CONSERVAR_SEGUNDOS + 60) / DIA)
    _envejecer(reciente, (CONSERVAR_SEGUNDOS - 60) / DIA)

    salida = _depurar()

    assert list(carpeta.iterdir()) == [reciente]
    assert "2 hoja(s) de importaciones de la administración sin confirmar borrada(s)" in salida


def test_an_admin_import_keeps_its_file_in_its_folder_and_confirms_from_it(datos):
    administracion = usuario_con_rol_guardar(
        username="administracion", password="clave-de-prueba-1", rol=Rol.ADMINISTRACION
    )
    cliente = Client()
    cliente.force_login(administracion)

    vista_previa = _subir(cliente, *VALIDAS)

    # Given a preview: its file waits in the admin's folder
    [guardado] = list(carpeta_temporal().iterdir())
    assert hojas._NOMBRE_TEMPORAL.fullmatch(guardado.name)
    # When it is confirmed
    respuesta = cliente.post(URL_CONFIRMAR, vista_previa.context["confirm_form"].initial)
    # Then the file is imported and spent
    assert respuesta.status_code == 302
    assert CifraMensual.objects.filter(reporte__anio=2023, reporte__mes__in=[1, 2]).count() == 4
    assert list(carpeta_temporal().iterdir()) == []


@pytest.mark.django_db(transaction=True)
@override_settings(TASKS=BASE_DE_DATOS)
def test_records_of_finished_tasks_go_after_the_retention_but_not_waiting_or_recent_ones():
    viejas = [sumar.enqueue(a=1, b=n, usuario_id=None).id for n in range(3)]
    reciente = sumar.enqueue(a=2, b=2, usuario_id=None).id
    en_cola = sumar.enqueue(a=3, b=3, usuario_id=None).id
    hace = timezone.now() - datetime.timedelta(days=settings.TAREAS_CONSERVAR_DIAS + 1)
    DBTaskResult.objects.filter(pk__in=[*viejas, reciente]).update(
        status=TaskResultStatus.SUCCESSFUL, finished_at=timezone.now()
    )
    DBTaskResult.objects.filter(pk__in=viejas).update(finished_at=hace)
    DBTaskResult.objects.filter(pk=en_cola).update(enqueued_at=hace)

    _depurar()

    assert {str(pk) for pk in DBTaskResult.objects.values_list("pk", flat=True)} == {
        reciente,
        en_cola,
    }


def test_a_retention_below_one_day_is_refused():
    with pytest.raises(CommandError, match="al menos 1"):
        _depurar(dias=0)
