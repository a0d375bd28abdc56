"""The worker of the background tasks (docs/tareas.md): django-tasks-db's `db_worker`, with an
id that names its machine and process, which first marks as failed the tasks a stopped worker of
this machine left running, so that their pages offer to retry them, and which takes the
database's write lock only when a task is waiting.

    python manage.py trabajador            # as `db_worker`, with the same options
"""

import logging
import random
import time

from django.db import OperationalError, close_old_connections
from django_tasks_db.management.commands import db_worker
from django_tasks_db.models import DBTaskResult
from django_tasks_db.utils import exclusive_transaction, is_locked_database_exception

from casmul.tareas import tareas_interrumpidas_marcar, trabajador_id

logger = logging.getLogger("django_tasks_db")


class Trabajador(db_worker.Worker):
    """db_worker's loop claims a task inside an exclusive transaction at every poll, found or
    not: on SQLite (the embedded default) a write lock taken every second, that staff saving
    a month must wait for. This one looks first with a plain read and takes the lock only to
    claim a task that is waiting; the rest (running it, recording its result, the signals,
    `--batch`, `--max-tasks`) is db_worker's."""

    def run(self) -> None:
        logger.info("Starting worker worker_id=%s queues=%s", self.worker_id, self.queue_names)
        if self.startup_delay and self.interval:
            time.sleep(random.random())  # noqa: S311 — db_worker's herd-avoiding pause
        while self.running:
            close_old_connections()
            if self._listas().exists():
                tarea = self._tarea_tomar()
                if tarea is not None:
                    self.run_task(tarea)
                    if self.max_tasks is not None and self._run_tasks >= self.max_tasks:
                        return
                    continue
            elif self.batch:
                return
            if self.running:
                time.sleep(self.interval)

    def _listas(self):
        """The tasks ready to run on this worker's queues, as db_worker selects them."""
        tareas = DBTaskResult.objects.ready().filter(backend_name=self.backend_name)
        if not self.process_all_queues:
            tareas = tareas.filter(queue_name__in=self.queue_names)
        if self.excluded_queue_names:
            tareas = tareas.exclude(queue_name__in=self.excluded_queue_names)
        return tareas

    def _tarea_tomar(self) -> DBTaskResult | None:
        """A ready task claimed for this worker, under the lock; None when another worker took
        it first or the database was busy (looked for again at the next poll)."""
        tareas = self._listas()
        with exclusive_transaction(tareas.db):
            try:
                tarea = tareas.get_locked()
            except OperationalError as error:
                if is_locked_database_exception(error):
                    return None
                raise
            if tarea is not None:
                tarea.claim(self.worker_id)
            return tarea


class Command(db_worker.Command):
    help = (
        "Ejecuta las tareas en segundo plano; al empezar marca como fallidas las que un "
        "trabajador detenido de esta máquina dejó a medias."
    )

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.set_defaults(worker_id=trabajador_id())

    def handle(self, *args, **options):
        interrumpidas = tareas_interrumpidas_marcar()
        if interrumpidas and options["verbosity"]:
            self.stderr.write(
                f"{interrumpidas} tarea(s) interrumpida(s) por un trabajador detenido quedaron "
                "como fallidas."
            )
        # db_worker's handle builds its Worker by name: ours takes its place for this run.
        original, db_worker.Worker = db_worker.Worker, Trabajador
        try:
            super().handle(*args, **options)
        finally:
            db_worker.Worker = original
