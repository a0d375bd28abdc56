"""Tasks of the tests of the task pages, whatever queue runs them (tests/casmul/test_tareas.py,
the database's; test_tareas_rq.py, RQ's): one that finishes, one refused, one that breaks."""

from django_tasks import task

from casmul.tareas import TareaRechazada


@task()
def sumar(*, a: int, b: int, usuario_id: int) -> dict:
    return {"texto": f"La suma es {a + b}."}


@task()
def rechazar(*, usuario_id: int) -> dict:
    raise TareaRechazada("El año 1999 no tiene informe.")


@task()
def romper(*, usuario_id: int) -> dict:
    raise RuntimeError("clave secreta en el mensaje")
