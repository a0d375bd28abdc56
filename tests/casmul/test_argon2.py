"""Passwords are hashed with Argon2id at OWASP's minimum (issue 15: PBKDF2 cost half a second of
CPU per login), and a password hashed before with PBKDF2 still logs in and is rehashed with
Argon2 at that login. The tests' own settings keep MD5 for speed: the production list is read
from casmul.settings.base."""

import json
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import check_password, identify_hasher, make_password
from django.test import Client
from django.urls import reverse

from casmul.accesos import Argon2Portal
from casmul.settings import base

RAIZ = Path(__file__).resolve().parents[2]
CLAVE = "clave-de-prueba-1"
# OWASP Password Storage Cheat Sheet, Argon2id: m=19456 (19 MiB), t=2, p=1.
PARAMETROS = "argon2$argon2id$v=19$m=19456,t=2,p=1$"


@pytest.fixture
def hashers_de_produccion(settings):
    settings.PASSWORD_HASHERS = base.PASSWORD_HASHERS


def test_argon2_first_and_pbkdf2_kept_to_verify_older_hashes():
    assert base.PASSWORD_HASHERS[0] == "casmul.accesos.Argon2Portal"
    assert "django.contrib.auth.hashers.PBKDF2PasswordHasher" in base.PASSWORD_HASHERS[1:]


def test_the_parameters_are_at_least_owasp_s_minimum():
    assert Argon2Portal.memory_cost >= 19 * 1024
    assert Argon2Portal.time_cost >= 2
    assert Argon2Portal.parallelism == 1


def test_a_new_password_is_hashed_with_argon2id(hashers_de_produccion):
    codificada = make_password(CLAVE)

    assert codificada.startswith(PARAMETROS)
    assert isinstance(identify_hasher(codificada), Argon2Portal)
    assert check_password(CLAVE, codificada)
    assert not check_password("otra-clave-1", codificada)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "anterior",
    ["pbkdf2_sha256", "argon2"],
    ids=["pbkdf2", "argon2-con-los-parametros-de-django"],
)
def test_an_older_hash_logs_in_and_is_rehashed_with_argon2_at_that_login(
    hashers_de_produccion, settings, anterior
):
    # Given a password hashed before: PBKDF2, or Argon2 with Django's own parameters
    settings.PASSWORD_HASHERS = [
        *base.PASSWORD_HASHERS,
        "django.contrib.auth.hashers.Argon2PasswordHasher",
    ]
    usuario = get_user_model().objects.create(
        username="ana", password=make_password(CLAVE, hasher=anterior)
    )
    if anterior == "argon2":
        assert not usuario.password.startswith(PARAMETROS)
    settings.PASSWORD_HASHERS = base.PASSWORD_HASHERS
    cliente = Client()

    # When its owner logs in
    respuesta = cliente.post(reverse("login"), {"username": "ana", "password": CLAVE})

    # Then she is in, and her password is now Argon2id with the portal's parameters
    assert respuesta.status_code == 302
    usuario.refresh_from_db()
    assert usuario.password.startswith(PARAMETROS)
    cliente.logout()
    assert cliente.post(reverse("login"), {"username": "ana", "password": CLAVE}).status_code == 302


def test_the_benchmark_compares_both_hashers():
    resultado = subprocess.run(
        [sys.executable, "bench/ingresos.py", "--ingresos", "2", "--procesos", "1"],
        cwd=RAIZ,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert resultado.returncode == 0, resultado.stderr
    medidas = json.loads(resultado.stdout)
    assert medidas["ingresos"] == 2
    assert medidas["pbkdf2"]["parametros"] == "pbkdf2_sha256$1000000"
    assert medidas["argon2"]["parametros"] == PARAMETROS.removesuffix("$")
    for hasher in ("pbkdf2", "argon2"):
        assert medidas[hasher]["segundos_hasta_el_ultimo"] > 0
        assert medidas[hasher]["cpu_ms_por_ingreso"] > 0
