"""The background tasks on RQ with a real Redis (docs/tareas.md, «RQ»), as an institution whose
workers run on other machines would run them: the portal enqueues through its views, an RQ
worker runs what waits and exits (`rqworker --burst`), and the task page follows the task to
its result; the PDF it prepared is downloaded by who asked and by nobody else. The scenarios
of test_tareas.py, tests/rendicion/test_tareas_informe.py and test_importar_en_segundo_plano.py
on the database's queue, on this one.

Redis is part of CI (.ci/run starts it): one that does not answer at 127.0.0.1:6379 fails these
tests instead of skipping them. Each run takes a Redis database of its own, so that two runs at
once (SQLite and PostgreSQL) never take each other's jobs, and empties only that one."""

import json
import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path
from unittest import mock

import django_rq
import pytest
import redis
from django.conf import settings as django_settings
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.urls import reverse
from django_rq.management.commands import rqworker
from django_tasks import TaskResultStatus, default_task_backend

from casmul.hojas import portal as hojas
from casmul.roles import Rol
from casmul.tareas import ERROR_INESPERADO
from centros.models import CifraMensual
from rendicion.models import Publicacion
from tests.casmul.tareas_de_prueba import rechazar, romper, sumar
from tests.casmul.test_importar_portal import FILAS, URL_CONFIRMAR, _subir, _texto, _token
from tests.factories import UserFactory

RAIZ = Path(__file__).resolve().parents[2]
REDIS = "redis://127.0.0.1:6379"
RQ = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
# Marks a Redis database as taken by a run of these tests (expires if the run dies).
OCUPADA = "casmul:pruebas-rq:ocupada"
DIA = 24 * 60 * 60

# The worker closes the database connections before it works, as a real one does: the test
# cannot run inside a transaction that the closing would lose.
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(scope="session")
def redis_propia():
    """The address of a Redis database no other run is using: the first empty one this run
    can mark as its own (database 0 is left to whatever else uses the server)."""
    servidor = redis.Redis.from_url(REDIS, socket_connect_timeout=3)
    try:
        bases = int(servidor.config_get("databases")["databases"])
    except redis.ConnectionError as error:
        bases, problema = 0, error
    if not bases:
        pytest.fail(
            f"Redis no responde en {REDIS} ({problema}). Estas pruebas lo necesitan: .ci/run "
            "lo arranca; en desarrollo, `redis-server --daemonize yes --save ''`.",
            pytrace=False,
        )
    marca = f"{socket.gethostname()}:{os.getpid()}"
    for numero in range(bases - 1, 0, -1):
        base = redis.Redis.from_url(f"{REDIS}/{numero}")
        if not base.set(OCUPADA, marca, nx=True, ex=DIA):
            continue  # another run's
        if base.dbsize() == 1:
            break
        base.delete(OCUPADA)  # someone else's data: not ours to empty
    else:
        pytest.fail(f"Ninguna base de {REDIS} está libre para las pruebas de RQ.", pytrace=False)
    yield f"{REDIS}/{numero}"
    _vaciar(base)
    base.delete(OCUPADA)


def _vaciar(base: redis.Redis) -> None:
    """Removes what RQ left in this run's database (its keys all start with "rq:")."""
    claves = list(base.scan_iter(match="rq:*", count=1000))
    if claves:
        base.delete(*claves)


@pytest.fixture
def cola(redis_propia, settings):
    """The settings' RQ backend and queue (TAREAS_BACKEND=django_tasks_rq.RQBackend), on this
    run's Redis database, empty."""
    settings.TASKS = RQ
    settings.RQ_QUEUES = {"default": {**settings.RQ_QUEUES["default"], "URL": redis_propia}}
    base = django_rq.get_connection("default")
    _vaciar(base)
    yield base
    _vaciar(base)


def _trabajar() -> None:
    """`manage.py rqworker default --burst`: runs what waits, then exits. Its SimpleWorker runs
    each task in this process, not in a fork, so that it sees the test's database (SQLite's
    is in memory). Production's forking worker, in a process of its own, is the one of
    test_the_production_worker_in_a_process_of_its_own_prepares_the_pdf, on PostgreSQL."""
    call_command(
        rqworker.Command(), "default", burst=True, worker_class="rq.SimpleWorker", verbosity=0
    )


