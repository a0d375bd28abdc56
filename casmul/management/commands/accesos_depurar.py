"""`python manage.py accesos_depurar [--dias N]`: deletes django-axes' records older than the
retention (`CASMUL_RETENCION_ACCESOS_DIAS`, 180 days): logins (AccessLog), logged failures
(AccessFailureLog) and the failed attempts an account piles up (AccessAttempt), each of which
names an account and an address. A lockout still in force is kept whatever its age, so that
depurating never unlocks anyone. Run daily by a systemd timer (docs/deploy.md)."""

import datetime

from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_cool_off
from axes.models import AccessAttempt
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone


def bloqueos_vigentes(ahora: datetime.datetime) -> Q:
    """The attempts that lock their account out right now: at the failure limit and within the
    cool-off (or for good, without a cool-off). A limit computed per request counts every
    attempt as one."""
    limite = settings.AXES_FAILURE_LIMIT
    bloqueados = Q(failures_since_start__gte=limite if isinstance(limite, int) else 1)
    espera = get_cool_off()
    if espera is None:
        return bloqueados
    return bloqueados & Q(attempt_time__gt=ahora - espera)


@transaction.atomic
def accesos_depurar(*, dias: int) -> dict[str, int]:
    """Deletes the records older than `dias` days; returns how many of each kind."""
    ahora = timezone.now()
    intentos, _ = (
        AccessAttempt.objects.filter(attempt_time__lte=ahora - datetime.timedelta(days=dias))
        .exclude(bloqueos_vigentes(ahora))
        .delete()
    )
    return {
        "intentos": intentos,
        # axes' own deletion by age (what `axes_reset_logs --age` and
        # `axes_reset_failure_logs --age` run).
        "ingresos": AxesProxyHandler.reset_logs(age_days=dias),
        "fallos": AxesProxyHandler.reset_failure_logs(age_days=dias),
    }


class Command(BaseCommand):
    help = (
        "Borra los registros de ingresos, fallos e intentos fallidos (django-axes) de más de "
        "CASMUL_RETENCION_ACCESOS_DIAS días, salvo los bloqueos vigentes."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dias",
            type=int,
            help="Días que se conservan (por defecto, CASMUL_RETENCION_ACCESOS_DIAS).",
        )

    def handle(self, *args, dias=None, **options):
        dias = settings.CASMUL_RETENCION_ACCESOS_DIAS if dias is None else dias
        if dias < 1:
            raise CommandError("--dias debe ser al menos 1.")
        borrados = accesos_depurar(dias=dias)
        if options["verbosity"] < 1:
            return
        self.stdout.write(
            f"Registros de ingreso de más de {dias} días borrados: {borrados['intentos']} "
            f"de intentos fallidos, {borrados['ingresos']} de ingresos y "
            f"{borrados['fallos']} de fallos."
        )
