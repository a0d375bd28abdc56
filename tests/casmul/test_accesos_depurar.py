"""`manage.py accesos_depurar`: django-axes' records (accounts and addresses) are kept
CASMUL_RETENCION_ACCESOS_DIAS days, then deleted, except a lockout still in force."""

import datetime
from io import StringIO

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.core.management import CommandError, call_command
from django.utils import timezone

pytestmark = pytest.mark.django_db


def _hace(dias: float) -> datetime.datetime:
    return timezone.now() - datetime.timedelta(days=dias)


def _registros(dias: float, *, fallos: int = 1, usuario: str = "ana") -> None:
    """One record of each kind, `dias` days old (axes stamps them on creation)."""
    comunes = {"username": usuario, "ip_address": "203.0.113.7", "path_info": "/ingresar/"}
    intento = AccessAttempt.objects.create(
        **comunes, user_agent=f"{usuario}-{dias}", failures_since_start=fallos
    )
    ingreso = AccessLog.objects.create(**comunes)
    fallo = AccessFailureLog.objects.create(**comunes)
    for registro in (intento, ingreso, fallo):
        type(registro).objects.filter(pk=registro.pk).update(attempt_time=_hace(dias))


def _depurar(*args) -> str:
    salida = StringIO()
    call_command("accesos_depurar", *args, stdout=salida)
    return salida.getvalue()


def _cuantos() -> tuple[int, int, int]:
    return (
        AccessAttempt.objects.count(),
        AccessLog.objects.count(),
        AccessFailureLog.objects.count(),
    )


def test_the_retention_is_180_days(settings):
    assert settings.CASMUL_RETENCION_ACCESOS_DIAS == 180


def test_records_older_than_the_retention_are_deleted_and_newer_ones_kept():
    _registros(181)
    _registros(179, usuario="bea")

    salida = _depurar()

    assert _cuantos() == (1, 1, 1)
    assert set(AccessLog.objects.values_list("username", flat=True)) == {"bea"}
    assert set(AccessAttempt.objects.values_list("username", flat=True)) == {"bea"}
    assert "más de 180 días" in salida
    assert "1 de intentos fallidos, 1 de ingresos y 1 de fallos" in salida


def test_the_retention_comes_from_the_setting_and_dias_overrides_it(settings):
    settings.CASMUL_RETENCION_ACCESOS_DIAS = 30
    _registros(31)
    _registros(20, usuario="bea")

    _depurar()
    assert _cuantos() == (1, 1, 1)

    _depurar("--dias", "10")
    assert _cuantos() == (0, 0, 0)


def test_dias_must_be_at_least_one():
    with pytest.raises(CommandError, match="al menos 1"):
        _depurar("--dias", "0")


def test_a_lockout_still_in_force_is_kept_whatever_its_age(settings):
    # A cool-off longer than the retention (or none: locked until the administration lifts
    # it) keeps an old lockout; the old attempts below the limit go.
    settings.AXES_COOLOFF_TIME = datetime.timedelta(days=400)
    _registros(200, fallos=5, usuario="bloqueada")
    _registros(200, fallos=2, usuario="tipeo")
    _registros(500, fallos=5, usuario="vencida")

    _depurar()
    assert list(AccessAttempt.objects.values_list("username", flat=True)) == ["bloqueada"]

    settings.AXES_COOLOFF_TIME = None
    _registros(900, fallos=5, usuario="para-siempre")
    _depurar()
    assert set(AccessAttempt.objects.values_list("username", flat=True)) == {
        "bloqueada",
        "para-siempre",
    }