def _cliente(usuario) -> Client:
    cliente = Client()
    cliente.force_login(usuario)
    return cliente


def _tarea_id(respuesta) -> str:
    assert respuesta.status_code == 302
    coincide = re.fullmatch(r"/tareas/([^/]+)/", respuesta["Location"])
    assert coincide, respuesta["Location"]
    return coincide.group(1)


@pytest.fixture
def coordinacion(db):
    return UserFactory(roles=[Rol.COORDINACION])


def test_the_rq_queue_waits_for_the_worker_which_runs_the_task(cola, coordinacion):
    cliente = _cliente(coordinacion)
    # Given a task in Redis
    resultado = sumar.enqueue(a=2, b=3, usuario_id=coordinacion.pk)
    en_cola = cliente.get(reverse("tarea_estado", args=[resultado.id])).json()
    pagina_en_cola = cliente.get(reverse("tarea", args=[resultado.id])).content.decode()

    # When the worker runs what is pending and exits
    _trabajar()

    # Then it has run, and its page says so
    resultado.refresh()
    assert resultado.status == TaskResultStatus.SUCCESSFUL
    assert resultado.return_value == {"texto": "La suma es 5."}
    assert en_cola == {"estado": "en cola", "terminada": False}
    assert "en cola" in pagina_en_cola and "tarea.js" in pagina_en_cola
    assert cliente.get(reverse("tarea_estado", args=[resultado.id])).json() == {
        "estado": "terminado",
        "terminada": True,
    }
    assert "La suma es 5." in cliente.get(reverse("tarea", args=[resultado.id])).content.decode()


def test_finished_and_failed_tasks_are_kept_as_many_days_as_the_database_keeps_them(
    cola, coordinacion, settings
):
    """RQ's own default would forget a finished task after 500 seconds: a user coming back to
    its page, or to the PDF it prepared, would find nothing."""
    hecha = sumar.enqueue(a=1, b=1, usuario_id=coordinacion.pk)
    fallida = romper.enqueue(usuario_id=coordinacion.pk)
    _trabajar()

    conservar = settings.TAREAS_CONSERVAR_DIAS * DIA
    for resultado in (hecha, fallida):
        # Both the job and its results (what the task page reads) expire together.
        for clave in (f"rq:job:{resultado.id}", f"rq:results:{resultado.id}"):
            assert conservar - 600 < cola.ttl(clave) <= conservar, clave
    assert default_task_backend.get_result(fallida.id).status == TaskResultStatus.FAILED


def test_a_task_that_raises_is_failed_without_its_message_and_reintentar_enqueues_it_again(
    cola, coordinacion
):
    cliente = _cliente(coordinacion)
    resultado = romper.enqueue(usuario_id=coordinacion.pk)
    _trabajar()

    pagina = cliente.get(reverse("tarea", args=[resultado.id])).content.decode()
    nuevo_id = _tarea_id(cliente.post(reverse("tarea_reintentar", args=[resultado.id])))

    resultado.refresh()
    assert resultado.status == TaskResultStatus.FAILED
    assert resultado.errors[-1].exception_class_path == "builtins.RuntimeError"
    assert "falló" in pagina and ERROR_INESPERADO in pagina and "Reintentar" in pagina
    assert "clave secreta" not in pagina
    assert nuevo_id != resultado.id
    nuevo = default_task_backend.get_result(nuevo_id)
    assert nuevo.status == TaskResultStatus.READY
    assert nuevo.kwargs == {"usuario_id": coordinacion.pk}


def test_a_refused_task_shows_its_reason(cola, coordinacion):
    resultado = rechazar.enqueue(usuario_id=coordinacion.pk)
    _trabajar()

    pagina = _cliente(coordinacion).get(reverse("tarea", args=[resultado.id])).content.decode()

    assert "falló" in pagina
    assert "El año 1999 no tiene informe." in pagina


def test_an_unknown_task_or_one_without_owner_is_404(cola, coordinacion):
    cliente = _cliente(coordinacion)
    sin_duenio = sumar.enqueue(a=1, b=1, usuario_id=None)

    assert cliente.get(reverse("tarea", args=["no-existe"])).status_code == 404
    assert cliente.get(reverse("tarea", args=[sin_duenio.id])).status_code == 404


