"""A worker killed (SIGKILL: no chance to clean up) in the middle of an import or a publish, on
PostgreSQL, with the worker in a process of its own as in production: nothing of the task is
written, the next worker marks it failed, its page offers «Reintentar», and retrying does the
work once."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command
from django.db import connection
from django.test import Client, override_settings
from django.urls import reverse
from django_tasks import TaskResultStatus, default_task_backend

from casmul.hojas import importacion_tarea
from casmul.roles import Rol
from casmul.tareas import INTERRUMPIDA
from centros.models import Beneficiario, Inscripcion
from rendicion.models import Publicacion
from rendicion.tareas import informe_publicar_tarea
from tests.factories import CentroFactory, UserFactory, cedula_valida, csv_de_excel

RAIZ = Path(__file__).resolve().parents[2]
BASE_DE_DATOS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
PERSONAS = 20_000

pytestmark = [
    pytest.mark.skipif(
        not django_settings.DATABASES["default"]["ENGINE"].endswith("postgresql"),
        reason="un trabajador en otro proceso ve la base de pruebas: solo con PostgreSQL",
    ),
    pytest.mark.django_db(transaction=True),
]


def _trabajador(settings) -> subprocess.Popen:
    """`manage.py trabajador` in a process of its own, on the test database and folders."""
    datos = connection.settings_dict
    entorno = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "casmul.settings.local",
        "DEBUG": "0",
        "SECRET_KEY": "solo-para-pruebas",
        "DATABASE_URL": (
            f"postgres://{datos['USER'] or 'postgres'}@{datos['HOST'] or '127.0.0.1'}:"
            f"{datos['PORT'] or 5432}/{datos['NAME']}"
        ),
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "IMPORTACIONES_ROOT": str(settings.IMPORTACIONES_ROOT),
    }
    return subprocess.Popen(
        [sys.executable, "manage.py", "trabajador", "--interval", "0.1", "--no-startup-delay"],
        cwd=RAIZ,
        env=entorno,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def _esperar(condicion, segundos: float, que: str):
    limite = time.monotonic() + segundos
    while time.monotonic() < limite:
        valor = condicion()
        if valor:
            return valor
        time.sleep(0.05)
    raise AssertionError(f"No ocurrió a tiempo: {que}")


def _escribiendo(tabla: str) -> int | None:
    """The PostgreSQL backend of another connection inside a transaction that has written
    (it has an xid) on `tabla`: the worker, half-way through the task's writes."""
    return _otra_conexion("backend_xid IS NOT NULL", tabla)


def _en_transaccion() -> int | None:
    """The backend of another connection waiting inside a transaction opened a while ago: the
    worker, working in Python (rendering a PDF) in the middle of the task's transaction."""
    return _otra_conexion(
        "state = 'idle in transaction' AND now() - xact_start > interval '0.2 seconds'", ""
    )


def _otra_conexion(condicion: str, tabla: str) -> int | None:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
            f"AND pid <> pg_backend_pid() AND {condicion} AND query ILIKE %s",
            [f"%{tabla}%"],
        )
        fila = cursor.fetchone()
    return fila[0] if fila else None


def _terminado(pid: int) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_stat_activity WHERE pid = %s", [pid])
        return cursor.fetchone() is None


def _matar_cuando(trabajador: subprocess.Popen, backend_de_la_tarea, que: str) -> None:
    """SIGKILL to the worker as soon as `backend_de_la_tarea()` finds its connection in the
    state wanted; returns once PostgreSQL has closed that connection, rolling its transaction
    back."""
    try:
        backend = _esperar(backend_de_la_tarea, 120, que)
    finally:
        trabajador.send_signal(signal.SIGKILL)
        trabajador.wait(timeout=30)
    _esperar(lambda: _terminado(backend), 60, "que PostgreSQL cierre la conexión muerta")


