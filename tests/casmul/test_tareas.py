"""Background tasks: the queue in the portal's own database runs with `db_worker`; a task that
raises is marked failed with its error, which the task page puts in Spanish; a reason given
with `TareaRechazada` reaches the user, anything else does not."""

import pytest
from django.core.management import call_command
from django.test import Client, override_settings
from django.urls import reverse
from django_tasks import TaskResultStatus, default_task_backend

from casmul.roles import Rol
from casmul.tareas import ERROR_INESPERADO
from tests.casmul.tareas_de_prueba import rechazar, romper, sumar
from tests.factories import UserFactory

BASE_DE_DATOS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


@pytest.fixture
def usuario(db):
    return UserFactory(roles=[Rol.COORDINACION])


def _cliente(usuario) -> Client:
    cliente = Client()
    cliente.force_login(usuario)
    return cliente


# The worker closes the database connection after each task, as a real one would: the
# test cannot run inside a transaction that the closing would lose.
@pytest.mark.django_db(transaction=True)
@override_settings(TASKS=BASE_DE_DATOS)
def test_the_database_queue_waits_for_the_worker_which_runs_the_task(usuario):
    cliente = _cliente(usuario)
    # Given a task in the database's queue
    resultado = sumar.enqueue(a=2, b=3, usuario_id=usuario.pk)
    en_cola = cliente.get(reverse("tarea_estado", args=[resultado.id])).json()
    pagina_en_cola = cliente.get(reverse("tarea", args=[resultado.id])).content.decode()

    # When the worker processes what is pending and exits
    call_command("db_worker", batch=True, verbosity=0)

    # Then it has run, and its page says so
    resultado.refresh()
    assert resultado.status == TaskResultStatus.SUCCESSFUL
    assert resultado.return_value == {"texto": "La suma es 5."}
    assert en_cola == {"estado": "en cola", "terminada": False}
    assert "tarea.js" in pagina_en_cola  # polls while it waits
    assert cliente.get(reverse("tarea_estado", args=[resultado.id])).json() == {
        "estado": "terminado",
        "terminada": True,
    }
    assert "La suma es 5." in cliente.get(reverse("tarea", args=[resultado.id])).content.decode()


@pytest.mark.django_db(transaction=True)
@override_settings(TASKS=BASE_DE_DATOS)
def test_a_task_that_raises_is_failed_with_its_error_and_reintentar_enqueues_it_again(usuario):
    cliente = _cliente(usuario)
    resultado = romper.enqueue(usuario_id=usuario.pk)
    call_command("db_worker", batch=True, verbosity=0)

    pagina = cliente.get(reverse("tarea", args=[resultado.id])).content.decode()
    reintento = cliente.post(reverse("tarea_reintentar", args=[resultado.id]))
    nuevo_id = reintento["Location"].strip("/").split("/")[-1]

    resultado.refresh()
    assert resultado.status == TaskResultStatus.FAILED
    assert resultado.errors[-1].exception_class_path == "builtins.RuntimeError"
    assert "falló" in pagina and ERROR_INESPERADO in pagina
    assert "clave secreta" not in pagina
    nuevo = default_task_backend.get_result(nuevo_id)
    assert nuevo.status == TaskResultStatus.READY
    assert nuevo.kwargs == {"usuario_id": usuario.pk}


def test_a_refused_task_shows_its_reason(usuario):
    resultado = rechazar.enqueue(usuario_id=usuario.pk)

    pagina = _cliente(usuario).get(reverse("tarea", args=[resultado.id])).content.decode()

    assert resultado.status == TaskResultStatus.FAILED
    assert "El año 1999 no tiene informe." in pagina


def test_a_finished_task_is_not_retried(usuario):
    resultado = sumar.enqueue(a=1, b=1, usuario_id=usuario.pk)

    respuesta = _cliente(usuario).post(reverse("tarea_reintentar", args=[resultado.id]))

    assert respuesta["Location"] == reverse("tarea", args=[resultado.id])


def test_an_unknown_task_or_one_without_owner_is_404(usuario):
    cliente = _cliente(usuario)
    sin_duenio = sumar.enqueue(a=1, b=1, usuario_id=None)

    assert cliente.get(reverse("tarea", args=["no-existe"])).status_code == 404
    assert cliente.get(reverse("tarea", args=[sin_duenio.id])).status_code == 404
    with override_settings(TASKS=BASE_DE_DATOS):
        assert cliente.get(reverse("tarea", args=["no-es-un-uuid"])).status_code == 404


def test_the_task_page_polls_from_a_static_script_not_an_inline_one(usuario):
    with override_settings(TASKS=BASE_DE_DATOS):
        resultado = sumar.enqueue(a=1, b=1, usuario_id=usuario.pk)
        pagina = _cliente(usuario).get(reverse("tarea", args=[resultado.id])).content.decode()

    assert '<script src="/static/casmul/tarea.js" defer></script>' in pagina
    assert "<script>" not in pagina


def _trabajador(**opciones):
    from casmul.management.commands.trabajador import Trabajador

    return Trabajador(
        **{
            "queue_names": ["default"],
            "interval": 0,
            "batch": False,
            "backend_name": "default",
            "startup_delay": False,
            "max_tasks": None,
            "worker_id": "prueba",
            "excluded_queue_names": [],
            **opciones,
        }
    )


@pytest.mark.django_db(transaction=True)
@override_settings(TASKS=BASE_DE_DATOS)
def test_the_worker_takes_the_write_lock_only_when_a_task_waits(usuario, monkeypatch):
    """On SQLite every exclusive transaction is the database's write lock: a worker polling an
    empty queue must not take it (staff saving a month would wait for it every second)."""
    from django_tasks_db.management.commands import db_worker

    from casmul.management.commands import trabajador as modulo

    bloqueos = []
    original = modulo.exclusive_transaction

    def contado(*args, **kwargs):
        bloqueos.append(1)
        return original(*args, **kwargs)

    # Counted wherever the lock is taken: here, or in db_worker's own loop.
    for dueno in (modulo, db_worker):
        monkeypatch.setattr(dueno, "exclusive_transaction", contado)
    vacio = _trabajador()
    sondeos = []

    def dormir(segundos):
        sondeos.append(segundos)
        if len(sondeos) == 20:
            vacio.running = False

    monkeypatch.setattr(modulo.time, "sleep", dormir)

    # When it polls an empty queue twenty times
    vacio.run()
    # Then it never locked; and once a task waits, it claims and runs it under the lock.
    assert (len(sondeos), bloqueos) == (20, [])
    resultado = sumar.enqueue(a=2, b=3, usuario_id=usuario.pk)
    _trabajador(batch=True).run()
    resultado.refresh()
    assert resultado.status == TaskResultStatus.SUCCESSFUL
    assert len(bloqueos) == 1