@pytest.mark.usefixtures("datos_2023")
def test_the_pdf_prepared_by_the_worker_is_served_only_to_its_owner(cola, coordinacion, settings):
    cliente = _cliente(coordinacion)
    # Given the PDF asked for from the report's page
    respuesta = cliente.post(reverse("rendicion:informe_pdf", args=[2023]) + "?borrador=1")
    pagina_tarea = reverse("tarea", args=[_tarea_id(respuesta)])
    en_cola = cliente.get(pagina_tarea).content.decode()

    # When the worker has run
    _trabajar()

    # Then its page links the file, which only who asked (not another coordinator) downloads
    pagina = cliente.get(pagina_tarea).content.decode()
    descarga = cliente.get(pagina_tarea + "archivo/")
    otra = _cliente(UserFactory(roles=[Rol.COORDINACION]))
    administracion = _cliente(UserFactory(roles=[Rol.ADMINISTRACION]))
    assert "en cola" in en_cola and "<h1>Preparar el PDF del informe 2023</h1>" in en_cola
    assert "terminado" in pagina
    assert f'href="{pagina_tarea}archivo/"' in pagina
    assert descarga.status_code == 200
    assert b"".join(descarga.streaming_content).startswith(b"%PDF")
    assert descarga["Cache-Control"] == "no-store"
    assert 'filename="informe-rendicion-2023-borrador.pdf"' in descarga["Content-Disposition"]
    assert otra.get(pagina_tarea).status_code == 404
    assert otra.get(pagina_tarea + "archivo/").status_code == 404
    assert administracion.get(pagina_tarea).status_code == 200
    generados = list((settings.MEDIA_ROOT / "generados").iterdir())
    assert len(generados) == 1 and generados[0].suffix == ".pdf"


@pytest.mark.usefixtures("datos_2023")
def test_publishing_from_the_page_is_done_by_the_worker_whose_page_links_the_archive(
    cola, coordinacion
):
    cliente = _cliente(coordinacion)
    respuesta = cliente.post(reverse("rendicion:publicar", args=[2023]), {"revisado": "on"})
    publicadas_antes = Publicacion.objects.count()

    _trabajar()

    pagina = cliente.get(respuesta["Location"]).content.decode()
    assert publicadas_antes == 0
    assert Publicacion.objects.get().publicado_por == coordinacion
    assert "terminado" in pagina and "Se publicó" in pagina
    assert f'href="{reverse("publicaciones:archivo")}"' in pagina


@pytest.mark.usefixtures("datos_2023")
def test_the_cpccs_link_check_runs_on_the_worker(cola, coordinacion):
    # The links themselves are opened in tests/rendicion/test_enlaces_cpccs.py.
    with mock.patch("rendicion.tareas.enlaces_comprobar", return_value=[]) as comprobar:
        tarea_id = _tarea_id(
            _cliente(coordinacion).post(reverse("rendicion:cpccs_enlaces", args=[2023]))
        )
        en_cola = default_task_backend.get_result(tarea_id).status
        _trabajar()

    resultado = default_task_backend.get_result(tarea_id)
    assert en_cola == TaskResultStatus.READY
    comprobar.assert_called_once_with(anio=2023)
    assert resultado.status == TaskResultStatus.SUCCESSFUL
    assert resultado.return_value["enlace"] == reverse("rendicion:cpccs", args=[2023])


def test_a_large_file_confirmed_is_imported_by_the_worker(cola, datos, monkeypatch):
    # Three rows count as a large file: what matters is the path, not the size.
    monkeypatch.setattr(hojas, "FILAS_EN_SEGUNDO_PLANO", 2)
    cliente = _cliente(datos.personal)
    vista_previa = _subir(cliente, *FILAS)
    tarea_id = _tarea_id(cliente.post(URL_CONFIRMAR, {"token": _token(vista_previa)}))
    importadas_antes = CifraMensual.objects.count()

    _trabajar()

    pagina = _texto(cliente.get(reverse("tarea", args=[tarea_id])).content.decode())
    assert importadas_antes == 0
    assert "Importación terminada: 3 filas nuevas, 0 actualizadas y 0 sin cambios." in pagina
    assert CifraMensual.objects.filter(reporte__centro=datos.propio).count() == 3
    assert CifraMensual.history.filter(history_user=datos.personal).count() == 3