def _retomar(tarea_id: str, usuario) -> str:
    """The next worker starts (and marks the interrupted task); the owner retries from its
    page; returns the new task's id once the worker ran it."""
    call_command("trabajador", batch=True, verbosity=0)
    cliente = Client()
    cliente.force_login(usuario)
    pagina = cliente.get(reverse("tarea", args=[tarea_id])).content.decode()
    assert "falló" in pagina and INTERRUMPIDA in pagina and "Reintentar" in pagina
    nueva = cliente.post(reverse("tarea_reintentar", args=[tarea_id]))["Location"]
    call_command("trabajador", batch=True, verbosity=0)
    return nueva.strip("/").split("/")[-1]


@override_settings(TASKS=BASE_DE_DATOS)
def test_a_worker_killed_while_importing_writes_no_row_and_the_retry_imports_the_file(settings):
    administracion = UserFactory(roles=[Rol.ADMINISTRACION])
    centro = CentroFactory()
    encabezados = [
        "Cédula", "Apellidos", "Nombres", "Fecha de nacimiento", "Sexo", "Discapacidad",
        "Centro", "Desde", "Grupo prioritario",
    ]  # fmt: skip
    filas = [
        (cedula_valida(n), f"Apellido{n}", f"Nombre{n}", "20/05/2015", "F", "No", centro.numero,
         "01/02/2024", "Ninguno")
        for n in range(PERSONAS)
    ]  # fmt: skip
    # The file as the confirmation leaves it for the worker.
    carpeta = Path(settings.IMPORTACIONES_ROOT)
    carpeta.mkdir(parents=True)
    (carpeta / f"{'a' * 32}.encolada").write_bytes(
        csv_de_excel("Registro nominal", encabezados, *filas)
    )
    tarea = importacion_tarea.enqueue(
        tipo="beneficiarios",
        archivo="a" * 32,
        nombre="registro.csv",
        usuario_id=administracion.pk,
        opciones={},
    )

    _matar_cuando(
        _trabajador(settings),
        lambda: _escribiendo("centros_"),
        "que el trabajador escriba las personas del archivo",
    )

    assert (Beneficiario.objects.count(), Inscripcion.objects.count()) == (0, 0)
    assert Beneficiario.history.count() == 0
    assert default_task_backend.get_result(tarea.id).status == TaskResultStatus.RUNNING
    nueva = _retomar(tarea.id, administracion)
    assert default_task_backend.get_result(nueva).status == TaskResultStatus.SUCCESSFUL
    assert Beneficiario.objects.count() == Inscripcion.objects.count() == PERSONAS
    assert Beneficiario.history.count() == PERSONAS
    assert list(carpeta.iterdir()) == []


@pytest.mark.usefixtures("datos_2023")
@override_settings(TASKS=BASE_DE_DATOS)
def test_a_worker_killed_while_publishing_publishes_nothing_and_the_retry_publishes_once(
    settings,
):
    coordinacion = UserFactory(roles=[Rol.COORDINACION])
    tarea = informe_publicar_tarea.enqueue(anio=2023, usuario_id=coordinacion.pk)

    # Killed inside the publish's transaction, while it renders the files.
    _matar_cuando(
        _trabajador(settings),
        _en_transaccion,
        "que el trabajador empiece a publicar",
    )

    assert not Publicacion.objects.exists()
    nueva = _retomar(tarea.id, coordinacion)
    assert default_task_backend.get_result(nueva).status == TaskResultStatus.SUCCESSFUL
    (publicacion,) = Publicacion.objects.all()
    assert (publicacion.anio, publicacion.version) == (2023, 1)
    # No file of the killed attempt is left beside the published ones.
    publicados = {Path(getattr(publicacion, campo).path) for campo, _, _ in publicacion.archivos}
    assert len(publicados) == 5  # the report's four files and the CPCCS form
    carpeta = next(iter(publicados)).parent
    assert set(carpeta.iterdir()) == publicados
