"""A real gunicorn for the tests that need one: the project's gunicorn.conf.py, one worker, with
the development settings as an installation without DEBUG runs them."""

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

RAIZ = Path(__file__).resolve().parents[2]


def gunicorn_iniciar(**entorno: str) -> subprocess.Popen:
    """gunicorn in a process of its own, with `entorno` over the test's environment (at least
    DATABASE_URL, MEDIA_ROOT and GUNICORN_BIND); its errors readable on `stderr`."""
    return subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py"],
        cwd=RAIZ,
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "casmul.settings.local",
            "DEBUG": "0",
            "SECRET_KEY": "solo-para-pruebas",
            "GUNICORN_WORKERS": "1",
            **entorno,
        },
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )


def gunicorn_esperar(servidor: subprocess.Popen, puerto: int) -> str:
    """The address of a gunicorn `gunicorn_iniciar` started on a TCP port, once it answers;
    its errors if it stopped or did not answer within a minute."""
    limite = time.monotonic() + 60
    while True:
        try:
            socket.create_connection(("127.0.0.1", puerto), timeout=1).close()
            return f"http://127.0.0.1:{puerto}"
        except OSError:
            if servidor.poll() is not None or time.monotonic() > limite:
                raise AssertionError(f"gunicorn no arrancó: {servidor.stderr.read()}") from None
            time.sleep(0.2)
