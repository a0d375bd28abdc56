"""The worker of the background tasks (docs/tareas.md): django-tasks-db's `db_worker`, with an
id that names its machine and process, which first marks as failed the tasks a stopped worker of
this machine left running, so that their pages offer to retry them.

    python manage.py trabajador            # as `db_worker`, with the same options
"""

from django_tasks_db.management.commands import db_worker

from casmul.tareas import tareas_interrumpidas_marcar, trabajador_id


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
        super().handle(*args, **options)
