"""The portal's records reach the server's output: a view of a person's data is logged."""

import logging

from django.conf import settings


def test_personal_data_access_is_logged_to_the_console():
    registrador = logging.getLogger("casmul.datos_personales")

    assert registrador.getEffectiveLevel() <= logging.INFO
    assert "casmul" in settings.LOGGING["loggers"]
    consolas = [
        manejador
        for manejador in logging.getLogger("casmul").handlers
        if isinstance(manejador, logging.StreamHandler)
    ]
    assert consolas
