"""A large file confirmed on the portal's import page is imported by the worker: the user
follows its task page, the preview's hour counts until the confirmation, rows that stopped
being valid meanwhile refuse the file, and a task failed by the portal keeps its file so that
«Reintentar» imports it."""

import os
import re
import socket
import time

import pytest
from django.core.management import call_command
from django.db import OperationalError
from django.test import override_settings
from django.urls import reverse
from django_tasks import TaskResultStatus, default_task_backend
from django_tasks_db.models import DBTaskResult

from casmul.hojas import portal as hojas
from casmul.tareas import ERROR_INESPERADO, INTERRUMPIDA, tareas_interrumpidas_marcar
from centros.models import CifraMensual, ReporteMensual
from centros.resources import CifraMensualResource
from tests.casmul.test_importar_portal import (
    FILAS,
    URL_CONFIRMAR,
    _cliente,
    _guardados,
    _subir,
    _texto,
    _token,
)
from tests.factories import ReporteMensualFactory, UserFactory

BASE_DE_DATOS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
E = ReporteMensual.Estado


@pytest.fixture(autouse=True)
def archivos_grandes(monkeypatch):
    """Three rows count as a large file: what matters is the path, not the size."""
    monkeypatch.setattr(hojas, "FILAS_EN_SEGUNDO_PLANO", 2)


def _tarea_id(respuesta) -> str:
    assert respuesta.status_code == 302
    coincide = re.fullmatch(r"/tareas/([^/]+)/", respuesta["Location"])
    assert coincide, respuesta["Location"]
    return coincide.group(1)


def _trabajar():
    call_command("trabajador", batch=True, verbosity=0)


def test_a_large_file_goes_to_the_worker_and_its_page_says_what_was_imported(datos):
    cliente = _cliente(datos.personal)
    vista_previa = _subir(cliente, *FILAS)
    assert "se importará en segundo plano" in _texto(vista_previa.content.decode())

    tarea_id = _tarea_id(cliente.post(URL_CONFIRMAR, {"token": _token(vista_previa)}))
    pagina = _texto(cliente.get(reverse("tarea", args=[tarea_id])).content.decode())

    assert "Importación terminada: 3 filas nuevas, 0 actualizadas y 0 sin cambios." in pagina
    assert CifraMensual.objects.filter(reporte__centro=datos.propio).count() == 3
    assert CifraMensual.history.filter(history_user=datos.personal).count() == 3
    assert _guardados() == []
    # Only its owner sees the task.
    assert _cliente(UserFactory()).get(reverse("tarea", args=[tarea_id])).status_code == 404


def test_a_small_file_is_still_imported_at_once(datos, monkeypatch):
    monkeypatch.setattr(hojas, "FILAS_EN_SEGUNDO_PLANO", 3)
    cliente = _cliente(datos.personal)
    vista_previa = _subir(cliente, *FILAS)
    assert "segundo plano" not in vista_previa.content.decode()

    respuesta = cliente.post(URL_CONFIRMAR, {"token": _token(vista_previa)})

    assert respuesta["Location"] == reverse("importar_tipo", args=["cifras"])
    assert CifraMensual.objects.count() == 3


@pytest.mark.django_db(transaction=True)
@override_settings(TASKS=BASE_DE_DATOS)
def test_the_queued_file_waits_for_the_worker_past_the_preview_s_hour(datos, monkeypatch):
    cliente = _cliente(datos.personal)
    tarea_id = _tarea_id(cliente.post(URL_CONFIRMAR, {"token": _token(_subir(cliente, *FILAS))}))
    (encolado,) = _guardados()
    estado = cliente.get(reverse("tarea_estado", args=[tarea_id])).json()

    # Hours go by: the preview would have expired, and another upload clears old previews.
    viejo = time.time() - 3 * hojas.VIGENCIA_VISTA_PREVIA
    os.utime(encolado, (viejo, viejo))
    monkeypatch.setattr(hojas, "VIGENCIA_VISTA_PREVIA", 1)
    _subir(cliente, *FILAS[:1])
    assert encolado.exists()
    _trabajar()

    assert estado == {"estado": "en cola", "terminada": False}
    assert CifraMensual.objects.filter(reporte__centro=datos.propio).count() == 3
    assert default_task_backend.get_result(tarea_id).status == TaskResultStatus.SUCCESSFUL
    assert not encolado.exists()
    assert CifraMensual.history.count() == 3


