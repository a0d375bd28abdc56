"""Background tasks shared by every app: who may see a task, its state in the users' words, the
error a user can act on, the files a task leaves for its owner, and retrying a failed one.

The tasks themselves live with their app (`rendicion/tareas.py`, `centros/services/avisos.py`);
each a user asks for takes `usuario_id` among its keyword arguments (who asked: only that user,
or the administration, sees the task; the notices by e-mail have no page), and each returns a
small JSON dict: `texto` (what was done), and `enlace` (a page) or `archivo` (a file under
MEDIA_ROOT/<TAREAS_CARPETA>/, with its download `nombre`)."""

import os
import socket
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django_tasks import TaskResult, TaskResultStatus, default_task_backend
from django_tasks.backends.immediate import ImmediateBackend
from django_tasks.exceptions import TaskResultDoesNotExist

from .roles import Rol, tiene_rol

ESTADOS = {
    TaskResultStatus.READY: "en cola",
    TaskResultStatus.RUNNING: "en curso",
    TaskResultStatus.SUCCESSFUL: "terminado",
    TaskResultStatus.FAILED: "falló",
}
ERROR_INESPERADO = (
    "La tarea se interrumpió por un error inesperado; quedó registrado para la administración. "
    "Puede reintentarla."
)


class TareaRechazada(Exception):
    """A task that refuses its work for a reason the user can act on (a rule of the domain).
    Its message, in Spanish, is shown on the task page; any other exception is not, since its
    text may be technical or carry data."""

    def __init__(self, error: ValidationError | str):
        mensaje = " ".join(error.messages) if isinstance(error, ValidationError) else error
        # One line: the backends keep only the traceback, whose last line carries it.
        super().__init__(" ".join(str(mensaje).split()))


class TareaInterrumpida(Exception):
    """Recorded for a task whose worker stopped while running it (killed, the server
    restarted): its transaction was rolled back, so nothing of it was written."""


INTERRUMPIDA = (
    "La tarea se interrumpió porque se detuvo el proceso que la ejecutaba; no se guardó nada de "
    "ella. Puede reintentarla."
)
# The exceptions whose message the task page shows: written for the user.
_CON_MENSAJE = frozenset(
    f"{clase.__module__}.{clase.__qualname__}" for clase in (TareaRechazada, TareaInterrumpida)
)


class InmediatoConResultados(ImmediateBackend):
    """The immediate backend (the task runs inside the call that enqueues it) that also keeps
    its results, so that the task page can read them: for tests only. The backends are one per
    thread, so another thread would not find them, and the memory only grows."""

    supports_get_result = True

    def __init__(self, alias: str, params: dict):
        super().__init__(alias, params)
        self.resultados: dict[str, TaskResult] = {}

    def enqueue(self, task, args, kwargs):
        resultado = super().enqueue(task, args, kwargs)
        self.resultados[resultado.id] = resultado
        return resultado

    def get_result(self, result_id: str) -> TaskResult:
        try:
            return self.resultados[result_id]
        except KeyError as error:
            raise TaskResultDoesNotExist(result_id) from error


@dataclass(frozen=True)
class Tarea:
    """A task as its page shows it."""

    resultado: TaskResult
    # What it is and what it is for (`tarea_describir`).
    titulo: str
    para_que: str
    estado: str
    terminada: bool
    fallida: bool
    texto: str
    enlace: str
    archivo: str
    nombre: str
    error: str


# What each task is, as its page names it: {task path: (title with its arguments, what for)}.
_DESCRIPCIONES: dict[str, tuple[str, str]] = {}


def tarea_describir(tarea, *, titulo: str, para_que: str):
    """Names a task for its page: `titulo` may use the task's keyword arguments ("{anio}")."""
    _DESCRIPCIONES[tarea.module_path] = (titulo, para_que)
    return tarea


def _descripcion(resultado: TaskResult) -> tuple[str, str]:
    titulo, para_que = _DESCRIPCIONES.get(
        resultado.task.module_path, ("Tarea en segundo plano", "")
    )
    try:
        return titulo.format(**resultado.kwargs), para_que
    except (KeyError, IndexError):
        return titulo, para_que