def _entorno(**entorno: str) -> dict[str, str]:
    heredadas = {"SECRET_KEY", "DEBUG", "DATABASE_URL", "MEDIA_ROOT"}
    return {
        **{k: v for k, v in os.environ.items() if k not in heredadas and "TAREAS" not in k},
        "DJANGO_SETTINGS_MODULE": "casmul.settings.local",
        "DEBUG": "0",
        **entorno,
    }


def test_the_rq_backend_refuses_to_start_without_the_address_of_redis():
    resultado = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=RAIZ,
        env=_entorno(TAREAS_BACKEND="django_tasks_rq.RQBackend"),
        capture_output=True,
        text=True,
    )

    assert resultado.returncode != 0
    assert "TAREAS_REDIS_URL" in resultado.stderr


def test_the_rq_backend_named_in_the_environment_passes_the_checks_with_its_queue(redis_propia):
    entorno = _entorno(TAREAS_BACKEND="django_tasks_rq.RQBackend", TAREAS_REDIS_URL=redis_propia)
    codigo = (
        "import django, json; django.setup(); from django.conf import settings; "
        "print(json.dumps([settings.TASKS, settings.RQ_QUEUES, settings.INSTALLED_APPS]))"
    )

    check = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=RAIZ, env=entorno, capture_output=True
    )
    leidos = subprocess.run(
        [sys.executable, "-c", codigo], cwd=RAIZ, env=entorno, capture_output=True, text=True
    )

    # The backend's own check: django_rq installed, the queue configured, a supported rq.
    assert check.returncode == 0, check.stderr
    tasks, colas, apps = json.loads(leidos.stdout)
    assert tasks["default"]["BACKEND"] == "django_tasks_rq.RQBackend"
    assert colas["default"]["URL"] == redis_propia
    assert "django_rq" in apps and "casmul.apps.TareasConfig" in apps


@pytest.mark.skipif(
    not django_settings.DATABASES["default"]["ENGINE"].endswith("postgresql"),
    reason="un trabajador en otro proceso ve la base de pruebas: solo con PostgreSQL",
)
@pytest.mark.usefixtures("datos_2023")
def test_the_production_worker_in_a_process_of_its_own_prepares_the_pdf(
    cola, redis_propia, coordinacion, settings
):
    """`manage.py rqworker default --burst` as production runs it: its own process, the
    settings chosen by the environment, and a fork for each task."""
    datos = connection.settings_dict
    entorno = _entorno(
        SECRET_KEY="solo-para-pruebas",
        TAREAS_BACKEND="django_tasks_rq.RQBackend",
        TAREAS_REDIS_URL=redis_propia,
        DATABASE_URL=(
            f"postgres://{datos['USER'] or 'postgres'}@{datos['HOST'] or '127.0.0.1'}:"
            f"{datos['PORT'] or 5432}/{datos['NAME']}"
        ),
        MEDIA_ROOT=str(settings.MEDIA_ROOT),
    )
    cliente = _cliente(coordinacion)
    pagina_tarea = cliente.post(reverse("rendicion:informe_pdf", args=[2023]))["Location"]

    trabajador = subprocess.run(
        [sys.executable, "manage.py", "rqworker", "default", "--burst"],
        cwd=RAIZ,
        env=entorno,
        capture_output=True,
        text=True,
        timeout=300,
    )

    assert trabajador.returncode == 0, trabajador.stderr
    pagina = cliente.get(pagina_tarea).content.decode()
    descarga = cliente.get(pagina_tarea + "archivo/")
    assert "terminado" in pagina, trabajador.stderr
    assert b"".join(descarga.streaming_content).startswith(b"%PDF")
    assert _cliente(UserFactory()).get(pagina_tarea + "archivo/").status_code == 404


def test_a_worker_stops_at_once(cola):
    """A worker stops between tasks when systemd restarts it (each update): with redis 8.2 and
    RQ 3.0 it waited a minute for its Redis subscription thread."""
    inicio = time.monotonic()
    _trabajar()

    assert time.monotonic() - inicio < 15
