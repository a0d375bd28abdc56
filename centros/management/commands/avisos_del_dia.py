"""`python manage.py avisos_del_dia [--fecha AAAA-MM-DD]`: enqueues the day's notices (the
coordination's digest of the previous day's submissions, the reminders of the due day); the
worker sends them. Run each morning by a systemd timer (docs/deploy.md); a second run of the
same day sends nothing twice."""

import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from centros.services import avisos_del_dia_tarea


class Command(BaseCommand):
    help = "Pone en cola los avisos del día: el resumen para la Coordinación y los recordatorios."

    def add_arguments(self, parser):
        parser.add_argument("--fecha", help="El día de los avisos (AAAA-MM-DD); hoy si se omite.")

    def handle(self, *args, fecha=None, **options):
        if fecha:
            try:
                dia = datetime.date.fromisoformat(fecha)
            except ValueError as error:
                raise CommandError(f"Escriba la fecha como AAAA-MM-DD, no «{fecha}».") from error
        else:
            dia = timezone.localdate()
        resultado = avisos_del_dia_tarea.enqueue(fecha=dia.isoformat())
        self.stdout.write(f"Avisos del {dia:%d/%m/%Y} en cola (tarea {resultado.id}).")