@pytest.mark.django_db(transaction=True)
@override_settings(TASKS=BASE_DE_DATOS)
def test_a_month_approved_before_the_worker_imports_refuses_the_file_and_names_the_row(datos):
    cliente = _cliente(datos.personal)
    tarea_id = _tarea_id(cliente.post(URL_CONFIRMAR, {"token": _token(_subir(cliente, *FILAS))}))
    ReporteMensualFactory(centro=datos.propio, anio=2023, mes=2, estado=E.APROBADO)

    _trabajar()

    pagina = _texto(cliente.get(reverse("tarea", args=[tarea_id])).content.decode())
    assert "falló" in pagina
    assert "no se importó nada" in pagina
    assert re.search(r"filas? [\d, ]+: Este mes está aprobado", pagina), pagina
    assert CifraMensual.objects.count() == 0
    assert _guardados() == []


def _base_caida(*args, **kwargs):
    raise OperationalError("server closed the connection unexpectedly")


@pytest.mark.parametrize(
    "donde",
    [
        # Raised out of the import.
        (hojas, "importacion_ejecutar"),
        # Raised inside the resource, which django-import-export turns into the file's error.
        (CifraMensualResource, "before_import"),
    ],
    ids=["fuera-del-recurso", "dentro-del-recurso"],
)
@pytest.mark.django_db(transaction=True)
@override_settings(TASKS=BASE_DE_DATOS)
def test_a_task_failed_by_the_portal_keeps_its_file_and_reintentar_imports_it(
    datos, monkeypatch, donde
):
    cliente = _cliente(datos.personal)
    tarea_id = _tarea_id(cliente.post(URL_CONFIRMAR, {"token": _token(_subir(cliente, *FILAS))}))

    with monkeypatch.context() as parche:
        parche.setattr(*donde, _base_caida)
        _trabajar()
    pagina = _texto(cliente.get(reverse("tarea", args=[tarea_id])).content.decode())
    assert ERROR_INESPERADO in pagina and "Reintentar" in pagina
    assert len(_guardados()) == 1
    assert CifraMensual.objects.count() == 0

    nueva = _tarea_id(cliente.post(reverse("tarea_reintentar", args=[tarea_id])))
    _trabajar()

    pagina = _texto(cliente.get(reverse("tarea", args=[nueva])).content.decode())
    assert "Importación terminada: 3 filas nuevas" in pagina
    assert CifraMensual.objects.count() == 3
    assert _guardados() == []


# --- A worker stopped half-way -------------------------------------------------------------------


def _en_curso(trabajador: str) -> DBTaskResult:
    from casmul.hojas import importacion_tarea

    with override_settings(TASKS=BASE_DE_DATOS):
        resultado = importacion_tarea.enqueue(
            tipo="cifras", archivo="0" * 32, nombre="a.csv", usuario_id=1, opciones={}
        )
    tarea = DBTaskResult.objects.get(pk=resultado.id)
    tarea.claim(trabajador)
    return tarea


def _pid_muerto() -> int:
    pid = os.getpid() + 50_000
    while True:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return pid
        except PermissionError:
            pass
        pid += 1


@pytest.mark.django_db
def test_a_worker_starting_marks_failed_the_tasks_a_stopped_worker_of_its_machine_left():
    maquina = socket.gethostname()[:40]
    muerto = _en_curso(f"{maquina}:{_pid_muerto()}")
    vivo = _en_curso(f"{maquina}:{os.getppid()}")
    ajeno = _en_curso(f"otra-maquina:{_pid_muerto()}")

    assert tareas_interrumpidas_marcar() == 1

    estados = {
        t.pk: t.status for t in DBTaskResult.objects.filter(pk__in=[muerto.pk, vivo.pk, ajeno.pk])
    }
    assert estados == {
        muerto.pk: TaskResultStatus.FAILED,
        vivo.pk: TaskResultStatus.RUNNING,
        ajeno.pk: TaskResultStatus.RUNNING,
    }


@pytest.mark.django_db
def test_an_interrupted_task_s_page_says_so_and_offers_to_retry(datos):
    tarea = _en_curso(f"{socket.gethostname()[:40]}:{_pid_muerto()}")
    DBTaskResult.objects.filter(pk=tarea.pk).update(
        args_kwargs={
            "args": [],
            "kwargs": {**tarea.args_kwargs["kwargs"], "usuario_id": datos.personal.pk},
        }
    )
    tareas_interrumpidas_marcar()

    with override_settings(TASKS=BASE_DE_DATOS):
        pagina = _texto(
            _cliente(datos.personal).get(reverse("tarea", args=[tarea.pk])).content.decode()
        )

    assert INTERRUMPIDA in pagina
    assert "Reintentar" in pagina
