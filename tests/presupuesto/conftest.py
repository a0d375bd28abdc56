import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from casmul.roles import Rol
from tests.factories import UserFactory


def _cliente(*roles) -> Client:
    cliente = Client()
    cliente.force_login(UserFactory(roles=list(roles)))
    return cliente


@pytest.fixture
def administracion(db) -> Client:
    return _cliente(Rol.ADMINISTRACION)


@pytest.fixture
def coordinacion(db) -> Client:
    return _cliente(Rol.COORDINACION)


@pytest.fixture
def personal(db) -> Client:
    return _cliente(Rol.PERSONAL_CENTRO)


def consultas(cliente: Client, url: str) -> int:
    """How many queries a page costs (the response must be a 200)."""
    with CaptureQueriesContext(connection) as capturadas:
        respuesta = cliente.get(url)
    assert respuesta.status_code == 200
    return len(capturadas)
