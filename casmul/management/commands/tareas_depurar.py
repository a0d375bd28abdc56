"""`python manage.py tareas_depurar [--dias N]`: what background work leaves behind, deleted
once nobody can use it: the files tasks built (a report's PDF prepared for someone) and the
records of finished tasks, after TAREAS_CONSERVAR_DIAS days (7); the spreadsheets kept for an
import's confirmation or retry, once they expire, the portal's and the admin's. Run daily with
`accesos_depurar` by the systemd timer (docs/deploy.md)."""

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django_tasks import DEFAULT_TASK_BACKEND_ALIAS, task_backends
from django_tasks_db import DatabaseBackend

from casmul.hojas import guardadas_vencidas_borrar
from casmul.tareas import generados_vencidos_borrar


class Command(BaseCommand):
    help = (
        "Borra los archivos generados por las tareas y los registros de tareas terminadas de "
        "más de TAREAS_CONSERVAR_DIAS días, y las hojas de importaciones vencidas."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dias",
            type=int,
            help="Días que se conservan (por defecto, TAREAS_CONSERVAR_DIAS).",
        )

    def handle(self, *args, dias=None, **options):
        dias = settings.TAREAS_CONSERVAR_DIAS if dias is None else dias
        if dias < 1:
            raise CommandError("--dias debe ser al menos 1.")
        archivos = generados_vencidos_borrar(dias=dias)
        # Uploads sweep too; this is for the days without one.
        hojas = guardadas_vencidas_borrar()
        if isinstance(task_backends[DEFAULT_TASK_BACKEND_ALIAS], DatabaseBackend):
            # Another backend (RQ, Celery) keeps and expires its results by itself.
            call_command("prune_db_task_results", min_age_days=dias, verbosity=0)
        if options["verbosity"] >= 1:
            self.stdout.write(
                f"Tareas de más de {dias} días depuradas: {archivos} archivo(s) generado(s) "
                f"borrado(s); {hojas.admin} hoja(s) de importaciones de la administración sin "
                "confirmar borrada(s)."
            )