def tarea_de_usuario(*, tarea_id: str, usuario) -> Tarea | None:
    """The task with that id if `usuario` asked for it (or is the administration); None when
    it does not exist or belongs to someone else, so that a stranger cannot tell which."""
    try:
        resultado = default_task_backend.get_result(tarea_id)
    except TaskResultDoesNotExist:
        return None
    duenio = resultado.kwargs.get("usuario_id")
    if duenio is None or (duenio != usuario.pk and not tiene_rol(usuario, Rol.ADMINISTRACION)):
        return None
    valor = resultado.return_value if resultado.status == TaskResultStatus.SUCCESSFUL else None
    valor = valor if isinstance(valor, dict) else {}
    fallida = resultado.status == TaskResultStatus.FAILED
    titulo, para_que = _descripcion(resultado)
    return Tarea(
        resultado=resultado,
        titulo=titulo,
        para_que=para_que,
        estado=ESTADOS[resultado.status],
        terminada=resultado.is_finished,
        fallida=fallida,
        texto=valor.get("texto", ""),
        enlace=valor.get("enlace", ""),
        archivo=valor.get("archivo", ""),
        nombre=valor.get("nombre", ""),
        error=_mensaje_de_error(resultado) if fallida else "",
    )


def _mensaje_de_error(resultado: TaskResult) -> str:
    if not resultado.errors:
        return ERROR_INESPERADO
    error = resultado.errors[-1]
    if error.exception_class_path not in _CON_MENSAJE:
        return ERROR_INESPERADO
    # The traceback ends with "<class path>: <message>".
    ultima = error.traceback.strip().splitlines()[-1]
    return ultima.partition(": ")[2] or ERROR_INESPERADO


def tarea_reintentar(*, tarea: Tarea) -> TaskResult:
    """Enqueues a failed task again with the same arguments (the same user among them)."""
    resultado = tarea.resultado
    return resultado.task.enqueue(*resultado.args, **resultado.kwargs)


def archivo_generado_guardar(*, contenido: bytes, extension: str) -> str:
    """Writes a file a task built and returns its name (a random one: it is the only key)."""
    nombre = f"{uuid.uuid4().hex}.{extension}"
    ruta = _carpeta() / nombre
    ruta.parent.mkdir(parents=True, exist_ok=True)
    ruta.write_bytes(contenido)
    return nombre


def archivo_generado_ruta(nombre: str) -> Path | None:
    """Where a generated file is, or None when the name is not one of them."""
    ruta = _carpeta() / Path(nombre).name
    return ruta if nombre and ruta.is_file() else None


def generados_vencidos_borrar(*, dias: int) -> int:
    """Removes the files tasks built more than `dias` days ago (their task pages then say the
    file no longer exists); returns how many."""
    limite = time.time() - dias * 24 * 60 * 60
    borrados = 0
    for ruta in _carpeta().glob("*"):
        try:
            if ruta.is_file() and ruta.stat().st_mtime < limite:
                ruta.unlink()
                borrados += 1
        except FileNotFoundError:
            continue  # removed meanwhile
    return borrados


def _carpeta() -> Path:
    return Path(settings.MEDIA_ROOT) / settings.TAREAS_CARPETA


def trabajador_id() -> str:
    """The id a worker of this machine runs with: its host and process, so that the next
    worker started here can tell which tasks a stopped one left running."""
    return f"{socket.gethostname()[:40]}:{os.getpid()}"


def tareas_interrumpidas_marcar() -> int:
    """Marks as failed (`TareaInterrumpida`) the tasks left running by a worker of this machine
    that no longer runs; returns how many. Called as a worker starts (`manage.py trabajador`),
    before it takes any task: after a crash or a restart, the task it was running shows as
    failed, with a way to retry, instead of running forever."""
    from django_tasks_db.models import DBTaskResult

    maquina = socket.gethostname()[:40]
    marcadas = 0
    for tarea in DBTaskResult.objects.running():
        trabajador = tarea.worker_ids[-1] if tarea.worker_ids else ""
        host, _, pid = trabajador.rpartition(":")
        if host != maquina or not pid.isdigit() or _proceso_vive(int(pid)):
            continue
        tarea.set_failed(TareaInterrumpida(INTERRUMPIDA))
        marcadas += 1
    return marcadas


def _proceso_vive(pid: int) -> bool:
    if pid == os.getpid():
        # This worker has taken no task yet: one recorded with its id was a previous process's
        # (a container restarts its worker with the same pid).
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # another user's process
    return True
