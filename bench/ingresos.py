"""Many people logging in at once (issue 15): what the password hash costs. N password checks
are sent at once to as many processes as gunicorn has workers (GUNICORN_WORKERS, 3), each check
what a login does with the password (`check_password` against the user's stored hash), with
PBKDF2 (Django's default) and with the portal's Argon2id (casmul.accesos.Argon2Portal). Prints
one JSON object: for each hasher, the seconds until the last of the N got its answer and the CPU
milliseconds of one check.

    .venv/bin/python bench/ingresos.py                   # 60 logins at once
    .venv/bin/python bench/ingresos.py --ingresos 2      # a smoke test

The rest of a login (the session, axes' records: a few queries) is the same whatever the hash,
and is left out.
"""

import argparse
import json
import os
import statistics
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

RAIZ = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(RAIZ))

CLAVE = "clave-de-ingreso-1"
HASHERS = {
    "pbkdf2": "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "argon2": "casmul.accesos.Argon2Portal",
}


def _django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "casmul.settings.test")
    import django

    django.setup()


def _comprobar(hasher: str, codificada: str) -> float:
    """One login's check in a worker process; returns its CPU seconds."""
    from django.contrib.auth.hashers import check_password
    from django.test import override_settings

    with override_settings(PASSWORD_HASHERS=[hasher]):
        inicio = time.process_time()
        correcta = check_password(CLAVE, codificada)
        cpu = time.process_time() - inicio
    if not correcta:
        raise RuntimeError(f"{hasher} no reconoció la contraseña.")
    return cpu


def medir(hasher: str, *, ingresos: int, procesos: int) -> dict:
    from django.contrib.auth.hashers import make_password
    from django.test import override_settings

    with override_settings(PASSWORD_HASHERS=[hasher]):
        codificada = make_password(CLAVE)
    with ProcessPoolExecutor(max_workers=procesos, initializer=_django) as grupo:
        # The workers start (and set Django up) before the clock does.
        list(grupo.map(time.sleep, [0.2] * procesos))
        inicio = time.monotonic()
        cpu = list(grupo.map(_comprobar, [hasher] * ingresos, [codificada] * ingresos))
        segundos = time.monotonic() - inicio
    return {
        "segundos_hasta_el_ultimo": round(segundos, 2),
        "cpu_ms_por_ingreso": round(statistics.mean(cpu) * 1000, 1),
        # The stored hash without its salt and digest: the algorithm and its parameters.
        "parametros": codificada.rsplit("$", 2)[0],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--ingresos", type=int, default=60, help="logins at once (60)")
    parser.add_argument(
        "--procesos",
        type=int,
        default=int(os.environ.get("GUNICORN_WORKERS", "3")),
        help="processes that check them, as gunicorn's workers (GUNICORN_WORKERS, 3)",
    )
    argumentos = parser.parse_args()
    _django()
    resultado = {
        "ingresos": argumentos.ingresos,
        "procesos": argumentos.procesos,
        "nucleos": os.cpu_count(),
        **{
            nombre: medir(hasher, ingresos=argumentos.ingresos, procesos=argumentos.procesos)
            for nombre, hasher in HASHERS.items()
        },
    }
    print(json.dumps(resultado, ensure_ascii=False))


if __name__ == "__main__":
    main()
